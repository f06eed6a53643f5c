"""From an export request to spans of source files: one video, the timeline, scenes, trims."""

from __future__ import annotations

import pytest

from tests.support.scenes import scenes
from video_json_ai.backends.local.render_plan import name_extra, plan_spans, to_segments
from video_json_ai.errors import InvalidInput, NotFound
from video_json_ai.models.requests import RenderRequest


@pytest.fixture
def videos(tmp_path):
    rows = []
    for name, duration in (("a", 4.0), ("b", 6.0)):
        path = tmp_path / f"{name}.mp4"
        path.write_bytes(b"x")  # the plan only checks that the file is there; it decodes nothing
        rows.append({"video_id": f"vid_{name}", "path": str(path), "summary": {"duration_s": duration}})
    return rows


def no_scenes(video_id: str):
    return None


def test_the_timeline_is_every_video_to_its_end(videos):
    spans = plan_spans(RenderRequest(), videos, no_scenes)
    assert [(s.video_id, s.start_s, s.end_s, s.to_end) for s in spans] == [
        ("vid_a", 0.0, 4.0, True), ("vid_b", 0.0, 6.0, True)]
    assert [seg.end_s for seg in to_segments(spans)] == [None, None]


def test_a_trim_across_two_videos_cuts_the_concatenation(videos):
    spans = plan_spans(RenderRequest(start_s=3.0, end_s=5.5), videos, no_scenes)
    assert [(s.video_id, s.start_s, s.end_s) for s in spans] == [("vid_a", 3.0, 4.0), ("vid_b", 0.0, 1.5)]


def test_scenes_are_taken_in_the_order_asked(videos):
    by_id = {"vid_b": scenes(3)}
    spans = plan_spans(RenderRequest(video_id="vid_b", scenes=[2, 0]), videos, by_id.get)
    assert [(s.start_s, s.end_s) for s in spans] == [(4.0, 6.0), (0.0, 2.0)]
    assert name_extra(RenderRequest(scenes=[2, 0], start_s=1, end_s=2)) == "scenes-2-0_1-2s"


@pytest.mark.parametrize(("request_", "error", "match"), [
    (RenderRequest(video_id="vid_zz"), NotFound, "No uploaded video"),
    (RenderRequest(video_id="vid_b", scenes=[0]), InvalidInput, "No scenes are known"),
    (RenderRequest(scenes=[0]), InvalidInput, "needs one video"),
    (RenderRequest(start_s=11.0), InvalidInput, "past the end"),
    (RenderRequest(end_s=20.0), InvalidInput, "past the end"),
])
def test_impossible_requests_are_clear_errors(videos, request_, error, match):
    with pytest.raises(error, match=match):
        plan_spans(request_, videos, no_scenes)


def test_unknown_scene_indices_are_named(videos):
    with pytest.raises(InvalidInput, match=r"Unknown scene index\(es\) \[7\]"):
        plan_spans(RenderRequest(video_id="vid_a", scenes=[1, 7]), videos, {"vid_a": scenes(2)}.get)


def test_a_trim_out_of_order_is_refused_where_the_request_is_made():
    with pytest.raises(InvalidInput, match="must be after start_s"):
        RenderRequest(start_s=2.0, end_s=1.0)


def test_a_missing_source_file_is_named(videos, tmp_path):
    (tmp_path / "a.mp4").unlink()
    with pytest.raises(NotFound, match="vid_a"):
        plan_spans(RenderRequest(), videos, no_scenes)
