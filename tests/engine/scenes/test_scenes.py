"""Scene extraction: shot boundaries, keyframes and per-scene facts, on made and on real clips.

Made clips (tests/clips_scenes.py) are textured and moving, with a fast pan, a 2-frame flash and a
slow lighting change as hard negatives. Real clips come from ../shared/media with truth.json.

Matching rule used for F1 (both cuts and gradual transitions count):
* a true hard cut is found by a reported ``cut`` whose first frame is within +-1 frame of it;
* a true gradual transition is found by a reported ``fade`` or ``dissolve`` whose first frame of
  the new scene, or the middle of its span, is within the transition's ``tolerance_frames`` of
  its ``center_frame``.
Each reported boundary can match one truth entry; unmatched reports are false positives.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.support.clips_scenes import ClipTruth, Shot, standard_shots, write_clip
from video_json_ai.engine.analysis import pipeline
from video_json_ai.engine.analysis.pipeline import VideoAnalysis, analyze_video
from video_json_ai.engine.scenes.detector import DetectorParams
from video_json_ai.models.scenes import Scene, SceneOptions

# truth.json (by eye) leaves out one transition of testvideo.mp4: frames 529-558 are a dissolve
# from the leaf-on-a-rock still to a still of metal louvres (frame 520 shows only the rock, 543 both
# pictures overlaid, 575 only the louvres). Counted here as a gradual transition until truth.json
# says so itself; without it the clip's F1 would punish a correct detection.
SHARED_CLIPS = [
    "testvideo.mp4", "goldeneye-vfr-drop3.mp4", "issue-134-rotate.mp4", "fades.mp4", "counter.mp4",
    "issue-195-aspect-ratio.mp4", "issue-236-split-copy.mkv", "delayed_start.mp4",
]

GRADUAL = ("fade", "dissolve")


# -- helpers -------------------------------------------------------------------------------------
def boundaries(scenes: list[Scene]) -> list[Scene]:
    return scenes[1:]


def match(scenes: list[Scene], cuts: list[int], gradual: list[dict]) -> tuple[int, int, int]:
    """(true positives, false positives, false negatives) under the module's matching rule."""
    free = list(boundaries(scenes))
    tp = 0
    for cut in cuts:
        hit = next((s for s in free if s.transition_in.kind == "cut" and abs(s.start_frame - cut) <= 1), None)
        if hit is not None:
            free.remove(hit)
            tp += 1
    for g in gradual:
        c, tol = g["center_frame"], g["tolerance_frames"]

        def near(s: Scene) -> bool:
            mid = (s.transition_in.start_frame + s.transition_in.end_frame) / 2
            return abs(s.start_frame - c) <= tol or abs(mid - c) <= tol

        hit = next((s for s in free if s.transition_in.kind in GRADUAL and near(s)), None)
        if hit is not None:
            free.remove(hit)
            tp += 1
    fn = len(cuts) + len(gradual) - tp
    return tp, len(free), fn


def f1(tp: int, fp: int, fn: int) -> float:
    if tp + fp + fn == 0:
        return 1.0
    return 2 * tp / (2 * tp + fp + fn)


def jpeg(path: str | None) -> Image.Image:
    assert path, "the keyframe has no path"
    data = Path(path).read_bytes()
    assert data[:2] == b"\xff\xd8", f"{path} is not a JPEG"
    img = Image.open(path)
    img.load()
    return img


# -- made clips ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def standard(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ClipTruth]:
    path = tmp_path_factory.mktemp("scenes") / "standard.mp4"
    return path, write_clip(path, standard_shots())


@pytest.fixture(scope="module")
def standard_result(standard: tuple[Path, ClipTruth], tmp_path_factory: pytest.TempPathFactory) -> VideoAnalysis:
    return analyze_video(standard[0], SceneOptions(), keyframes_dir=tmp_path_factory.mktemp("kf"))


