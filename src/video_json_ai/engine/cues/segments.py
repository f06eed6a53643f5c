"""From per-frame marks to typed cues: runs, their times and frame numbers, and the content span."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from video_json_ai.models.cues import CueKind, TechnicalCue
from video_json_ai.util.time import smpte, timecode

CHAIN_GAP_S = 0.5
"""Opening (closing) cues closer than this to each other, and the first (last) to the start (end),
chain into one opening (closing) block; the content lies between the two blocks."""


def runs(mask: np.ndarray, fill: int = 0) -> list[tuple[int, int]]:
    """(first, last) positions of the True runs, gaps of at most ``fill`` positions bridged."""
    out: list[tuple[int, int]] = []
    idx = np.flatnonzero(mask)
    if not len(idx):
        return out
    a = prev = int(idx[0])
    for i in idx[1:]:
        i = int(i)
        if i - prev - 1 > fill:
            out.append((a, prev))
            a = i
        prev = i
    out.append((a, prev))
    return out


@dataclass
class Timeline:
    """The analysed frames: frame numbers and their times (seconds from the first frame)."""

    frames: np.ndarray
    times: np.ndarray
    end_s: float
    last_frame: int
    fps: float

    def end_of(self, pos: int) -> float:
        """Where analysed frame ``pos`` ends: the next analysed frame's time, or the video's end."""
        return float(self.times[pos + 1]) if pos + 1 < len(self.times) else self.end_s

    def last_of(self, pos: int) -> int:
        """Last frame number covered by analysed frame ``pos`` (frames left undecoded after it included)."""
        return int(self.frames[pos + 1]) - 1 if pos + 1 < len(self.frames) else self.last_frame

    def frame_at(self, t: float) -> int:
        """Number of the frame showing at time ``t`` (between analysed frames: by the frame rate)."""
        pos = int(np.searchsorted(self.times, t + 1e-6, side="right")) - 1
        if pos < 0:
            return 0
        step = int((t - float(self.times[pos])) * self.fps + 1e-6)
        return int(min(self.frames[pos] + step, self.last_of(pos)))

    def cue(self, kind: CueKind, start_s: float, end_s: float, first: int, last: int, confidence: float,
            **extra: object) -> TechnicalCue:
        return TechnicalCue(
            kind=kind, start_s=round(start_s, 3), end_s=round(end_s, 3), duration_s=round(end_s - start_s, 3),
            start_frame=first, end_frame=max(last, first), start_timecode=timecode(start_s) or "",
            end_timecode=timecode(end_s) or "", start_smpte=smpte(start_s, self.fps), end_smpte=smpte(end_s, self.fps),
            confidence=round(min(max(confidence, 0.0), 1.0), 3), **extra)  # type: ignore[arg-type]

    def span_cue(self, kind: CueKind, a: int, b: int, confidence: float, **extra: object) -> TechnicalCue:
        """A cue over analysed frames a..b."""
        return self.cue(kind, float(self.times[a]), self.end_of(b), int(self.frames[a]), self.last_of(b),
                        confidence, **extra)


def content_cue(cues: list[TechnicalCue], timeline: Timeline) -> TechnicalCue | None:
    """The programme between the opening cues (a chain from the start) and the closing cues (a chain
    to the end); None when there is neither, or nothing between them."""
    if not cues:
        return None
    head, tail = 0.0, timeline.end_s
    for c in sorted(cues, key=lambda c: c.start_s):
        if c.start_s <= head + CHAIN_GAP_S:
            head = max(head, c.end_s)
    for c in sorted(cues, key=lambda c: -c.end_s):
        if c.end_s >= tail - CHAIN_GAP_S:
            tail = min(tail, c.start_s)
    if (head == 0.0 and tail == timeline.end_s) or tail - head <= 0:
        return None
    first = timeline.frame_at(head)
    last = timeline.frame_at(tail - 1e-3)
    return timeline.cue("content", head, tail, first, last, 1.0)
