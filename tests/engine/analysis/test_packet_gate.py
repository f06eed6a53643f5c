"""Leaving H.264 non-reference frames undecoded where no boundary can be (engine/packet_gate.py)."""

from __future__ import annotations

from pathlib import Path

import av
import pytest

from tests.support.clips_scenes import ClipTruth, standard_shots, write_clip
from video_json_ai.engine.analysis import packet_gate
from video_json_ai.engine.analysis.packet_gate import FrameNumbers, PacketGate, is_unreferenced, nal_format
from video_json_ai.engine.analysis.pipeline import VideoAnalysis, analyze_video
from video_json_ai.models.scenes import SceneOptions


def frame_kinds(path: Path) -> dict[int, str]:
    """Display-order frame number -> 'key', 'ref' or 'nonref' (our reading of each packet)."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        fmt = nal_format(stream)
        assert fmt
        rows = [(p.pts, "key" if p.is_keyframe else "nonref" if is_unreferenced(memoryview(p), fmt) else "ref")
                for p in container.demux(stream) if p.size]
    return {n: kind for n, (_, kind) in enumerate(sorted(rows))}


def boundaries(result: VideoAnalysis) -> list[tuple[int, str, int, int]]:
    return [(s.start_frame, s.transition_in.kind, s.transition_in.start_frame, s.transition_in.end_frame)
            for s in result.scenes[1:]]


@pytest.fixture(scope="module", params=["libx264", "libx265"])
def no_scenecut(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ClipTruth]:
    """The standard clip (H.264 or HEVC) encoded without the encoder's own I-frames at cuts: cuts
    fall beside B-frames."""
    path = tmp_path_factory.mktemp("gate") / f"no_scenecut_{request.param}.mp4"
    return path, write_clip(path, standard_shots(), codec=request.param, codec_params="scenecut=0")


def test_unreferenced_packets_are_what_ffmpeg_skips(shared_media: Path, no_scenecut: tuple[Path, ClipTruth]) -> None:
    # FFmpeg's own skip_frame=nonref decodes exactly the packets we do not call unreferenced
    for path in (shared_media / "testvideo.mp4", no_scenecut[0]):
        kinds = frame_kinds(path)
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            stream.codec_context.skip_frame = "NONREF"
            decoded = sum(1 for _ in container.decode(stream))
        unreferenced = sum(k == "nonref" for k in kinds.values())
        assert 0.25 * len(kinds) < unreferenced < 0.75 * len(kinds), path.name
        assert decoded == len(kinds) - unreferenced, path.name


def test_cuts_beside_skippable_frames_stay_frame_exact(no_scenecut: tuple[Path, ClipTruth], tmp_path: Path) -> None:
    path, truth = no_scenecut
    kinds = frame_kinds(path)
    beside = [c for c in truth.hard_cuts if "nonref" in (kinds[c - 1], kinds[c])]
    assert len(beside) >= 3, "the clip must put cuts next to non-reference frames, or this test proves nothing"
    gated = analyze_video(path, SceneOptions(write_keyframes=False))
    full = analyze_video(path, SceneOptions(write_keyframes=False, every_frame=True))
    assert gated.summary.frames == full.summary.frames == truth.frames
    assert full.summary.frames_analysed == truth.frames
    assert gated.summary.frames_analysed < 0.8 * truth.frames  # calm stretches were skipped
    cuts = [b[0] for b in boundaries(gated) if b[1] == "cut"]
    assert cuts == truth.hard_cuts  # every cut exact, no false cut (the fast pan and flashes included)
    assert [b[1] for b in boundaries(gated)] == [b[1] for b in boundaries(full)]
    for g, f in zip(boundaries(gated), boundaries(full)):  # a fade or dissolve is placed within 3 frames
        assert abs(g[0] - f[0]) <= 3 and abs(g[2] - f[2]) <= 3 and abs(g[3] - f[3]) <= 3, (g, f)
    for scene in gated.scenes:  # the skipped frames belong to their scenes: no holes
        assert scene.start_frame == (gated.scenes[scene.index - 1].end_frame + 1 if scene.index else 0)
    assert gated.scenes[-1].end_frame == truth.frames - 1
    assert gated.duration_s == full.duration_s
    for a, b in zip(gated.scenes, full.scenes):
        assert a.start_s == pytest.approx(b.start_s, abs=3 / truth.fps) and a.end_s == pytest.approx(b.end_s, abs=3 / truth.fps)
        if a.transition_in.kind == "cut":
            assert a.start_s == b.start_s
        assert a.mean_brightness == pytest.approx(b.mean_brightness, abs=0.02)
        assert a.motion == b.motion or abs(a.motion_score - b.motion_score) < 0.25


def test_only_keyframes_busy_would_miss_exactness(no_scenecut: tuple[Path, ClipTruth], monkeypatch: pytest.MonkeyPatch) -> None:
    # the busy-anchor rule is what keeps those cuts exact: with it off, some cut moves or is lost
    path, truth = no_scenecut
    monkeypatch.setattr(packet_gate, "BUSY_RATIO", 1e9)
    monkeypatch.setattr(packet_gate, "KEY_SHARE", 1e9)
    result = analyze_video(path, SceneOptions(write_keyframes=False))
    cuts = [b[0] for b in boundaries(result) if b[1] == "cut"]
    assert cuts != truth.hard_cuts


def test_other_codecs_are_decoded_in_full(shared_media: Path) -> None:
    with av.open(str(shared_media / "fades.mp4")) as container:  # MPEG-4 part 2
        assert PacketGate.for_stream(container.streams.video[0]) is None
    result = analyze_video(shared_media / "fades.mp4", SceneOptions(write_keyframes=False))
    assert result.summary.frames_analysed == result.summary.frames == 250


def test_frame_numbers_count_the_skipped_frames() -> None:
    numbers = FrameNumbers()
    for pts in (3, 1, 7):  # skipped, in decode order
        numbers.skip(pts)
    # decoded frames come out in display order: 0, 2, 4, 5, 6, 8
    got = [numbers.number(pts, k) for k, pts in enumerate((0, 2, 4, 5, 6, 8))]
    assert got == [0, 2, 4, 5, 6, 8]
    assert numbers.trailing() == []
    tail = FrameNumbers()
    tail.skip(9)
    assert tail.number(8, 8) == 8 and tail.trailing() == [9]


def test_a_decode_timestamp_going_back_turns_the_gate_off(shared_media: Path) -> None:
    # e.g. two recordings joined without rewriting timestamps: frame order can no longer be trusted
    with av.open(str(shared_media / "testvideo.mp4")) as container:
        stream = container.streams.video[0]
        packets = [p for p in container.demux(stream) if p.size]
        gate = PacketGate.for_stream(stream)
        assert gate is not None
        first = [gate.admit(p) for p in packets]
        again = [gate.admit(p) for p in packets]
    assert first.count(False) > 100  # calm stretches skipped the first time
    assert all(again) and not gate.enabled