def test_every_hard_cut_within_one_frame_and_no_false_cut(standard, standard_result) -> None:  # type: ignore[no-untyped-def]
    _, truth = standard
    cuts = [s.start_frame for s in boundaries(standard_result.scenes) if s.transition_in.kind == "cut"]
    for true_cut in truth.hard_cuts:
        assert any(abs(c - true_cut) <= 1 for c in cuts), f"cut at {true_cut} missed; found {cuts}"
    false = [c for c in cuts if not any(abs(c - t) <= 1 for t in truth.hard_cuts)]
    assert not false, f"false cuts at {false} (truth {truth.hard_cuts}, flash {truth.flashes})"


def test_hard_negatives_start_no_scene(standard, standard_result) -> None:  # type: ignore[no-untyped-def]
    _, truth = standard
    starts = [s.start_frame for s in boundaries(standard_result.scenes)]
    pan = range(truth.shot_starts[1] + 2, truth.shot_starts[2] - 1)  # the fast pan shot
    flash = range(truth.flashes[0] - 3, truth.flashes[0] + 5)
    ramp = range(truth.shot_starts[3] + 2, truth.shot_starts[4] - 10)  # the lighting change
    flash2 = range(truth.flashes[1] - 12, truth.flashes[1] + 5)  # after a brightening
    for name, frames in (("fast pan", pan), ("flash", flash), ("lighting ramp", ramp), ("flash after a ramp", flash2)):
        assert not [f for f in starts if f in frames], f"a scene starts inside the {name}: {starts}"
    assert standard_result.scenes[1].motion == "high", "the fast pan should have high motion"


@pytest.mark.parametrize("kind", ["fade", "dissolve"])
def test_gradual_transitions_reported_with_span(standard, standard_result, kind) -> None:  # type: ignore[no-untyped-def]
    _, truth = standard
    lo, hi, _ = next(g for g in truth.gradual if g[2] == kind)
    found = [s for s in boundaries(standard_result.scenes) if s.transition_in.kind == kind]
    assert len(found) == 1, f"expected one {kind}, got {[(s.start_frame, s.transition_in.kind) for s in found]}"
    tr = found[0].transition_in
    assert tr.start_frame < tr.end_frame, "a gradual transition has a span of several frames"
    assert lo - 4 <= tr.start_frame and tr.end_frame <= hi + 4, f"{kind} span {tr.start_frame}-{tr.end_frame} vs truth {lo}-{hi}"
    assert tr.start_frame <= found[0].start_frame <= tr.end_frame
    assert tr.start_s < tr.end_s
    if kind == "fade":
        assert tr.through == "black"
    # and no hard cut inside it
    assert not [s for s in boundaries(standard_result.scenes) if s.transition_in.kind == "cut" and lo <= s.start_frame <= hi]


def test_scene_fields_are_consistent(standard, standard_result) -> None:  # type: ignore[no-untyped-def]
    _, truth = standard
    scenes = standard_result.scenes
    assert scenes[0].transition_in.kind == "start" and scenes[0].start_frame == 0 and scenes[0].start_s == 0.0
    assert scenes[-1].end_frame == truth.frames - 1
    assert scenes[-1].end_s == pytest.approx(truth.frames / truth.fps, abs=1e-3)
    for i, (a, b) in enumerate(zip(scenes, scenes[1:])):
        assert b.index == i + 1 and b.start_frame == a.end_frame + 1 and b.start_s == pytest.approx(a.end_s, abs=1e-3)
    for s in scenes:
        assert s.start_s == pytest.approx(s.start_frame / truth.fps, abs=1e-3)
        assert s.duration_s == pytest.approx(s.end_s - s.start_s, abs=2e-3)
        assert s.start_timecode.startswith("00:00:") and len(s.start_timecode) == 12
    summary = standard_result.summary
    assert summary.count == len(scenes) and summary.frames == truth.frames
    assert summary.cuts == len(truth.hard_cuts) and summary.fades == 1 and summary.dissolves == 1


