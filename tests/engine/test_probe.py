"""Metadata checked field by field against clips we write and the shared real clips."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.clips import make_clip
from video_json_ai.engine.probe import probe
from video_json_ai.errors import MediaError


def test_h264_clip_fields(tmp_path: Path) -> None:
    path = make_clip(tmp_path / "a.mp4", width=320, height=240, fps=25, seconds=2.0, title="My Title",
                     chapters=[(0.0, 1.0, "Intro"), (1.0, 2.0, "Main")])
    m = probe(path)
    assert m.format.startswith("mov,mp4")
    assert m.duration_s == pytest.approx(2.0, abs=0.05)
    assert m.duration_timecode is not None and m.duration_timecode.startswith("00:00:02.0")
    assert m.size_bytes == path.stat().st_size
    assert m.bit_rate and m.bit_rate > 0
    assert m.tags.title == "My Title"
    assert m.tags.encoder and m.tags.encoder.startswith("Lavf")
    v = m.video[0]
    assert (v.codec, v.width, v.height, v.fps, v.real_fps) == ("h264", 320, 240, 25.0, 25.0)
    assert v.frame_count == 50 and v.frame_count_exact
    assert v.display_aspect_ratio == "4:3"
    assert v.pixel_format == "yuv420p" and v.bit_depth == 8
    assert v.hdr is False and v.rotation_degrees == 0
    assert v.profile in {"High", "Constrained Baseline", "Main", "High 4:4:4 Predictive"}
    a = m.audio[0]
    assert (a.codec, a.sample_rate, a.channels, a.channel_layout) == ("aac", 48000, 2, "stereo")
    assert [(c.title, round(c.start_s, 3), round(c.end_s, 3)) for c in m.chapters] == [("Intro", 0.0, 1.0), ("Main", 1.0, 2.0)]
    assert m.chapters[1].start_timecode == "00:00:01.000"


def test_rotation_layout_and_mpeg4(tmp_path: Path) -> None:
    path = make_clip(tmp_path / "r.mp4", codec="mpeg4", width=320, height=180, fps=30, seconds=1.0,
                     rotation=90, audio_layout="5.1", sample_rate=44100)
    m = probe(path)
    v = m.video[0]
    assert v.codec == "mpeg4" and v.fps == 30.0
    assert v.rotation_degrees == 90
    assert (v.display_width, v.display_height) == (180, 320)
    a = m.audio[0]
    assert (a.channels, a.channel_layout, a.sample_rate) == (6, "5.1", 44100)


def test_matroska_webm_vp9(tmp_path: Path) -> None:
    path = make_clip(tmp_path / "w.webm", codec="libvpx-vp9", width=160, height=120, fps=10, seconds=1.0,
                     audio_layout=None)
    m = probe(path)
    assert m.format.startswith("matroska")
    assert m.video[0].codec == "vp9" and m.audio == []


def test_not_a_video(tmp_path: Path) -> None:
    fake = tmp_path / "fake.mp4"
    fake.write_text("this is plain text, not a video\n" * 20)
    with pytest.raises(MediaError, match="could not be opened as a video"):
        probe(fake)


def _truth(shared_media: Path) -> dict:
    return json.loads((shared_media / "truth.json").read_text())


def test_real_clips_against_truth(shared_media: Path) -> None:
    truth = _truth(shared_media)
    checked = 0
    for name, t in truth.items():
        if name.startswith("_") or not (shared_media / name).is_file():
            continue
        m = probe(shared_media / name)
        v = m.video[0]
        assert (v.width, v.height) == (t["width"], t["height"]), name
        assert v.codec == t["video_codec"], name
        if "fps" in t:
            assert v.fps == pytest.approx(t["fps"], rel=1e-3), name
        if "frames" in t:
            assert v.frame_count == t["frames"], name
        if "duration_s" in t:
            assert m.duration_s == pytest.approx(t["duration_s"], abs=0.02), name
        audio = t.get("audio")
        if audio:
            assert m.audio[0].codec == audio["codec"] and m.audio[0].sample_rate == audio["sample_rate"], name
            assert m.audio[0].channels == audio["channels"], name
            if "language" in audio:
                assert m.audio[0].language == audio["language"], name
        elif audio is False:
            assert m.audio == [], name
        if "rotation_degrees" in t:
            assert v.rotation_degrees == t["rotation_degrees"], name
            assert (v.display_width, v.display_height) == (t["display_width"], t["display_height"]), name
        if t.get("variable_frame_rate"):
            assert v.variable_frame_rate is True, name
        if "sample_aspect_ratio" in t:
            assert v.sample_aspect_ratio == t["sample_aspect_ratio"].replace("/", ":"), name
            assert v.display_width / v.display_height == pytest.approx(t["display_aspect_ratio_approx"], abs=0.02)
        if "subtitles" in t:
            assert [(s.codec, s.language, s.title) for s in m.subtitles] == [
                (s["codec"], s["language"], s["title"]) for s in t["subtitles"]], name
            assert m.attachments == t["attachments"]
        if "first_pts_s" in t:
            assert v.start_time_s == pytest.approx(t["first_pts_s"], abs=1e-3)
        if "container" in t:
            assert m.format.startswith(t["container"])
        checked += 1
    assert checked >= 6
