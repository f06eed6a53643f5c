"""The files written beside a report: the same report as a page (``report-<key>.html``) and its
storyboard image (``storyboard-<key>.jpg``). They are made once per report and listed by get_state."""

from __future__ import annotations

from pathlib import Path

from video_json_ai.models.report import Report
from video_json_ai.util.atomic import write_bytes_atomic


def html_path(report_path: Path) -> Path:
    return report_path.with_suffix(".html")


def storyboard_path(report_path: Path) -> Path:
    return report_path.with_name(report_path.stem.replace("report-", "storyboard-", 1) + ".jpg")


def existing(report_path: Path) -> tuple[Path | None, Path | None]:
    """The page and the storyboard of a report, where they are on disk."""
    html, board = html_path(report_path), storyboard_path(report_path)
    return (html if html.is_file() else None), (board if board.is_file() else None)


def write_sidecars(report: Report, report_path: Path) -> tuple[Path | None, Path | None]:
    """Write whichever of the page and the storyboard is missing (a storyboard needs keyframes)."""
    from video_json_ai.engine.storyboard import draw_storyboard
    from video_json_ai.formats.html import write_report_page

    html, board = existing(report_path)
    if html is None:
        html = write_report_page(report, html_path(report_path))
    if board is None and report.scenes:
        drawn = draw_storyboard(report.scenes)
        if drawn is not None:
            board = storyboard_path(report_path)
            write_bytes_atomic(board, drawn.jpeg)
    return html, board