def test_keyframes_inside_their_scene_and_not_blank(standard_result) -> None:  # type: ignore[no-untyped-def]
    assert standard_result.keyframes_written == len(standard_result.scenes)
    for s in standard_result.scenes:
        k = s.keyframe
        assert k is not None, f"scene {s.index} has no keyframe"
        assert s.start_frame <= k.frame <= s.end_frame and s.start_s <= k.time_s <= s.end_s
        img = jpeg(k.path)
        assert img.size == (k.width, k.height) == (320, 180)  # never wider than the picture itself
        grey = np.asarray(img.convert("L"), dtype=np.float32)
        assert 30 < grey.mean() < 220 and grey.std() > 10, f"scene {s.index}: keyframe looks blank ({grey.mean():.0f}, {grey.std():.0f})"


def test_min_scene_length_and_sensitivity_have_an_effect(standard, standard_result) -> None:  # type: ignore[no-untyped-def]
    path, truth = standard
    longer = analyze_video(path, SceneOptions(min_scene_s=1.0, write_keyframes=False))
    assert len(longer.scenes) < len(standard_result.scenes)
    assert all(s.duration_s >= 1.0 for s in longer.scenes), [s.duration_s for s in longer.scenes]
    strict = analyze_video(path, SceneOptions(sensitivity=0.0, write_keyframes=False))
    assert len(strict.scenes) < len(standard_result.scenes)
    lo, hi = DetectorParams.from_sensitivity(0.0, 0.4, 25), DetectorParams.from_sensitivity(1.0, 0.4, 25)
    assert lo.cut_floor > hi.cut_floor and lo.cut_ratio > hi.cut_ratio and lo.dissolve_max_residual < hi.dissolve_max_residual


@pytest.fixture(scope="module")
def coloured(tmp_path_factory: pytest.TempPathFactory) -> VideoAnalysis:
    path = tmp_path_factory.mktemp("colours") / "colours.mp4"
    write_clip(path, [
        Shot(25, seed=21, tint=(1.0, 0.12, 0.12), speed=(0.0, 0.0)),  # red, still
        Shot(25, seed=22, tint=(0.12, 0.25, 1.0), speed=(0.06, 0.01)),  # blue, fast pan
        Shot(25, seed=23, tint=(1.3, 1.3, 1.3), speed=(0.002, 0.0)),  # bright, slow
        Shot(25, seed=24, tint=(0.25, 0.25, 0.25), speed=(0.002, 0.0)),  # dark, slow
    ], width=192, height=108)
    return analyze_video(path, SceneOptions(write_keyframes=False))


def test_per_scene_colour_brightness_and_motion(coloured: VideoAnalysis) -> None:
    red, blue, bright, dark = coloured.scenes
    rgb = lambda hx: tuple(int(hx[i : i + 2], 16) for i in (1, 3, 5))  # noqa: E731
    r, g, b = rgb(red.dominant_colours[0].hex)
    assert r > 2 * g and r > 2 * b, f"red shot: {red.dominant_colours}"
    r, g, b = rgb(blue.dominant_colours[0].hex)
    assert b > 2 * r and b > g, f"blue shot: {blue.dominant_colours}"
    for s in coloured.scenes:
        assert 0.0 < sum(c.share for c in s.dominant_colours) <= 1.005  # rounded shares
    assert dark.mean_brightness < 0.4 * bright.mean_brightness
    assert red.motion in ("static", "low") and blue.motion in ("medium", "high")  # a dark blue pan: less luma change
    assert red.motion_score < bright.motion_score and red.motion_score < 0.5 * blue.motion_score
    assert red.keyframe is not None and red.keyframe.path is None  # chosen, not written


