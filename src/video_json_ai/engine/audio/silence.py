"""Silences: spans where every channel's 10 ms RMS level stays under a threshold."""

from __future__ import annotations

import numpy as np

from video_json_ai.engine.audio.loudness import RATE
from video_json_ai.engine.audio.spans import SpanTracker

LEVEL_WINDOW = RATE // 100  # 10 ms, for silence


class SilenceDetector:
    """Spans where every channel's 10 ms RMS level stays under the threshold."""

    def __init__(self, threshold_db: float, min_s: float) -> None:
        self.threshold = 10 ** (threshold_db / 20)
        self.tracker = SpanTracker(min_s)
        self.pending: np.ndarray | None = None
        self.samples = 0
        self._last = False

    def push(self, x: np.ndarray) -> None:
        if self.pending is not None and self.pending.shape[1]:
            x = np.concatenate([self.pending, x], axis=1)
        whole = x.shape[1] // LEVEL_WINDOW * LEVEL_WINDOW
        self.pending = x[:, whole:]
        if not whole:
            return
        rms = np.sqrt((x[:, :whole].reshape(x.shape[0], -1, LEVEL_WINDOW) ** 2).mean(axis=2)).max(axis=0)
        silent = rms < self.threshold
        # only the changes matter: walk the edges, not every window
        edges = np.flatnonzero(np.diff(np.concatenate([[self._last], silent]).astype(np.int8)))
        for i in edges:
            self.tracker.step((self.samples + i * LEVEL_WINDOW) / RATE, bool(silent[i]))
        self._last = bool(silent[-1])
        self.samples += whole

    def finish(self) -> list[tuple[float, float]]:
        end = (self.samples + (self.pending.shape[1] if self.pending is not None else 0)) / RATE
        return self.tracker.finish(end)
