"""OpenTimelineIO and chapters from a real clip's report through the CLI, and the page's data embedding."""

from __future__ import annotations

import json
import re
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
from PIL import Image

from tests.support.reports import synthetic_report
from video_json_ai import cli
from video_json_ai.cli.extract import OUTPUT_FORMATS
from video_json_ai.engine.storyboard import plan_layout
from video_json_ai.formats.chapters import chapters_youtube, chapters_vtt
from video_json_ai.formats.html import app_page, report_page
from video_json_ai.formats.html.page import FIRST_IMAGES
from video_json_ai.formats.scenes import SCENE_FORMATS
from video_json_ai.models.report import Report

FEATURES = "metadata,scenes,keyframes"


def extract(video: Path, fmt: str, out: Path) -> str:
    assert cli.main(["extract", str(video), "--features", FEATURES, "--format", fmt, "-o", str(out)]) == 0
    return out.read_text(encoding="utf-8")


def test_otio_has_one_frame_exact_clip_per_scene(env: dict[str, str], shared_media: Path, tmp_path: Path) -> None:
    video = shared_media / "testvideo.mp4"
    report = Report.model_validate_json(extract(video, "json", tmp_path / "r.json"))
    extract(video, "otio", tmp_path / "scenes.otio")
    timeline = otio.adapters.read_from_file(str(tmp_path / "scenes.otio"))
    clips = list(timeline.find_clips())
    scenes = report.scenes or []
    assert len(clips) == len(scenes) >= 5 and len(timeline.video_tracks()) == 1
    rate = float(Fraction(30000, 1001))  # the clip is 29.97 fps: ranges count NTSC frames exactly
    for clip, scene in zip(clips, scenes):
        start, length = clip.source_range.start_time, clip.source_range.duration
        assert start.rate == rate and length.rate == rate
        assert start.value == scene.start_frame and length.value == scene.end_frame - scene.start_frame + 1
        assert abs(start.to_seconds() - scene.start_s) < 0.5 / 29.97
        assert clip.media_reference.target_url == video.absolute().as_uri()
        assert clip.metadata["video_json_ai"]["index"] == scene.index
    for before, after in zip(clips, clips[1:]):  # back to back: no frame lost or doubled
        assert before.source_range.end_time_exclusive().value == after.source_range.start_time.value
    assert timeline.duration().value == 720  # every frame of the clip (truth: 720 frames)


def test_chapters_one_line_per_scene(env: dict[str, str], shared_media: Path, tmp_path: Path) -> None:
    video = shared_media / "testvideo.mp4"
    report = Report.model_validate_json(extract(video, "json", tmp_path / "r.json"))
    lines = extract(video, "chapters", tmp_path / "chapters.txt").splitlines()
    scenes = report.scenes or []
    assert len(lines) == len(scenes)
    for line, scene in zip(lines, scenes):
        stamp, title = line.split(" ", 1)
        minutes, seconds = stamp.split(":")
        assert int(minutes) * 60 + int(seconds) == int(scene.start_s) and title == f"Scene {scene.index + 1}"
    assert lines[0].startswith("00:00 ")
    board = tmp_path / "board.jpg"
    assert cli.main(["extract", str(video), "--features", FEATURES, "--format", "chapters", "--storyboard", str(board)]) == 0
    with Image.open(board) as picture:
        layout = plan_layout(len(scenes), 16 / 9)
        assert picture.format == "JPEG" and picture.size == (layout.width, layout.height)
    vtt = extract(video, "vtt", tmp_path / "chapters.vtt")
    cues = re.findall(r"scene-(\d+)\n(\S+) --> (\S+)\n(.+)\n", vtt)
    assert vtt.startswith("WEBVTT\n") and len(cues) == len(scenes)
    assert cues[2] == ("2", scenes[2].start_timecode, scenes[2].end_timecode, "Scene 3")


def test_chapters_of_a_long_video_count_hours_and_take_the_on_screen_text() -> None:
    report = synthetic_report(300, seconds=7200)
    lines = chapters_youtube(report).splitlines()
    assert len(lines) == 300 and lines[0].startswith("0:00:00 ")
    last = report.scenes[-1]
    hours, minutes, seconds = (int(p) for p in lines[-1].split(" ", 1)[0].split(":"))
    assert hours * 3600 + minutes * 60 + seconds == int(last.start_s) and hours >= 1
    first_text = " ".join(report.text[0].text.split())
    assert lines[0].endswith(f"Scene 1: {first_text}")  # scene 0 has on-screen text in the synthetic report
    assert chapters_vtt(report).count("\n\nscene-") == 300  # one cue per scene, each after a blank line


def test_page_data_is_inert_and_complete() -> None:
    report = synthetic_report(130, seconds=600)
    images = {i: f"data:image/jpeg;base64,AAAA{i}" for i in range(130)}
    page = report_page(report, images)
    assert page.count("</script>") == 4  # data, scripts, more data, loader: nothing in the report closes a block
    assert "<img src=x" not in page and "two hours <script>" not in page
    data = json.loads(re.search(r'id="vja-data">(.*?)</script>', page, re.S).group(1))
    more = json.loads(re.search(r'id="vja-more">(.*?)</script>', page, re.S).group(1))
    assert Report.model_validate(data["report"]) == report
    assert len(data["images"]) == FIRST_IMAGES and len(more) == 130 - FIRST_IMAGES and data["more_images"] is True
    assert {**data["images"], **more} == {str(k): v for k, v in images.items()}
    app = app_page()
    assert 'id="vja-data">null</script>' in app and "ui/initialize" in app and "http" not in app.replace("http://www.w3.org/2000/svg", "")


def test_cli_lists_every_scene_format() -> None:
    assert set(OUTPUT_FORMATS) == {"json", "html", *SCENE_FORMATS}
