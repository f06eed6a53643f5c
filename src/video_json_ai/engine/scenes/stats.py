"""Per-scene facts: mean brightness, dominant colours, motion level.

Brightness and motion come from the detector's per-frame numbers (every frame). Colours come
from tiny RGB pictures (FFmpeg-scaled) sampled a few times a second; samples are released when
their scene closes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import av
import numpy as np
from av.video.reformatter import VideoReformatter

from video_json_ai.models.scenes import ColourShare

if TYPE_CHECKING:
    from video_json_ai.engine.analysis.frames import DecodedFrame

MOTION_LEVELS: tuple[tuple[float, str], ...] = ((0.3, "static"), (1.5, "low"), (5.0, "medium"))
"""Upper bounds of motion_score (mean |luma change| per frame, % of full scale) per level."""


def motion_level(score: float) -> str:
    for bound, name in MOTION_LEVELS:
        if score < bound:
            return name
    return "high"


class ColourSampler:
    """A FrameAnalyzer that keeps a tiny RGB picture every ``interval_s``; ``close`` gives a
    scene's dominant colours and forgets its samples."""

    def __init__(self, interval_s: float = 0.5, size: tuple[int, int] = (32, 18)) -> None:
        self.interval_s = interval_s
        self.size = size
        self._last_t: float | None = None
        self._samples: list[tuple[int, np.ndarray]] = []
        self._scaler = VideoReformatter()

    def on_frame(self, frame: DecodedFrame) -> None:
        self.maybe_sample(frame.index, frame.time_s, frame.av_frame)

    def finish(self) -> None:
        pass  # scenes are closed by ``close``

    def maybe_sample(self, index: int, time_s: float, av_frame: av.VideoFrame) -> None:
        if self._last_t is not None and time_s - self._last_t < self.interval_s:
            return
        self._last_t = time_s
        rgb = self._scaler.reformat(av_frame, width=self.size[0], height=self.size[1], format="rgb24",
                                    interpolation="AREA").to_ndarray()
        self._samples.append((index, rgb.reshape(-1, 3)))

    def close(self, first: int, last: int, top: int = 5) -> list[ColourShare]:
        mine = [px for i, px in self._samples if first <= i <= last]
        self._samples = [(i, px) for i, px in self._samples if i > last]
        if not mine:
            return []
        return dominant_colours(np.concatenate(mine), top)


def dominant_colours(pixels: np.ndarray, top: int = 5, min_share: float = 0.03, max_pixels: int = 4096) -> list[ColourShare]:
    """The main colours of ``pixels`` (N x 3 RGB): a small k-means seeded with the most common
    coarse colour bins, so textured pictures (colours spread over many bins) still get their
    main colours. Each colour is its cluster's mean, with the share of pixels nearest to it."""
    px = pixels.reshape(-1, 3).astype(np.float32)
    if len(px) == 0:
        return []
    if len(px) > max_pixels:
        px = px[np.linspace(0, len(px) - 1, max_pixels).astype(np.int64)]
    q = px.astype(np.int64) >> 5
    bins = q[:, 0] * 64 + q[:, 1] * 8 + q[:, 2]
    counts = np.bincount(bins, minlength=512)
    seeds = [b for b in np.argsort(-counts)[:top] if counts[b] > 0]
    centres = np.stack([px[bins == b].mean(axis=0) for b in seeds])
    for _ in range(8):
        dist = ((px[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
        label = dist.argmin(axis=1)
        for k in range(len(centres)):
            members = px[label == k]
            if len(members):
                centres[k] = members.mean(axis=0)
    shares = np.bincount(label, minlength=len(centres)) / len(px)
    out: list[ColourShare] = []
    for k in np.argsort(-shares):
        if shares[k] < min_share and out:
            break
        hexcode = "#" + "".join(f"{int(round(float(v))):02x}" for v in np.clip(centres[k], 0, 255))
        out.append(ColourShare(hex=hexcode, share=round(float(shares[k]), 3)))
    return out
