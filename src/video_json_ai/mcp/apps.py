"""MCP Apps: extract_json bound to the report view, and the app-only tool that feeds it keyframes.

Hosts that render ``ui://`` resources (MCP Apps, ``io.modelcontextprotocol/ui``) show extract_json's
result in the report page of ``formats/html`` and post the result to it. The page then asks the
app-only ``keyframe_thumbnail`` tool for each scene it shows, so the pictures go to the page and
never into the model's context. A client that did not negotiate Apps gets the same result as
without this module: the view's hints (``_meta.ui`` of the result) go only to clients that did.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mcp.server.apps import Apps, client_supports_apps
from mcp.server.mcpserver import Context

from video_json_ai.formats.html import app_page

if TYPE_CHECKING:
    from video_json_ai.mcp.tools import VideoTools
    from video_json_ai.models.tools import ExtractResult

REPORT_VIEW_URI = "ui://video-json-ai/report.html"
THUMBNAIL_TOOL = "keyframe_thumbnail"
APP_TOOLS = ("extract_json", THUMBNAIL_TOOL)
"""Tools registered here rather than by server.py."""


def report_apps(tools: VideoTools, tool_kwargs: dict[str, dict[str, Any]]) -> Apps:
    """The Apps extension: the view resource, extract_json shown in it, the thumbnail tool for it.
    ``tool_kwargs``: each tool's name, title, description and annotations (as server.py builds them)."""
    apps = Apps()
    apps.add_html_resource(REPORT_VIEW_URI, app_page(), name="report_view", title="Video report",
                           description="The extraction report as a page: summary, storyboard grid, timeline, scene facts.",
                           prefers_border=True)
    apps.tool(resource_uri=REPORT_VIEW_URI, **tool_kwargs["extract_json"])(tools.extract_json)
    apps.tool(resource_uri=REPORT_VIEW_URI, visibility=["app"], **tool_kwargs[THUMBNAIL_TOOL])(tools.keyframe_thumbnail)
    return apps


def view_meta(ctx: Context, result: ExtractResult) -> dict[str, Any] | None:
    """The result's ``_meta`` for the report view: where the full report is and which tool gives
    thumbnails. None for clients without MCP Apps (their result stays as it was)."""
    if not client_supports_apps(ctx) or not result.video_id:
        return None
    return {"ui": {"resourceUri": REPORT_VIEW_URI, "reportUri": f"video://{result.video_id}/report",
                   "thumbnailTool": THUMBNAIL_TOOL}}
