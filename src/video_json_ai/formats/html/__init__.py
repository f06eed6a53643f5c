"""The report as one self-contained page: for a browser (data embedded) and for MCP Apps hosts (data posted)."""

from video_json_ai.formats.html.page import app_page, keyframe_data_uris, report_page, write_report_page

__all__ = ["app_page", "keyframe_data_uris", "report_page", "write_report_page"]
