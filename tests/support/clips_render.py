"""Clips for the render tests: flashes with clicks at the same instants, and how to find them again."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np

RATE = 48000
SYNC_S = 0.040
"""A flash and its click may drift apart at most this much (the issue's bar)."""


def make_flash_clip(
    path: Path,
    *,
    flashes_s: tuple[float, ...] = (0.6, 1.4, 2.2),
    seconds: float = 3.0,
    width: int = 320,
    height: int = 180,
    fps: int = 25,
    audio: bool = True,
    rotation: int | None = None,
    tint: int = 60,
) -> Path:
    """Dark moving picture with one white frame at each flash time, and a 10 ms click at the same instant.

    The click starts on the flash frame's first sample. ``tint`` sets the grey level of the dark frames.
    """
    flash_frames = {int(round(t * fps)) for t in flashes_s if t < seconds}
    with av.open(str(path), "w") as out:
        v = out.add_stream("libx264", rate=fps)
        v.width, v.height, v.pix_fmt = width, height, "yuv420p"
        v.options = {"preset": "ultrafast", "crf": "23"}
        if rotation is not None:
            v.set_display_rotation(rotation)
        a = None
        if audio:
            a = out.add_stream("aac", rate=RATE)
            a.layout = "mono"
        n = int(round(seconds * fps))
        yy, xx = np.mgrid[0:height, 0:width]
        for i in range(n):
            if i in flash_frames:
                img = np.full((height, width, 3), 255, np.uint8)
            else:
                img = np.full((height, width, 3), tint, np.uint8)
                img[..., 1] = (tint + ((xx + 4 * i) % 40)).astype(np.uint8)  # a little motion
                img[: height // 4, : width // 4, 0] = 200  # a red corner: shows orientation
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, fps)
            out.mux(v.encode(frame))
        out.mux(v.encode(None))
        if a is not None:
            total = int(seconds * RATE)
            sig = np.zeros(total, np.float32)
            rng = np.random.default_rng(1)
            for f in sorted(flash_frames):
                s0 = int(round(f / fps * RATE))
                sig[s0 : s0 + 480] = 0.8 * np.sign(rng.standard_normal(min(480, total - s0)))
            for start in range(0, total, 1024):
                chunk = sig[None, start : start + 1024]
                af = av.AudioFrame.from_ndarray(np.ascontiguousarray(chunk), format="fltp", layout="mono")
                af.sample_rate, af.pts, af.time_base = RATE, start, Fraction(1, RATE)
                out.mux(a.encode(af))
            out.mux(a.encode(None))
    return path


def flash_times(path: Path) -> list[float]:
    """Start times (s) of bright frames in the first video stream of ``path``."""
    times, bright_before = [], False
    with av.open(str(path)) as c:
        stream = c.streams.video[0]
        for frame in c.decode(stream):
            luma = frame.to_ndarray(format="gray")
            bright = float(luma.mean()) > 170
            if bright and not bright_before:
                times.append(float(frame.pts * frame.time_base))
            bright_before = bright
    return times


def click_times(path: Path) -> list[float]:
    """Onset times (s) of clicks in the first audio stream (mixed to mono)."""
    chunks = []
    first_t = None
    with av.open(str(path)) as c:
        stream = c.streams.audio[0]
        resampler = av.AudioResampler(format="fltp", layout="mono", rate=RATE)
        for frame in c.decode(stream):
            if first_t is None:
                first_t = float(frame.pts * frame.time_base) if frame.pts is not None else 0.0
            for out in resampler.resample(frame):
                chunks.append(out.to_ndarray()[0])
    if not chunks:
        return []
    sig = np.abs(np.concatenate(chunks))
    loud = sig > 0.3
    onsets, last = [], -RATE
    for idx in np.flatnonzero(loud):
        if idx - last > RATE // 10:
            onsets.append((first_t or 0.0) + idx / RATE)
        last = idx
    return onsets


def frames_luma(path: Path, count: int | None = None) -> list[np.ndarray]:
    """Luma planes of the first ``count`` frames (all when None)."""
    out = []
    with av.open(str(path)) as c:
        for frame in c.decode(c.streams.video[0]):
            out.append(frame.to_ndarray(format="gray").astype(np.float32))
            if count is not None and len(out) >= count:
                break
    return out


def assert_in_sync(path: Path, expected_flashes: list[float]) -> None:
    """The flashes are where expected (within SYNC_S) and each click is heard with its flash."""
    flashes, clicks = flash_times(path), click_times(path)
    assert len(flashes) == len(expected_flashes), (flashes, expected_flashes)
    for want, got in zip(expected_flashes, flashes):
        assert abs(got - want) <= SYNC_S, (flashes, expected_flashes)
    assert len(clicks) == len(flashes), (flashes, clicks)
    for f, c in zip(flashes, clicks):
        assert abs(f - c) <= SYNC_S, f"flash at {f:.3f} s, click at {c:.3f} s"


def sync_offsets(path: Path) -> list[float]:
    """Click time minus flash time (s) for each flash, for reports."""
    return [round(c - f, 4) for f, c in zip(flash_times(path), click_times(path))]
