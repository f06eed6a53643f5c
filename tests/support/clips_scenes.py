"""Clips with known shot boundaries, written with PyAV (used by the scene tests and the benchmark).

Every shot is a textured picture (smooth colour blobs + fine detail) seen through a moving window,
so consecutive frames differ the way real footage does. Events: hard cuts, fades through black or
white, dissolves, flashes (1-2 very bright frames), fast pans, slow lighting changes and film grain.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Literal

import av
import numpy as np


@dataclass
class Shot:
    frames: int
    seed: int
    speed: tuple[float, float] = (0.004, 0.002)
    """Window motion per frame, as a fraction of the frame width (x) and height (y)."""
    enter: Literal["cut", "fade", "fade_white", "dissolve"] = "cut"
    """How this shot begins (ignored for the first shot)."""
    transition_frames: int = 0
    """Length of the fade/dissolve into this shot (a fade: half out, half in)."""
    flashes: tuple[int, ...] = ()
    """Frame offsets inside the shot where a 2-frame flash starts."""
    light_ramp: float = 0.0
    """Slow lighting change over the shot: brightness goes from 1 to 1 + light_ramp."""
    tint: tuple[float, float, float] | None = None
    """Multiplies the R, G, B channels of the shot's texture (e.g. (1, 0.15, 0.15) for a red shot)."""


@dataclass
class ClipTruth:
    frames: int
    fps: int
    hard_cuts: list[int] = field(default_factory=list)
    gradual: list[tuple[int, int, str]] = field(default_factory=list)
    """(first frame, last frame, kind) of each fade/dissolve."""
    flashes: list[int] = field(default_factory=list)
    shot_starts: list[int] = field(default_factory=list)


def _upscale(small: np.ndarray, width: int, height: int) -> np.ndarray:
    frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(small), format="rgb24")
    return frame.reformat(width=width, height=height, interpolation="BICUBIC").to_ndarray()


