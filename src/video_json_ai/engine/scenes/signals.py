"""Per-frame signal maths of the default shot detector: pure functions of small luma pictures and
of the per-frame numbers kept for them (means, standard deviations, skipped-frame counts).

* ``frame_stats`` / ``normalise``: brightness and contrast removed (mean 0, std ~40).
* ``motion_compensated_diff`` / ``global_shift``: the difference between two pictures once the
  global motion found by phase correlation is compensated.
* ``neighbour_base``: the typical difference around a frame, per frame of the video.
* ``mix_residual``: how far a middle picture is from the mix of the two ends (dissolves).
* ``blank_kinds`` / ``blank_runs`` / ``ramp_length`` / ``ramp_end``: blank (black/white) frames
  and the brightness ramps into and out of them (fades).
"""

from __future__ import annotations

import numpy as np

NORM_STD = 40.0
BLANK_MEAN_DARK = 14.0
BLANK_MEAN_WHITE = 240.0
BLANK_MAX_STD = 16.0
FLAT_STD = 8.0

BLACK, WHITE = 1, 2
"""Blank colours as ``blank_kinds`` marks them (0: not blank)."""


# -- one picture, two pictures -----------------------------------------------------------------
def frame_stats(luma: np.ndarray) -> tuple[float, float, np.ndarray]:
    """Mean and standard deviation of ``luma`` and the picture normalised with them."""
    y = luma.astype(np.float32)
    m, s = float(y.mean()), float(y.std())
    return m, s, (y - m) * (NORM_STD / (s + 4.0))


def normalise(luma: np.ndarray) -> np.ndarray:
    """Brightness and contrast removed: mean 0, std ~40 (flat pictures stay near 0)."""
    y = luma.astype(np.float32)
    y -= y.mean()
    y *= NORM_STD / (float(y.std()) + 4.0)
    return y


def motion_compensated_diff(a: np.ndarray, fa: np.ndarray, b: np.ndarray, fb: np.ndarray) -> float:
    """Mean |a - b| after shifting b by the global motion found by phase correlation (a, b normalised)."""
    h, w = a.shape
    dy, dx = global_shift(fa, fb, h, w)
    plain = float(np.abs(a - b).mean())
    if dy == 0 and dx == 0 or abs(dy) > h // 4 or abs(dx) > w // 4:
        return plain
    ay, by = slice(max(dy, 0), h + min(dy, 0)), slice(max(-dy, 0), h + min(-dy, 0))
    ax, bx = slice(max(dx, 0), w + min(dx, 0)), slice(max(-dx, 0), w + min(-dx, 0))
    return min(plain, float(np.abs(a[ay, ax] - b[by, bx]).mean()))


