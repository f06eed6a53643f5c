"""Scrolling credits: cheap signals on every frame, the OCR model only where they point.

Cheap signals, on the upright analysis picture (~96x54 luma):
* the background is dark (median luma <= 60) or flat (half the pixels within 8 levels of it);
* sparse bright detail on it: 0.5-40 % of the pixels at least 50 levels off the background;
* the picture moves up as a whole: the row profile (mean luma of each row) now matches the one of
  ~0.8 s before shifted up by d rows, 0.5 <= d <= a third of the height, with less than half
  the mismatch of no shift. Text lines make that profile a comb, so the match is sharp.
A frame that passes all three is a credits candidate; a stretch of them is widened by up to
``LAG_S`` each way over frames that still have the background (the shift needs that much history
to be seen, and the last lines leave the screen without a comb to match). Once candidates have lasted 1 s, the OCR
model (engine/text/ocr.py) reads the frame, at most every 2 s and 3 times a stretch, until two or
more lines read confirm it. Without the OCR model, a candidate stretch is kept at confidence 0.5.
Limits: credits that do not scroll (cards), that scroll sideways, or run over moving pictures are
not found; a slow tilt up a dark, starry sky could pass the cheap signals, and the OCR rejects it.
"""

from __future__ import annotations

from collections import deque

import av
import numpy as np

from video_json_ai.errors import NotAvailable

LAG_S = 0.8
_OCR_AFTER_S = 1.0
_OCR_EVERY_S = 2.0
_OCR_MAX = 3


def credits_background(luma: np.ndarray) -> bool:
    """A dark or flat background with sparse bright (or dark) detail on it, from one histogram."""
    hist = np.bincount(luma.ravel(), minlength=256)
    cum = np.cumsum(hist)
    n = int(cum[-1])
    med = int(np.searchsorted(cum, n // 2))
    flat = int(cum[min(med + 8, 255)] - (cum[med - 9] if med >= 9 else 0)) / n
    if med > 60 and flat < 0.5:
        return False
    near = int(cum[min(med + 49, 255)] - (cum[med - 50] if med >= 50 else 0))
    off = (n - near) / n
    return 0.005 <= off <= 0.4


def upward_shift(now: np.ndarray, past: np.ndarray) -> float:
    """Rows the picture moved up from ``past`` to ``now`` (row profiles), or 0 when no shift fits."""
    h = len(now)
    if float(now.std()) < 2.0:
        return 0.0
    errors = np.array([float(np.abs(now[: h - d] - past[d:]).mean()) for d in range(0, h // 3 + 1)])
    d = int(np.argmin(errors))
    if d == 0 or errors[d] >= 0.5 * errors[0]:
        return 0.0
    if 0 < d < len(errors) - 1:  # sub-row position from a parabola through the neighbours
        lo, mid, hi = errors[d - 1], errors[d], errors[d + 1]
        den = lo - 2 * mid + hi
        return d + (0.5 * (lo - hi) / den if den > 0 else 0.0)
    return float(d)


class CreditsTracker:
    """Per frame: is it part of scrolling credits? Confirms stretches with OCR where available."""

    def __init__(self, use_ocr: bool = True) -> None:
        self._profiles: deque[tuple[float, np.ndarray]] = deque()
        self.use_ocr = use_ocr
        self.ocr_s = 0.0
        self.ocr_available: bool | None = None
        self._run_start: float | None = None
        self._last_ocr = -1e9
        self._ocr_in_run = 0
        self._confirmed = False
        self.readings: dict[float, list[tuple[str, float]]] = {}
        """OCR results: time of the frame read -> [(line, confidence)]."""

    def step(self, t: float, upright: np.ndarray, frame: av.VideoFrame, turns: int) -> tuple[bool, bool]:
        """(credits candidate, credits background) for this frame."""
        profile = upright.mean(axis=1).astype(np.float32)
        self._profiles.append((t, profile))
        while len(self._profiles) > 2 and self._profiles[1][0] <= t - LAG_S:
            self._profiles.popleft()
        past_t, past = self._profiles[0]
        background = credits_background(upright)  # the cheap test first: most frames end there
        candidate = background and t - past_t >= 0.5 * LAG_S and upward_shift(profile, past) >= 0.5
        if not candidate:
            self._run_start = None
            self._ocr_in_run = 0
            self._confirmed = False
            return False, background
        if self._run_start is None:
            self._run_start = t
        if (self.use_ocr and self.ocr_available is not False and not self._confirmed and t - self._run_start >= _OCR_AFTER_S
                and t - self._last_ocr >= _OCR_EVERY_S and self._ocr_in_run < _OCR_MAX):
            self._read(t, frame, turns)
        return True, True

    def _read(self, t: float, frame: av.VideoFrame, turns: int) -> None:
        import time

        from video_json_ai.engine.text.ocr import read_text

        self._last_ocr, self._ocr_in_run = t, self._ocr_in_run + 1
        scale = min(1.0, 768 / max(frame.width, frame.height))
        w, h = max(2, int(frame.width * scale) // 2 * 2), max(2, int(frame.height * scale) // 2 * 2)
        rgb = frame.reformat(width=w, height=h, format="rgb24", interpolation="AREA").to_ndarray()
        t0 = time.perf_counter()
        try:
            lines = read_text(np.rot90(rgb, k=turns) if turns else rgb)
        except NotAvailable:
            self.ocr_available = False
            return
        finally:
            self.ocr_s += time.perf_counter() - t0
        self.ocr_available = True
        self.readings[t] = [(r.text, r.confidence) for r in lines]
        self._confirmed = len(lines) >= 2  # enough: no more OCR in this stretch

    def verdict(self, start_s: float, end_s: float) -> tuple[float, str | None] | None:
        """(confidence, some text) for a candidate stretch, or None when the OCR read no credits in it."""
        read = [lines for t, lines in self.readings.items() if start_s <= t <= end_s]
        if not read:
            return (0.5, None) if self.ocr_available is not True or not self.use_ocr else None
        best = max(read, key=len)
        if len(best) < 2:
            return None
        text = "\n".join(line for line, _ in best[:12])
        return min(1.0, 0.5 + 0.5 * float(np.mean([c for _, c in best]))), text
