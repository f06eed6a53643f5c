"""The MCP server: registers the five tools and the resources. Nothing else happens here."""

from __future__ import annotations

import inspect

from mcp.server.mcpserver import MCPServer
from mcp.types import ToolAnnotations

from video_json_ai import __version__
from video_json_ai.core import redact
from video_json_ai.core.app import App
from video_json_ai.mcp.client_roots import ClientRoots
from video_json_ai.mcp.resources import register_resources
from video_json_ai.mcp.tools import VideoTools

INSTRUCTIONS = """\
Video JSON AI turns video files into structured JSON: metadata, scenes/shots with keyframes, audio
facts, on-screen text and speech. Typical flow: upload_video(path) -> extract_json(video_id,
instructions="scenes and metadata") -> export_render(...) for edits. Long work returns a job_id
after wait_seconds; poll get_state(job_id) until status is 'completed'."""

# name: (title, read-only, idempotent); every tool reaches the open world only on the cloud backend
TOOL_HINTS = {
    "upload_video": ("Upload a video", False, True),
    "extract_json": ("Extract video JSON", True, True),
    "get_state": ("Get session or job state", True, True),
    "check_credits": ("Check credits", True, True),
    "export_render": ("Render an MP4", False, False),
}


def create_server(app: App | None = None) -> MCPServer:
    app = app or App()
    cloud = app.config.backend == "nemo"
    roots = ClientRoots(app.config.allow_any_dir)
    server = MCPServer(name="video-json-ai", title="Video JSON AI", version=__version__, instructions=INSTRUCTIONS,
                       middleware=[redact.middleware, roots.middleware])  # redaction outermost: nothing unredacted leaves
    tools = VideoTools(app, roots)
    for name, (title, read_only, idempotent) in TOOL_HINTS.items():
        fn = getattr(tools, name)
        server.add_tool(
            fn, name=name, title=title, description=inspect.cleandoc(fn.__doc__ or ""),
            annotations=ToolAnnotations(title=title, readOnlyHint=read_only, destructiveHint=False,
                                        idempotentHint=idempotent, openWorldHint=cloud),
        )
    register_resources(server, app)
    return server
