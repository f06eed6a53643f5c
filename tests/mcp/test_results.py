"""Scene paging in tool results: cursor -> next_cursor over a multi-page result, and bad cursors."""

from __future__ import annotations

import pytest

from tests.support.scenes import scenes
from video_json_ai.errors import InvalidInput
from video_json_ai.mcp.results import page_result
from video_json_ai.models.report import Report, Summary, VideoRef
from video_json_ai.models.tools import ExtractResult


def _result(count: int) -> ExtractResult:
    video = VideoRef(video_id="vid_1", file_name="a.mp4", path="/x/a.mp4", size_bytes=1, sha256="0" * 64)
    report = Report(video=video, features=["scenes"], created_at="2026-01-01T00:00:00+00:00",
                    generator="test", scenes=scenes(count),
                    summary=Summary(duration_s=2.0 * count, duration_timecode=None, resolution="64x48", fps=25.0,
                                    has_audio=False, scene_count=count))
    return ExtractResult(status="completed", progress=1.0, message="ok", report=report)


def test_pages_cover_every_scene_once_in_order():
    full = _result(23)
    seen, cursor, pages = [], None, 0
    while True:
        page = page_result(full, cursor, 10)
        pages += 1
        assert page.scenes_total == 23 and len(page.report.scenes) <= 10
        seen += [s.index for s in page.report.scenes]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert pages == 3 and seen == list(range(23))
    assert full.report.scenes and len(full.report.scenes) == 23  # the full result is not changed


def test_a_single_page_has_no_next_cursor():
    page = page_result(_result(5), None, 50)
    assert page.next_cursor is None and len(page.report.scenes) == 5


@pytest.mark.parametrize("cursor", ["10", "scenes:x", "frames:3", "scenes:99"])
def test_bad_cursors_are_clear_errors(cursor):
    with pytest.raises(InvalidInput):
        page_result(_result(5), cursor, 2)
