"""Technical cues on clips made here: each typed, its frames within 2 of the truth; none where none are.

The clips are encoded with H.264 (B-frames): the pass leaves some unreferenced pictures undecoded,
so a boundary can be seen one frame late; the acceptance bar is 2 frames.
"""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from tests.support.clips_cues import Part, make_cue_clip, smpte_bars, starts
from tests.support.clips_scenes import standard_shots, write_clip
from video_json_ai.util.progress import CancelToken
from video_json_ai.engine.analysis.decode import analysis_size
from video_json_ai.engine.cues.pictures import bar_spans, bars_colours
from video_json_ai.engine.extract import build_report
from video_json_ai.models.cues import CueOptions, TechnicalCue
from video_json_ai.models.report import Report, VideoRef
from video_json_ai.models.scenes import SceneOptions


def extract(path: Path, options: CueOptions | None = None, features: tuple[str, ...] = ("metadata", "cues")) -> Report:
    video = VideoRef(video_id="vid_test", file_name=path.name, path=str(path), size_bytes=path.stat().st_size,
                     sha256="0" * 64)
    return build_report(path, video, list(features), SceneOptions(write_keyframes=False),  # type: ignore[arg-type]
                        cue_options=options, keyframes_dir=None, progress=lambda f, m: None, cancel=CancelToken())


def spans(cues: list[TechnicalCue]) -> list[tuple[str, int, int]]:
    return [(c.kind, c.start_frame, c.end_frame) for c in cues]


def assert_near(found: list[tuple[str, int, int]], truth: list[tuple[str, int, int]], frames: int = 2) -> None:
    assert [k for k, _, _ in found] == [k for k, _, _ in truth], (found, truth)
    for (_, a, b), (_, ta, tb) in zip(found, truth):
        assert abs(a - ta) <= frames and abs(b - tb) <= frames, (found, truth)


def test_black_leader_and_tail(tmp_path: Path) -> None:
    parts = [Part("black", 25), Part("content", 60), Part("black", 30)]
    clip = make_cue_clip(tmp_path / "leader.mp4", parts)
    report = extract(clip)
    (_, a, b), (_, c, d), (_, e, f) = starts(parts)
    assert_near(spans(report.cues or []), [("black", a, b), ("content", c, d), ("black", e, f)])
    black = (report.cues or [])[0]
    assert black.start_s == 0.0 and black.end_s == pytest.approx(1.0, abs=0.08) and black.confidence > 0.9
    assert black.start_smpte == "00:00:00:00" and black.end_timecode.startswith("00:00:01.0")
    # the knobs: a 1.5 s minimum leaves both out (1.0 s and 1.2 s), and then there is no content span either
    assert extract(clip, CueOptions(black_min_s=1.5)).cues == []


def test_smpte_bars_with_a_1khz_tone(tmp_path: Path) -> None:
    parts = [Part("bars", 50, tone_hz=1000.0), Part("content", 50)]
    report = extract(make_cue_clip(tmp_path / "bars.mp4", parts))
    (_, a, b), (_, c, d) = starts(parts)
    cues = report.cues or []
    assert_near(spans(cues), [("colour_bars", a, b), ("test_tone", a, b), ("content", c, d)])
    tone = next(x for x in cues if x.kind == "test_tone")
    # amplitude 0.25 on both channels: -15 dBFS each, -12 dBFS in the mono downmix (FFmpeg's -3 dB pan law)
    assert tone.frequency_hz == pytest.approx(1000.0, abs=5.0) and tone.level_dbfs == pytest.approx(-12.0, abs=1.0)
    assert report.audio is None  # the audio was decoded for the tone only: no audio facts unasked


def _luma(rgb: np.ndarray) -> tuple[np.ndarray, av.VideoFrame]:
    frame = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")
    w, h = analysis_size(frame.width, frame.height)
    return frame.reformat(width=w, height=h, format="gray", interpolation="AREA").to_ndarray(), frame


def test_bar_patterns_of_any_aspect_and_lookalikes() -> None:
    hd = smpte_bars(1280, 720)  # SMPTE RP 219 layout: grey side pillars
    sd_in_hd = np.zeros((720, 1280, 3), np.uint8)
    sd_in_hd[:, 160:1120] = smpte_bars(960, 720, side_pillars=False)  # 4:3 bars pillarboxed in 16:9
    ebu = np.zeros((576, 720, 3), np.uint8)
    for k, c in enumerate([(255, 255, 255), (255, 255, 0), (0, 255, 255), (0, 255, 0), (255, 0, 255), (255, 0, 0),
                           (0, 0, 255), (0, 0, 0)]):
        ebu[:, k * 90 : (k + 1) * 90] = c  # EBU 100 % bars, full height, black last
    for picture in (hd, sd_in_hd, ebu):
        luma, frame = _luma(picture)
        found = bar_spans(luma)
        assert found is not None and len(found) == 7
        assert bars_colours(frame, found, (luma.shape[1], luma.shape[0]))
    # the same luma steps in the wrong colours (grey stripes), and colour stripes in no bar order
    grey = np.repeat(np.repeat(_luma(hd)[0][:, :, None], 3, axis=2), 10, axis=0).repeat(10, axis=1)
    luma, frame = _luma(np.ascontiguousarray(grey))
    assert (s := bar_spans(luma)) is not None and not bars_colours(frame, s, (luma.shape[1], luma.shape[0]))
    rng = np.random.default_rng(1)
    stripes = np.repeat(rng.integers(0, 256, (1, 12, 3), dtype=np.uint8), 720, axis=0).repeat(107, axis=1)[:, :1280]
    assert bar_spans(_luma(np.ascontiguousarray(stripes))[0]) is None


def test_a_freeze_in_moving_content(tmp_path: Path) -> None:
    parts = [Part("content", 30), Part("freeze", 60), Part("content", 30)]
    report = extract(make_cue_clip(tmp_path / "freeze.mp4", parts, audio=False))
    (_, _, last), (_, _, b), _ = starts(parts)
    # the held picture is first shown by the last moving frame; a freeze mid-programme is no opening cue
    assert_near(spans(report.cues or []), [("freeze", last, b)])


def test_scrolling_credits(tmp_path: Path) -> None:
    parts = [Part("content", 80), Part("credits", 120)]
    report = extract(make_cue_clip(tmp_path / "credits.mp4", parts, width=640, height=360, audio=False))
    (_, a, b), (_, c, d) = starts(parts)
    cues = report.cues or []
    assert_near(spans(cues), [("content", a, b), ("end_credits", c, d)])
    credits = cues[1]
    assert credits.confidence > 0.9 and credits.text and "Turing" in credits.text
    assert report.timings_s["cues_ocr"] > 0  # the OCR model ran, on the candidate stretch only


def test_a_clip_without_cues_has_none(tmp_path: Path) -> None:
    clip = tmp_path / "plain.mp4"
    write_clip(clip, standard_shots(), grain=2.0)  # cuts, a fade, a dissolve, flashes, a fast pan, light ramps
    report = extract(clip, features=("metadata", "scenes", "cues"))
    assert report.cues == [] and report.scenes
