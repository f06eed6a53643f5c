"""Per-scene facts: mean brightness, dominant colours, motion level.

Brightness and motion come from the detector's per-frame numbers (every frame). Colours come
from tiny RGB pictures (FFmpeg-scaled) sampled a few times a second; samples are released when
their scene closes.
"""

from __future__ import annotations

import av
import numpy as np

from video_json_ai.models.scenes import ColourShare

MOTION_LEVELS: tuple[tuple[float, str], ...] = ((0.3, "static"), (1.5, "low"), (5.0, "medium"))
"""Upper bounds of motion_score (mean |luma change| per frame, % of full scale) per level."""


def motion_level(score: float) -> str:
    for bound, name in MOTION_LEVELS:
        if score < bound:
            return name
    return "high"


class ColourSampler:
    def __init__(self, interval_s: float = 0.5, size: tuple[int, int] = (32, 18)) -> None:
        self.interval_s = interval_s
        self.size = size
        self._last_t: float | None = None
        self._samples: list[tuple[int, np.ndarray]] = []

    def maybe_sample(self, index: int, time_s: float, av_frame: av.VideoFrame) -> None:
        if self._last_t is not None and time_s - self._last_t < self.interval_s:
            return
        self._last_t = time_s
        rgb = av_frame.reformat(width=self.size[0], height=self.size[1], format="rgb24",
                                interpolation="AREA").to_ndarray()
        self._samples.append((index, rgb.reshape(-1, 3)))

    def force_next(self) -> None:
        self._last_t = None

    def close(self, first: int, last: int, top: int = 5) -> list[ColourShare]:
        mine = [px for i, px in self._samples if first <= i <= last]
        self._samples = [(i, px) for i, px in self._samples if i > last]
        if not mine:
            return []
        return dominant_colours(np.concatenate(mine), top)


def dominant_colours(pixels: np.ndarray, top: int = 5, min_share: float = 0.03) -> list[ColourShare]:
    """The most common colours (3 bits per channel bins), each as the mean colour of its bin."""
    px = pixels.astype(np.int64)
    bins = (px[:, 0] >> 5) * 64 + (px[:, 1] >> 5) * 8 + (px[:, 2] >> 5)
    counts = np.bincount(bins, minlength=512)
    total = counts.sum()
    out: list[ColourShare] = []
    for b in np.argsort(-counts)[:top]:
        share = counts[b] / total
        if share < min_share:
            break
        mean = px[bins == b].mean(axis=0)
        hexcode = "#" + "".join(f"{int(round(v)):02x}" for v in mean)
        out.append(ColourShare(hex=hexcode, share=round(float(share), 3)))
    return out
