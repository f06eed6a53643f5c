"""Assembling the report page: the HTML, CSS and JS beside this module inlined, the data embedded.

The page loads nothing: styles and scripts are inline, keyframes are ``data:`` URIs, so a saved
report opens offline and an MCP Apps host can show it under its strictest content policy. The data
sits in a ``<script type="application/json">`` block with every ``<`` escaped, so no text of the
report (file names, on-screen text) can close that block or become markup; the scripts put it in
the page as text only.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from video_json_ai.models.report import Report
from video_json_ai.util.atomic import write_text_atomic

THUMB_WIDTH = 240
THUMB_QUALITY = 72
FIRST_IMAGES = 96
"""Keyframes embedded with the report; the rest follow in a block after the scripts, so the first
screens (up to ten columns by seven rows of cards) show with their pictures while the browser is
still reading the others (measured: tests/formats/test_html_report.py, 1,500 scenes)."""
SCRIPTS = ("view.js", "bridge.js")


def _asset(name: str) -> str:
    return files("video_json_ai.formats.html").joinpath(name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _template() -> str:
    """The page with its style and scripts in place; ``/*TITLE*/`` and ``/*DATA*/`` still to fill."""
    page = _asset("report.html")
    page = page.replace("/*STYLE*/", _asset("report.css"), 1)
    return page.replace("/*SCRIPT*/", "\n".join(_asset(name) for name in SCRIPTS), 1)


def _script_json(data: Any) -> str:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _fill(title: str, data: Any, more: Any = None) -> str:
    # The data last: nothing inserted before it can contain the marker it replaces; MORE comes after DATA
    # in the page, so it is replaced first and DATA's text is never searched.
    page = _template().replace("/*TITLE*/", _escape_text(title), 1)
    head, tail = page.split("/*MORE*/", 1)
    return head.replace("/*DATA*/", _script_json(data), 1) + _script_json(more) + tail


def app_page() -> str:
    """The page for an MCP Apps host: no data; it waits for the host to post the tool result."""
    return _fill("Video report", None)


def keyframe_data_uris(report: Report, width: int = THUMB_WIDTH) -> dict[int, str]:
    """Small JPEG ``data:`` URIs of the scenes' keyframes, by position in ``report.scenes``."""
    from video_json_ai.engine.media import thumbnail

    out: dict[int, str] = {}
    for position, scene in enumerate(report.scenes or []):
        kf = scene.keyframe
        if kf is not None and kf.path and Path(kf.path).is_file():
            jpeg = thumbnail(Path(kf.path), width, THUMB_QUALITY)
            out[position] = "data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii")
    return out


def report_page(report: Report, images: Mapping[int, str] | None = None) -> str:
    """The page for a browser with the report and its keyframes (``keyframe_data_uris``) inside."""
    items = sorted((images or {}).items())
    first = {str(k): v for k, v in items[:FIRST_IMAGES]}
    rest = {str(k): v for k, v in items[FIRST_IMAGES:]}
    data = {"report": report.model_dump(mode="json"), "images": first, "more_images": bool(rest)}
    return _fill(f"{report.video.file_name} · video report", data, rest)


def write_report_page(report: Report, path: Path) -> Path:
    """Write the page of ``report`` (keyframes included) to ``path``, atomically."""
    write_text_atomic(path, report_page(report, keyframe_data_uris(report)))
    return path
