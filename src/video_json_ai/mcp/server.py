"""The MCP server: registers the tools, the resources and the MCP Apps report view. Nothing else happens here."""

from __future__ import annotations

import inspect

from mcp.server.mcpserver import MCPServer
from mcp.types import ToolAnnotations

from video_json_ai import __version__
from video_json_ai.core import redact
from video_json_ai.core.app import App
from video_json_ai.mcp.apps import APP_TOOLS, report_apps
from video_json_ai.mcp.client_roots import ClientRoots
from video_json_ai.mcp.resources import register_resources
from video_json_ai.mcp.tools import VideoTools

INSTRUCTIONS = """\
Video JSON AI turns video files into structured JSON: metadata, scenes/shots with keyframes, audio
facts, on-screen text and speech. Typical flow: upload_video(path) -> extract_json(video_id,
instructions="scenes and metadata") -> export_render(...) for edits. With keyframes, extract_json
also returns one storyboard image of the whole video (tiles labelled '#scene-index start'). Long
work returns a job_id after wait_seconds; poll get_state(job_id) until status is 'completed'."""

# name: (title, read-only, idempotent). Open world: every tool on the cloud backend; locally, the tools
# whose source may be an http(s) URL (core/fetch.py).
URL_TOOLS = ("upload_video", "extract_json", "export_render")
TOOL_HINTS = {
    "upload_video": ("Upload a video", False, True),
    "extract_json": ("Extract video JSON", True, True),
    "get_state": ("Get session or job state", True, True),
    "check_credits": ("Check credits", True, True),
    "export_render": ("Render an MP4", False, False),
    "keyframe_thumbnail": ("Keyframe thumbnail (report view)", True, True),
}


def create_server(app: App | None = None) -> MCPServer:
    app = app or App()
    cloud = app.config.backend == "nemo"
    roots = ClientRoots(app.config.allow_any_dir)
    tools = VideoTools(app, roots)
    kwargs = {
        name: {"name": name, "title": title, "description": inspect.cleandoc(getattr(tools, name).__doc__ or ""),
               "annotations": ToolAnnotations(title=title, readOnlyHint=read_only, destructiveHint=False,
                                              idempotentHint=idempotent, openWorldHint=cloud or name in URL_TOOLS)}
        for name, (title, read_only, idempotent) in TOOL_HINTS.items()
    }
    server = MCPServer(name="video-json-ai", title="Video JSON AI", version=__version__, instructions=INSTRUCTIONS,
                       extensions=[report_apps(tools, kwargs)],
                       middleware=[redact.middleware, roots.middleware])  # redaction outermost: nothing unredacted leaves
    for name, tool_kwargs in kwargs.items():
        if name not in APP_TOOLS:
            server.add_tool(getattr(tools, name), **tool_kwargs)
    register_resources(server, app)
    return server