def global_shift(fa: np.ndarray, fb: np.ndarray, h: int, w: int) -> tuple[int, int]:
    """(dy, dx) such that picture a ~ picture b moved by (dy, dx), from their 2-D FFTs."""
    r = fa * np.conj(fb)
    r /= np.abs(r) + 1e-6
    corr = np.fft.irfft2(r, s=(h, w))
    dy, dx = np.unravel_index(int(np.argmax(corr)), corr.shape)
    return (int(dy - h) if dy > h // 2 else int(dy)), (int(dx - w) if dx > w // 2 else int(dx))


def mix_residual(a: tuple[np.ndarray, np.ndarray], m: tuple[np.ndarray, np.ndarray],
                 b: tuple[np.ndarray, np.ndarray], min_diff: float) -> float | None:
    """How far the middle picture ``m`` is from the mix of the ends ``a`` and ``b`` (each a
    normalised picture and its spectrum), relative to how different the ends are; None when the
    motion is too wide to compare or the ends differ by less than ``min_diff``.

    Each end is first shifted by its own global motion relative to the middle (phase
    correlation): during a dissolve both pictures may move, and without this a moving dissolve
    does not look like a mix."""
    h, w = m[0].shape
    ya, xa = global_shift(m[1], a[1], h, w)
    yb, xb = global_shift(m[1], b[1], h, w)
    # compare the middle of the picture, with a margin as wide as the motion (at most a
    # quarter of the picture each side)
    py = max(2, h // 6, max(abs(ya), abs(yb)) + 1)
    px = max(2, w // 6, max(abs(xa), abs(xb)) + 1)
    if py > h // 4 or px > w // 4:
        return None
    ea = a[0][py - ya : h - py - ya, px - xa : w - px - xa]
    eb = b[0][py - yb : h - py - yb, px - xb : w - px - xb]
    d = float(np.abs(ea - eb).mean())
    if d < min_diff:
        return None
    mid = normalise(m[0][py : h - py, px : w - px])
    return float(np.abs(mid - normalise(ea + eb)).mean()) / d


# -- per-frame numbers -------------------------------------------------------------------------
def neighbour_base(dc: np.ndarray, skipped: np.ndarray, i: int, window: int) -> float:
    """Median difference of the frames within ``window`` of frame ``i`` (not ``i`` itself): a
    difference across k skipped frames spans k + 1 frames of motion, so it is counted per frame."""
    lo, hi = max(1, i - window), min(len(dc), i + window + 1)
    neigh = np.concatenate([dc[lo:i] / (1 + skipped[lo:i]), dc[i + 1 : hi] / (1 + skipped[i + 1 : hi])])
    return float(np.median(neigh)) if len(neigh) else 0.0


def gap(skipped: np.ndarray, i: int) -> int:
    """Frames of the video from the previous analysed frame to frame ``i`` (1 = adjacent)."""
    return 1 + int(skipped[i])


def blank_kinds(mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    """Per frame: 0 not blank, BLACK or WHITE (a flat dark or bright picture)."""
    out = np.zeros(len(mean), dtype=np.int8)
    out[(mean <= BLANK_MEAN_DARK) & (std <= BLANK_MAX_STD)] = BLACK
    out[(mean >= BLANK_MEAN_WHITE) & (std <= BLANK_MAX_STD)] = WHITE
    return out


def blank_runs(blank: np.ndarray, start: int) -> list[tuple[int, int, int]]:
    """Runs of equal blank frames in ``blank`` (frame ``start`` onwards): (first, last, colour)."""
    runs: list[tuple[int, int, int]] = []
    i = 0
    while i < len(blank):
        if blank[i]:
            j = i
            while j + 1 < len(blank) and blank[j + 1] == blank[i]:
                j += 1
            runs.append((start + i, start + j, int(blank[i])))
            i = j + 1
        else:
            i += 1
    return runs


def ramp_length(mean: np.ndarray, skipped: np.ndarray, start: int, step: int, colour: int, limit: int,
                max_len: int) -> int:
    """Walk from ``start`` (first non-blank frame) away from a blank run while brightness keeps
    moving away from the blank colour (at most ``max_len`` frames, within 0..limit-1); return how
    many frames the ramp lasts."""
    sign = 1.0 if colour == BLACK else -1.0
    j, count, stalls = start, 0, 0
    prev = mean[start - step]
    while 0 <= j < limit and count < max_len:
        delta = (mean[j] - prev) * sign / gap(skipped, max(j, j - step))  # per frame of the video
        if delta > 0.4:
            stalls = 0
        elif stalls < 1 and count > 0:
            stalls += 1
        else:
            break
        prev = mean[j]
        j += step
        count += 1
    return count - stalls


def ramp_end(mean: np.ndarray, skipped: np.ndarray, a: int, b: int, colour: int, *, into: bool) -> int:
    """Inside the blank run a..b. With ``into`` (a fade out): walking on from ``a``, the first
    frame that does not get any closer to the blank colour after it. Otherwise (a fade in):
    walking back from ``b``, the first frame that the picture is not already coming back from."""
    sign = 1.0 if colour == BLACK else -1.0
    if into:
        j = a
        while j < b and (mean[j] - mean[j + 1]) * sign > 0.3 * gap(skipped, j + 1):
            j += 1
        return j
    j = b
    while j > a and (mean[j] - mean[j - 1]) * sign > 0.3 * gap(skipped, j):
        j -= 1
    return j


# -- storage -----------------------------------------------------------------------------------
class RingFrame:
    """One analysed frame in a detector's ring: normalised luma, and its 2-D FFT, computed only
    when a phase correlation needs it."""

    __slots__ = ("index", "z", "_spectrum")

    def __init__(self, index: int, z: np.ndarray) -> None:
        self.index, self.z = index, z
        self._spectrum: np.ndarray | None = None

    @property
    def spectrum(self) -> np.ndarray:
        if self._spectrum is None:
            self._spectrum = np.fft.rfft2(self.z)
        return self._spectrum


class GrowArray:
    """A growable number array (amortised appends, numpy views)."""

    def __init__(self, dtype: type = np.float32) -> None:
        self._a = np.zeros(1024, dtype=dtype)
        self.n = 0

    def append(self, v: float) -> None:
        if self.n == len(self._a):
            self._a = np.concatenate([self._a, np.zeros_like(self._a)])
        self._a[self.n] = v
        self.n += 1

    def set(self, i: int, v: float) -> None:
        self._a[i] = v

    @property
    def a(self) -> np.ndarray:
        return self._a[: self.n]