def _texture(seed: int, width: int, height: int) -> np.ndarray:
    """A colour picture with large blobs and fine detail, 3x the frame size (room to pan)."""
    rng = np.random.default_rng(seed)
    tw, th = width * 3, height * 3
    coarse = rng.integers(0, 256, (max(th // 48, 4), max(tw // 48, 4), 3), dtype=np.uint8)
    tint = rng.uniform(0.45, 1.0, 3)
    base = _upscale(coarse, tw, th).astype(np.float32) * tint
    mid = rng.integers(0, 256, (max(th // 14, 8), max(tw // 14, 8), 3), dtype=np.uint8)
    fine = rng.integers(0, 256, (max(th // 5, 8), max(tw // 5, 8), 1), dtype=np.uint8).repeat(3, axis=2)
    detail = _upscale(mid, tw, th).astype(np.float32) * 0.35 + _upscale(fine, tw, th).astype(np.float32) * 0.12
    return np.clip(base * 0.7 + detail - 10, 0, 255).astype(np.uint8)


def _bounce(pos: float, limit: int) -> int:
    """A position that moves back and forth inside 0..limit (no jumps)."""
    period = 2 * limit
    p = pos % period
    return int(round(p if p <= limit else period - p))


class _ShotRenderer:
    def __init__(self, shot: Shot, width: int, height: int) -> None:
        self.shot, self.width, self.height = shot, width, height
        self.tex = _texture(shot.seed, width, height)
        if shot.tint is not None:
            self.tex = np.clip(self.tex.astype(np.float32) * np.array(shot.tint, np.float32), 0, 255).astype(np.uint8)
        th, tw = self.tex.shape[:2]
        rng = np.random.default_rng(shot.seed + 1)
        self.x0 = float(rng.uniform(0, tw - width))
        self.y0 = float(rng.uniform(0, th - height))

    def frame(self, t: int) -> np.ndarray:
        th, tw = self.tex.shape[:2]
        x = _bounce(self.x0 + t * self.shot.speed[0] * self.width, tw - self.width)
        y = _bounce(self.y0 + t * self.shot.speed[1] * self.width, th - self.height)
        img = self.tex[y : y + self.height, x : x + self.width]
        if self.shot.light_ramp:
            gain = 1.0 + self.shot.light_ramp * t / max(self.shot.frames - 1, 1)
            img = np.clip(img.astype(np.float32) * gain, 0, 255).astype(np.uint8)
        return img


def render_frames(shots: list[Shot], width: int, height: int, grain: float = 0.0):  # type: ignore[no-untyped-def]
    """Yield (index, rgb frame) for the whole clip; the truth is ``clip_truth(shots)``."""
    cache: dict[int, _ShotRenderer] = {}

    class _Lazy:  # shot renderers are made when first needed and dropped two shots later
        def __getitem__(self, k: int) -> _ShotRenderer:
            if k not in cache:
                cache[k] = _ShotRenderer(shots[k], width, height)
                for old in [j for j in cache if j < k - 1]:
                    del cache[old]
            return cache[k]

    renderers = _Lazy()
    rng = np.random.default_rng(7)
    noise = [rng.normal(0, grain, (height, width, 1)).astype(np.float32) for _ in range(6)] if grain else []
    index = 0
    for k, shot in enumerate(shots):
        nxt = shots[k + 1] if k + 1 < len(shots) else None
        tail = nxt.transition_frames if nxt and nxt.enter != "cut" else 0
        head = shot.transition_frames if k and shot.enter != "cut" else 0
        for t in range(shot.frames):
            img = renderers[k].frame(t).astype(np.float32)
            if nxt and nxt.enter == "dissolve" and t >= shot.frames - tail // 2:
                # first half of the dissolve: mix in the next shot
                pos = t - (shot.frames - tail // 2)
                alpha = (pos + 1) / (tail + 1)
                img = (1 - alpha) * img + alpha * renderers[k + 1].frame(-(tail // 2) + pos).astype(np.float32)
            elif nxt and nxt.enter in ("fade", "fade_white") and t >= shot.frames - tail // 2:
                pos = t - (shot.frames - tail // 2)
                alpha = (pos + 1) / (tail // 2)
                target = 0.0 if nxt.enter == "fade" else 255.0
                img = (1 - alpha) * img + alpha * target
            if head and t < head - head // 2:
                if shot.enter == "dissolve":
                    pos = t + head // 2
                    alpha = (pos + 1) / (head + 1)
                    prev = renderers[k - 1].frame(shots[k - 1].frames + t).astype(np.float32)
                    img = alpha * img + (1 - alpha) * prev
                else:
                    n_in = head - head // 2
                    alpha = t / n_in
                    target = 0.0 if shot.enter == "fade" else 255.0
                    img = alpha * img + (1 - alpha) * target
            for f in shot.flashes:
                if f <= t < f + 2:
                    img = img * 0.25 + 235.0
            if noise:
                img = img + noise[index % len(noise)]
            yield index, np.clip(img, 0, 255).astype(np.uint8)
            index += 1


def clip_truth(shots: list[Shot], fps: int) -> ClipTruth:
    truth = ClipTruth(frames=sum(s.frames for s in shots), fps=fps)
    start = 0
    for k, shot in enumerate(shots):
        truth.shot_starts.append(start)
        if k:
            if shot.enter == "cut" or not shot.transition_frames:
                truth.hard_cuts.append(start)
            else:
                half = shot.transition_frames // 2
                kind = "dissolve" if shot.enter == "dissolve" else "fade"
                truth.gradual.append((start - half, start + shot.transition_frames - half - 1, kind))
        truth.flashes.extend(start + f for f in shot.flashes)
        start += shot.frames
    return truth


def write_clip(
    path: Path,
    shots: list[Shot],
    *,
    width: int = 320,
    height: int = 180,
    fps: int = 25,
    grain: float = 0.0,
    crf: int = 23,
    preset: str = "veryfast",
    codec: str = "libx264",
    codec_params: str | None = None,
) -> ClipTruth:
    """Encode the shots as H.264 (or ``codec="libx265"``: HEVC), atomically, and return the truth.
    ``codec_params``: extra x264/x265 settings, e.g. ``scenecut=0`` (no I-frame placed at cuts by the
    encoder)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix or ".mp4", dir=path.parent)
    os.close(fd)
    try:
        with av.open(tmp, "w", format="mp4") as out:
            v = out.add_stream(codec, rate=fps)
            v.width, v.height, v.pix_fmt = width, height, "yuv420p"
            v.options = {"preset": preset, "crf": str(crf)}
            if codec == "libx265":
                v.options = {**v.options, "x265-params": ":".join(filter(None, ["log-level=error", codec_params]))}
            elif codec_params:
                v.options = {**v.options, "x264-params": codec_params}
            for i, img in render_frames(shots, width, height, grain):
                frame = av.VideoFrame.from_ndarray(img, format="rgb24")
                frame.pts = i
                frame.time_base = Fraction(1, fps)
                for packet in v.encode(frame):
                    out.mux(packet)
            for packet in v.encode(None):
                out.mux(packet)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return clip_truth(shots, fps)


def standard_shots() -> list[Shot]:
    """The test clip (25 fps): cuts, a fast pan, flashes, slow lighting changes, a fade, a dissolve."""
    return [
        Shot(40, seed=1),
        Shot(45, seed=2, speed=(0.07, 0.01)),  # fast pan: a hard negative
        Shot(40, seed=3, flashes=(18,)),  # flash: a hard negative
        Shot(50, seed=4, light_ramp=0.6, speed=(0.001, 0.0)),  # slow lighting change
        Shot(45, seed=5, enter="fade", transition_frames=16),
        Shot(30, seed=6),
        Shot(45, seed=7, enter="dissolve", transition_frames=14),
        Shot(12, seed=8, speed=(0.02, 0.02)),  # a short shot
        Shot(35, seed=9),
        Shot(50, seed=10, light_ramp=0.8, flashes=(40,)),  # a flash at the end of a brightening: no fade
    ]
