"""Keeping tool results small: scenes come a page at a time; the full report is on disk."""

from __future__ import annotations

from video_json_ai.errors import InvalidInput
from video_json_ai.models.tools import ExtractResult

CURSOR_PREFIX = "scenes:"


def parse_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    if not cursor.startswith(CURSOR_PREFIX) or not cursor[len(CURSOR_PREFIX):].isdigit():
        raise InvalidInput(f"'{cursor}' is not a cursor this server made", "Pass next_cursor exactly as a previous call returned it.")
    return int(cursor[len(CURSOR_PREFIX):])


def page_result(result: ExtractResult, cursor: str | None, page_size: int) -> ExtractResult:
    """The result with one page of scenes; ``next_cursor`` when more remain."""
    report = result.report
    if report is None or report.scenes is None:
        return result
    offset = parse_cursor(cursor)
    total = len(report.scenes)
    if offset > total:
        raise InvalidInput(f"Cursor offset {offset} is past the last scene ({total})", "Start again without a cursor.")
    page = report.scenes[offset : offset + page_size]
    end = offset + len(page)
    return result.model_copy(update={
        "report": report.model_copy(update={"scenes": page}),
        "scenes_total": total,
        "next_cursor": f"{CURSOR_PREFIX}{end}" if end < total else None,
    })
