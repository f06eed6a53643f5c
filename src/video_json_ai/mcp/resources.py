"""The resources: a video's full report and its keyframe images, read from the store."""

from __future__ import annotations

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceError

from video_json_ai.core.app import App
from video_json_ai.errors import VideoJsonError


def register_resources(server: MCPServer, app: App) -> None:
    @server.resource("video://{video_id}/report", name="report", mime_type="application/json",
                     description="The newest full extraction report of a video (all scenes, no paging).")
    def video_report(video_id: str) -> str:
        try:
            return app.latest_report(video_id).model_dump_json(indent=1)
        except VideoJsonError as exc:
            raise ResourceError(str(exc)) from exc

    @server.resource("video://{video_id}/keyframes/{n}", name="keyframe", mime_type="image/jpeg",
                     description="The keyframe JPEG of scene n (0-based) of a video's newest report.")
    def video_keyframe(video_id: str, n: str) -> bytes:
        if not n.isdigit():
            raise ResourceError(f"Scene '{n}' is not a scene number: pass a 0-based index.")
        try:
            return app.keyframe_file(video_id, int(n)).read_bytes()
        except VideoJsonError as exc:
            raise ResourceError(str(exc)) from exc
