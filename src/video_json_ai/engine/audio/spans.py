"""Spans of time from on/off steps, and the time between spans."""

from __future__ import annotations


class SpanTracker:
    """Turns a stream of (time, on/off) steps into spans at least ``min_s`` long."""

    def __init__(self, min_s: float, join_gap_s: float = 0.0) -> None:
        self.min_s = min_s
        self.join_gap_s = join_gap_s
        self.spans: list[tuple[float, float]] = []
        self._start: float | None = None

    def step(self, t: float, on: bool) -> None:
        if on and self._start is None:
            self._start = t
        elif not on and self._start is not None:
            self._close(t)

    def _close(self, end: float) -> None:
        start, self._start = self._start, None
        assert start is not None
        self.add(start, end)

    def add(self, start: float, end: float) -> None:
        if self.spans and start - self.spans[-1][1] < self.join_gap_s:
            start = self.spans.pop()[0]
        self.spans.append((start, end))

    def finish(self, t: float) -> list[tuple[float, float]]:
        if self._start is not None:
            self._close(t)
        return [s for s in self.spans if s[1] - s[0] >= self.min_s]


def complement(spans: list[tuple[float, float]], start: float, end: float, min_s: float) -> list[tuple[float, float]]:
    """The gaps of at least ``min_s`` between ``spans`` (any order) within start..end."""
    out, cursor = [], start
    for a, b in sorted(spans):
        if a - cursor >= min_s:
            out.append((cursor, a))
        cursor = max(cursor, b)
    if end - cursor >= min_s:
        out.append((cursor, end))
    return out
