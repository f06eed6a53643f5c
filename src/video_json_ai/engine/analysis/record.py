"""The frame record: per analysed frame, the numbers the per-scene facts need."""

from __future__ import annotations

import bisect

import numpy as np

from video_json_ai.engine.analysis.frames import DecodedFrame
from video_json_ai.engine.scenes.detector import Boundary


class FrameRecord:
    """A FrameAnalyzer. Per analysed frame: its frame number, time, mean luma and mean |luma
    change| per frame since the previous analysed frame, for the per-scene facts (kept here, not
    read from a detector's internals, so any ShotDetector fits). Position k is the k-th analysed
    frame, as the detector counts; ``frames[k]`` is its number in the full video."""

    def __init__(self) -> None:
        self.frames: list[int] = []
        self.times: list[float] = []
        self.mean: list[float] = []
        self.change: list[float] = []
        self._prev: np.ndarray | None = None

    def on_frame(self, frame: DecodedFrame) -> None:
        self.add(frame.index, frame.time_s, frame.luma, frame.skipped_before)

    def finish(self) -> None:
        pass

    def add(self, frame: int, time_s: float, luma: np.ndarray, skipped_before: int = 0) -> None:
        """Record the next analysed frame, ``skipped_before`` frames after the previous one."""
        y = luma.astype(np.int16)
        self.frames.append(frame)
        self.times.append(time_s)
        self.mean.append(float(y.mean()))
        self.change.append(float(np.abs(y - self._prev).mean()) / (1 + skipped_before) if self._prev is not None else 0.0)
        self._prev = y

    def scene_means(self, lo: int, hi: int) -> tuple[float, float]:
        """Mean luma and motion score of the analysed frames lo..hi-1, per frame of the video: the
        brightness of skipped frames is interpolated, and each change counts for the frames it spans."""
        frames = np.asarray(self.frames[lo:hi])
        mean = np.asarray(self.mean[lo:hi])
        if len(frames) > 1 and frames[-1] - frames[0] + 1 > len(frames):
            mean = np.interp(np.arange(frames[0], frames[-1] + 1), frames, mean)
        if hi - lo < 2:
            return float(mean.mean()), 0.0
        gaps = np.diff(frames)
        change = np.asarray(self.change[lo + 1 : hi])
        return float(mean.mean()), float((change * gaps).sum() / gaps.sum()) / 2.55

    def position(self, frame: int) -> int:
        """Position of the first analysed frame at or after frame number ``frame``."""
        return bisect.bisect_left(self.frames, frame)

    def in_frames(self, b: Boundary) -> Boundary:
        """A boundary found in analysed-frame positions, in frame numbers of the full video."""
        f = self.frames
        return Boundary(f[b.frame], b.kind, (f[b.span[0]], f[b.span[1]]), b.through, b.strength)