def test_progress_advances_with_decode(standard, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    # the rule: a report at most PROGRESS_EVERY_S of wall time after the previous one, while decoding
    assert pipeline.PROGRESS_EVERY_S <= 2.0
    monkeypatch.setattr(pipeline, "PROGRESS_EVERY_S", 0.0)  # report on every frame: no clock involved
    path, truth = standard
    calls: list[tuple[float, str]] = []
    result = analyze_video(path, SceneOptions(write_keyframes=False), progress=lambda f, m: calls.append((f, m)))
    fractions = [f for f, _ in calls]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0
    decoding = [f for f, m in calls if m.startswith("analysing frames")]
    assert len(decoding) == result.summary.frames_analysed  # one per decoded frame
    assert decoding[-1] == pytest.approx((truth.frames - 1) / truth.frames, abs=0.01)
    assert decoding[len(decoding) // 2] == pytest.approx(0.5, abs=0.1)  # fraction of duration, with decode


# -- real clips ----------------------------------------------------------------------------------
_shared_cache: dict[str, VideoAnalysis] = {}


def shared_result(media: Path, name: str, out: Path) -> VideoAnalysis:
    if name not in _shared_cache:
        _shared_cache[name] = analyze_video(media / name, SceneOptions(), keyframes_dir=out / name)
    return _shared_cache[name]


@pytest.fixture(scope="module")
def kf_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("shared_kf")


@pytest.mark.parametrize("name", SHARED_CLIPS)
def test_shared_clip_f1_and_no_cut_inside_fades(shared_media: Path, kf_root: Path, name: str) -> None:
    truth = json.loads((shared_media / "truth.json").read_text())[name]
    cuts = truth.get("hard_cuts_frames", [])
    gradual = list(truth.get("gradual_transitions", []))
    result = shared_result(shared_media, name, kf_root)
    tp, fp, fn = match(result.scenes, cuts, gradual)
    found = [(s.start_frame, s.transition_in.kind) for s in boundaries(result.scenes)]
    assert f1(tp, fp, fn) >= 0.95, f"{name}: F1 {f1(tp, fp, fn):.3f} (tp {tp} fp {fp} fn {fn}); found {found}"
    for g in truth.get("gradual_transitions", []):
        c, tol = g["center_frame"], g["tolerance_frames"]
        inside = [f for f, kind in found if kind == "cut" and abs(f - c) <= tol]
        assert not inside, f"{name}: hard cut(s) {inside} reported inside the fade near {c}"
    if "frames" in truth:
        assert result.frames == truth["frames"]


def test_vfr_times_come_from_timestamps(shared_media: Path, kf_root: Path) -> None:
    name = "goldeneye-vfr-drop3.mp4"
    truth = json.loads((shared_media / "truth.json").read_text())[name]
    result = shared_result(shared_media, name, kf_root)
    cuts = [s for s in boundaries(result.scenes) if s.transition_in.kind == "cut"]
    assert [s.start_frame for s in cuts] == truth["hard_cuts_frames"]
    frame_s = 1 / 23.976
    for s, t in zip(cuts, truth["hard_cuts_s"]):
        assert abs(s.start_s - t) <= frame_s, f"cut at {s.start_s} s, truth {t} s"
        # frame_number / nominal fps would be far off here (every third frame is missing)
        assert abs(s.start_frame / 23.976 - t) > 2 * frame_s
    assert result.duration_s == pytest.approx(truth["duration_s"], abs=0.1)


def test_keyframe_default_640_wide_and_configurable(shared_media: Path, kf_root: Path, tmp_path: Path) -> None:
    result = shared_result(shared_media, "testvideo.mp4", kf_root)  # 1280x720
    for s in result.scenes:
        assert s.keyframe is not None and jpeg(s.keyframe.path).size == (640, 360)
        assert s.start_frame <= s.keyframe.frame <= s.end_frame
    leaf = next(s for s in result.scenes if s.start_frame == 30)  # the still of a leaf: has content
    grey = np.asarray(jpeg(leaf.keyframe.path).convert("L"), dtype=np.float32)  # type: ignore[union-attr]
    assert grey.std() > 20
    small = analyze_video(shared_media / "issue-236-split-copy.mkv", SceneOptions(keyframe_width=200), keyframes_dir=tmp_path)
    for s in small.scenes:
        assert s.keyframe is not None and jpeg(s.keyframe.path).size == (200, 112)


def test_rotated_clip_keyframes_are_portrait(shared_media: Path, kf_root: Path) -> None:
    result = shared_result(shared_media, "issue-134-rotate.mp4", kf_root)
    assert result.rotation in (90, -90, 270)
    for s in result.scenes:
        assert s.keyframe is not None
        w, h = jpeg(s.keyframe.path).size
        assert (w, h) == (s.keyframe.width, s.keyframe.height) == (544, 1280)  # shown 544x1280: not wider than that


def test_anamorphic_keyframe_has_display_aspect(shared_media: Path, kf_root: Path) -> None:
    result = shared_result(shared_media, "issue-195-aspect-ratio.mp4", kf_root)  # 704x576, SAR 16:11
    w, h = jpeg(result.scenes[0].keyframe.path).size  # type: ignore[union-attr]
    assert w == 640 and w / h == pytest.approx(704 * 16 / 11 / 576, rel=0.02)


def test_delayed_start_times_are_relative_to_first_frame(shared_media: Path, kf_root: Path) -> None:
    result = shared_result(shared_media, "delayed_start.mp4", kf_root)
    assert result.start_time_s == pytest.approx(1.075, abs=0.002)
    assert result.scenes[0].start_s == 0.0 and result.scenes[-1].end_s == pytest.approx(24 / 25, abs=0.01)


# -- exports -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def standard_report(standard, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from video_json_ai.engine.extract import build_report
    from video_json_ai.models.report import VideoRef
    from video_json_ai.util.progress import CancelToken

    path, _ = standard
    video = VideoRef(video_id="vid_test", file_name=path.name, path=str(path), size_bytes=path.stat().st_size, sha256="0" * 64)
    return build_report(path, video, ["metadata", "scenes"], SceneOptions(), keyframes_dir=None,
                        progress=lambda f, m: None, cancel=CancelToken())


def test_exports_csv_edl_srt_vtt(standard_report) -> None:  # type: ignore[no-untyped-def]
    import csv
    import io

    from video_json_ai.errors import NotAvailable
    from video_json_ai.formats.scenes import render_scenes

    scenes = standard_report.scenes
    rows = list(csv.DictReader(io.StringIO(render_scenes(standard_report, "csv"))))
    assert [int(r["index"]) for r in rows] == [s.index for s in scenes]
    assert [float(r["start_s"]) for r in rows] == [pytest.approx(s.start_s, abs=1e-3) for s in scenes]
    assert [r["transition_in"] for r in rows] == [s.transition_in.kind for s in scenes]

    edl = render_scenes(standard_report, "edl").splitlines()
    assert edl[0] == "TITLE: STANDARD" and edl[1] == "FCM: NON-DROP FRAME"
    events = [line for line in edl if line[:3].isdigit()]
    assert len(events) == len(scenes)
    second = events[1].split()  # 002  AX  V  C  src-in src-out rec-in rec-out
    assert second[4] == f"00:00:{scenes[1].start_frame // 25:02d}:{scenes[1].start_frame % 25:02d}"
    assert second[6] == second[4]  # scenes laid end to end from 0: record in = source in

    srt = render_scenes(standard_report, "srt")
    assert srt.startswith("1\n00:00:00,000 --> ") and srt.count(" --> ") == len(scenes)
    vtt = render_scenes(standard_report, "vtt")
    assert vtt.startswith("WEBVTT\n") and vtt.count(" --> ") == len(scenes) and "00:00:01.600" in vtt  # 40/25 s

    with pytest.raises(NotAvailable):
        render_scenes(standard_report.model_copy(update={"scenes": None}), "csv")


def test_cli_extract_edl_and_keyframes_dir(standard, env: dict[str, str], media_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import shutil

    from tests.cli.test_cli import run_cli

    clip = media_dir / "standard.mp4"
    shutil.copyfile(standard[0], clip)
    shots = tmp_path / "shots"
    done = run_cli("extract", str(clip), "--format", "edl", "--keyframes-dir", str(shots), env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("TITLE: STANDARD")
    n_events = sum(1 for line in done.stdout.splitlines() if line[:3].isdigit())
    jpgs = sorted(shots.glob("*.jpg"))
    assert n_events == len(standard[1].shot_starts) and len(jpgs) == n_events
    assert all(p.read_bytes()[:2] == b"\xff\xd8" for p in jpgs)


def test_keyframe_candidates_stay_bounded_and_cover_long_scenes(tmp_path: Path) -> None:
    import av

    from video_json_ai.engine.scenes.keyframes import KeyframePicker

    picker = KeyframePicker(tmp_path, size=(64, 36), rotation=0)
    rng = np.random.default_rng(0)
    held = []
    for i in range(0, 5000, 5):  # 200 s at 25 fps, one scene, sampled every 0.25 s at most
        t = i / 25
        if picker.wants(t):
            img = rng.integers(0, 255, (36, 64, 3), dtype=np.uint8)
            picker.offer(i, t, av.VideoFrame.from_ndarray(img, format="rgb24"), img[::6, ::6, 0].astype(np.float32))
            held.append(len(picker._cands))
    assert max(held) <= picker.cap
    times = [c.time_s for c in picker._cands]
    assert times[0] == 0.0 and times[-1] > 199  # spread over the whole scene
    assert max(np.diff(times[: -picker.recent])) < 200 / (picker.cap - picker.recent) * 2.5
    key = picker.close(0, 0, 4999, [])
    assert key is not None and key.path and Path(key.path).is_file() and picker._cands == []


def _synthetic_luma(frames: int, cut: int, fade_out: int, seed: int = 7) -> list[np.ndarray]:
    """96x54 luma pictures: textured moving shots, a cut at ``cut``, a fade to black from
    ``fade_out`` whose black stretch holds one grey frame (two blank runs), a fade back in."""
    rng = np.random.default_rng(seed)
    textures = [rng.uniform(40, 215, (54, 160)) for _ in range(3)]
    blank0, blank1 = fade_out + 10, fade_out + 21
    out = []
    for i in range(frames):
        shot = 0 if i < cut else 1 if i < blank0 else 2
        picture = np.roll(textures[shot], i // 2, axis=1)[:, :96]
        if fade_out <= i < blank0:
            picture = picture * (1 - (i - fade_out + 1) / 10)
        elif blank0 <= i < blank1:
            picture = np.full((54, 96), 30.0 if i == blank0 + 5 else 4.0)
        elif blank1 <= i < blank1 + 10:
            picture = picture * ((i - blank1 + 1) / 10)
        out.append(np.clip(picture, 0, 255).astype(np.uint8))
    return out


@pytest.mark.parametrize("offset", range(0, 64, 8))
def test_a_cut_shortly_before_a_broken_fade_is_kept(offset: int) -> None:
    # The fade's black is split in two runs by a grey frame; the second run holds the decision
    # window back. A fade decided past that window used to hide the cut decided next.
    from video_json_ai.engine.scenes.default import DefaultShotDetector

    cut, fade_out = 100 + offset, 140 + offset
    det = DefaultShotDetector(DetectorParams.from_sensitivity(0.5, 0.4, 30.0))
    found = []
    for i, luma in enumerate(_synthetic_luma(fade_out + 120, cut, fade_out)):
        det.push(i, i / 30, luma)
        found += det.pop_settled()
    found += det.finish()
    assert [(b.frame, b.kind) for b in found if b.kind == "cut"] == [(cut, "cut")], found
    assert [b.kind for b in found] == ["cut", "fade"], found
