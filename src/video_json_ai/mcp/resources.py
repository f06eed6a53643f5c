"""The resources: a video's full report and its keyframe images, read from the store."""

from __future__ import annotations

from pathlib import Path

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceError

from video_json_ai.core.app import App
from video_json_ai.models.report import Report


def register_resources(server: MCPServer, app: App) -> None:
    def report_for(video_id: str) -> Report:
        path = app.store.latest_report(video_id)
        if path is None:
            raise ResourceError(f"No report for '{video_id}' yet: call extract_json(video_id='{video_id}') first.")
        return Report.model_validate_json(path.read_text(encoding="utf-8"))

    @server.resource("video://{video_id}/report", name="report", mime_type="application/json",
                     description="The newest full extraction report of a video (all scenes, no paging).")
    def video_report(video_id: str) -> str:
        return report_for(video_id).model_dump_json(indent=1)

    @server.resource("video://{video_id}/keyframes/{n}", name="keyframe", mime_type="image/jpeg",
                     description="The keyframe JPEG of scene n (0-based) of a video's newest report.")
    def video_keyframe(video_id: str, n: str) -> bytes:
        scenes = report_for(video_id).scenes or []
        if not n.isdigit() or int(n) >= len(scenes):
            raise ResourceError(f"Scene {n} does not exist: the report has {len(scenes)} scenes (0-based).")
        kf = scenes[int(n)].keyframe
        if kf is None or not kf.path or not Path(kf.path).is_file():
            raise ResourceError(f"Scene {n} has no keyframe file: extract with the 'keyframes' feature.")
        return Path(kf.path).read_bytes()
