"""Shot boundary detection: hard cuts, fades through black/white, dissolves.

The detector is fed one small luma frame at a time (the single decode pass) and keeps only
per-frame numbers plus a short ring of recent frames, so memory does not grow with the video's
resolution. Decisions are made with a bounded look-ahead and handed out as *settled* boundaries
(``pop_settled``) so that keyframes and per-scene facts can be finished while decoding goes on.

Signals per frame (on a ~96x54 luma picture scaled by FFmpeg):

* ``dc``: mean absolute difference to the previous frame after removing brightness and contrast
  (each frame normalised to mean 0, std 40) and after compensating the global motion found by
  phase correlation. Fast pans, flashes, lighting changes and fades barely move it; cuts do.
* a hard cut at ``i``: ``dc[i]`` above an absolute floor AND well above the median of its
  neighbours (adaptive), AND the picture does not come back within 3 frames (flash rejection).
* fades: runs of blank frames (black or white) entered and/or left by a smooth brightness ramp.
* dissolves: the frame in the middle of a window is the mix of the frames at both ends (each end
  first shifted by its own global motion), while those ends are very different pictures and the
  middle has less contrast than they have.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np

BoundaryKind = Literal["cut", "fade", "dissolve"]


@dataclass(slots=True)
class Boundary:
    """The start of a new scene."""

    frame: int
    """First frame of the new scene."""
    kind: BoundaryKind
    span: tuple[int, int]
    """First and last frame of the transition (a cut: the new scene's first frame twice)."""
    through: Literal["black", "white"] | None = None
    strength: float = 1.0


class ShotDetector(Protocol):
    """The small interface a stronger detector can implement to replace the default one."""

    def push(self, index: int, time_s: float, luma: np.ndarray, skipped_before: int = 0) -> None:
        """The next analysed frame (``index`` counts analysed frames: 0, 1, 2...). ``skipped_before``:
        frames of the video left undecoded between the previous frame and this one, in a stretch
        the encoder coded as predictable, so no cut lies between the two."""

    def pop_settled(self) -> list[Boundary]:
        """Boundaries that are now final, in order (each returned once)."""

    def finish(self) -> list[Boundary]:
        """The remaining boundaries once the last frame was pushed."""


@dataclass(frozen=True, slots=True)
class DetectorParams:
    """Thresholds, derived from one ``sensitivity`` knob (0 strict .. 1 eager)."""

    cut_floor: float
    cut_ratio: float
    dissolve_min_diff: float
    dissolve_max_residual: float
    min_scene_s: float
    fps_hint: float

    @classmethod
    def from_sensitivity(cls, sensitivity: float, min_scene_s: float, fps_hint: float) -> "DetectorParams":
        s = min(max(sensitivity, 0.0), 1.0)
        f = 2.0 ** ((0.5 - s) * 2.0)  # 2x stricter at 0, 2x more eager at 1
        return cls(
            cut_floor=20.0 * f,
            cut_ratio=1.0 + 1.4 * f,
            dissolve_min_diff=26.0 * f,
            dissolve_max_residual=min(0.48, 0.4 / f),
            min_scene_s=min_scene_s,
            fps_hint=fps_hint if fps_hint and fps_hint > 0 else 30.0,
        )


_NORM_STD = 40.0
_BLANK_MEAN_DARK = 14.0
_BLANK_MEAN_WHITE = 240.0
_BLANK_MAX_STD = 16.0
_FLAT_STD = 8.0
_CUT_WINDOW = 6
_DISSOLVE_KS = (3, 5, 8, 12)
_FLASH_FRAMES = 3


def normalise(luma: np.ndarray) -> np.ndarray:
    """Brightness and contrast removed: mean 0, std ~40 (flat pictures stay near 0)."""
    y = luma.astype(np.float32)
    y -= y.mean()
    y *= _NORM_STD / (float(y.std()) + 4.0)
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


class _Frame:
    """One analysed frame in the detector's ring: normalised luma, and its 2-D FFT, computed
    only when a phase correlation needs it."""

    __slots__ = ("index", "z", "_spectrum")

    def __init__(self, index: int, z: np.ndarray) -> None:
        self.index, self.z = index, z
        self._spectrum: np.ndarray | None = None

    @property
    def spectrum(self) -> np.ndarray:
        if self._spectrum is None:
            self._spectrum = np.fft.rfft2(self.z)
        return self._spectrum


class _Grow:
    """A growable float array (amortised appends, numpy views)."""

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


class DefaultShotDetector:
    """Cuts + fades + dissolves with flash rejection and a minimum scene length."""

    def __init__(self, params: DetectorParams) -> None:
        self.p = params
        self.times = _Grow(np.float64)
        self.mean = _Grow()
        self.std = _Grow()
        self.dc = _Grow()  # normalised, motion-compensated difference to the previous frame
        self.dis = _Grow()  # dissolve: best half-window K centred here (0 = none)
        self.dis_res = _Grow()
        self.skipped = _Grow(np.int32)  # frames left undecoded just before each frame
        self._ring: deque[_Frame] = deque()
        self._ring_len = 2 * max(_DISSOLVE_KS) + _CUT_WINDOW + _FLASH_FRAMES + 4
        self._compensate_from = 0.5 * params.cut_floor
        self._ramp_max = int(round(3.0 * params.fps_hint))
        self._lookahead = max(self._ramp_max, 2 * max(_DISSOLVE_KS) + _CUT_WINDOW + 2) + 2
        self._cut_cands: list[tuple[int, float]] = []  # (frame, strength), flash-checked
        self._cut_checked = 1  # next frame whose cut test is pending
        self._done_to = 0  # frames < this are decided
        self._fade_spans: list[tuple[int, int]] = []
        self._events: list[Boundary] = []  # decided, not yet merged
        self._kept: list[Boundary] = []  # merged, possibly still replaceable
        self._out: list[Boundary] = []
        self._last_kept: Boundary | None = None
        self._runs_done: set[int] = set()
        self._next_decide = self._lookahead + 64

    # -- per frame -------------------------------------------------------------------------
    def push(self, index: int, time_s: float, luma: np.ndarray, skipped_before: int = 0) -> None:
        y = luma.astype(np.float32)
        n = self.times.n
        if index != n:
            raise ValueError(f"frames must be pushed in order: got {index}, expected {n}")
        self.times.append(time_s)
        self.skipped.append(skipped_before)
        m, s = float(y.mean()), float(y.std())
        self.mean.append(m)
        self.std.append(s)
        z = (y - m) * (_NORM_STD / (s + 4.0))
        current = _Frame(index, z)
        if self._ring:
            prev = self._ring[-1]
            plain = float(np.abs(z - prev.z).mean())
            # Motion compensation can only lower the difference, and below half the cut floor a
            # frame is no cut candidate: the phase correlation is spent where it can matter.
            if plain < self._compensate_from:
                self.dc.append(plain)
            else:
                self.dc.append(motion_compensated_diff(z, current.spectrum, prev.z, prev.spectrum))
        else:
            self.dc.append(0.0)
        self.dis.append(0.0)
        self.dis_res.append(1.0)
        self._ring.append(current)
        if len(self._ring) > self._ring_len:
            self._ring.popleft()
        self._dissolve_test(index)
        while self._cut_checked + _CUT_WINDOW <= index and self._cut_checked + _FLASH_FRAMES <= index:
            self._cut_test(self._cut_checked)
            self._cut_checked += 1
        if index >= self._next_decide:
            self._next_decide = index + 64
            self._decide(index + 1 - self._lookahead, final=False)

    def _frame(self, i: int) -> tuple[np.ndarray, np.ndarray] | None:
        k = i - self._ring[0].index
        if 0 <= k < len(self._ring):
            frame = self._ring[k]
            return frame.z, frame.spectrum
        return None

    def _cut_test(self, i: int) -> None:
        dc = self.dc.a
        n = len(dc)
        v = float(dc[i])
        if v < self.p.cut_floor or self.skipped.a[i]:
            return  # weak, or frames were skipped here as predictable: a pan or a zoom, not a cut
        lo, hi = max(1, i - _CUT_WINDOW), min(n, i + _CUT_WINDOW + 1)
        # a difference across k skipped frames spans k + 1 frames of motion: counted per frame
        skipped = self.skipped.a
        neigh = np.concatenate([dc[lo:i] / (1 + skipped[lo:i]), dc[i + 1 : hi] / (1 + skipped[i + 1 : hi])])
        base = float(np.median(neigh)) if len(neigh) else 0.0
        ratio = v / (base + 2.0)
        if ratio < self.p.cut_ratio:
            return
        # the strongest frame in its close neighbourhood only (one cut, not two adjacent)
        if (i > 1 and not skipped[i - 1] and dc[i - 1] > v) or (i + 1 < n and not skipped[i + 1] and dc[i + 1] >= v):
            return
        if self._comes_back(i - 1, range(i + 1, i + 1 + _FLASH_FRAMES), v):
            return  # the picture before the jump comes back: a flash or a glitch, not a cut
        if self._comes_back(i, range(i - 2, i - 2 - _FLASH_FRAMES, -1), v):
            return  # the picture after the jump was there just before: the end of a flash
        strength = min(v / self.p.cut_floor, ratio / self.p.cut_ratio)
        self._cut_cands.append((i, strength))

    def _comes_back(self, ref: int, others: range, jump: float) -> bool:
        a = self._frame(ref)
        if a is None:
            return False
        for k in others:
            b = self._frame(k)
            if b is None:
                continue
            back = motion_compensated_diff(a[0], a[1], b[0], b[1])
            if back < 0.45 * jump and back < self.p.cut_floor:
                return True
        return False

    def _dissolve_test(self, index: int) -> None:
        """Is the frame K back the mix of the frames 2K back and now (for some K)?

        Each end is first shifted by its own global motion relative to the middle frame (phase
        correlation): during a dissolve both pictures may move, and without this a moving
        dissolve does not look like a mix. After the shifts, a pan or a zoom has ends that look
        alike (rejected by ``dissolve_min_diff``) and a cut has a middle that is one end, not a mix.
        """
        if len(self._ring) < 3:
            return
        std = self.std.a
        best_k, best_res = 0, 1.0
        for k in _DISSOLVE_KS:
            if index - 2 * k < self._ring[0].index:
                break
            sa, sm, sb = float(std[index - 2 * k]), float(std[index - k]), float(std[index])
            if sm > 0.9 * 0.5 * (sa + sb) or min(sa, sb) < _FLAT_STD:
                continue  # mixing two different pictures lowers the contrast in the middle
            a, m, b = self._frame(index - 2 * k), self._frame(index - k), self._frame(index)
            if a is None or m is None or b is None:
                continue
            h, w = m[0].shape
            ya, xa = global_shift(m[1], a[1], h, w)
            yb, xb = global_shift(m[1], b[1], h, w)
            # compare the middle of the picture, with a margin as wide as the motion (at most a
            # quarter of the picture each side)
            py = max(2, h // 6, max(abs(ya), abs(yb)) + 1)
            px = max(2, w // 6, max(abs(xa), abs(xb)) + 1)
            if py > h // 4 or px > w // 4:
                continue
            ea = a[0][py - ya : h - py - ya, px - xa : w - px - xa]
            eb = b[0][py - yb : h - py - yb, px - xb : w - px - xb]
            d = float(np.abs(ea - eb).mean())
            if d < self.p.dissolve_min_diff:
                continue
            mid = normalise(m[0][py : h - py, px : w - px])
            res = float(np.abs(mid - normalise(ea + eb)).mean()) / d
            if res <= self.p.dissolve_max_residual and (best_k == 0 or res <= best_res * 1.5):
                best_k, best_res = k, min(res, best_res)
        if best_k:
            centre = index - best_k
            if best_k > self.dis.a[centre]:
                self.dis.set(centre, best_k)
                self.dis_res.set(centre, best_res)

    # -- decisions over settled windows --------------------------------------------------------
    def _blank(self, lo: int, hi: int) -> np.ndarray:
        """0 none, 1 black, 2 white for frames lo..hi-1."""
        m, s = self.mean.a[lo:hi], self.std.a[lo:hi]
        out = np.zeros(hi - lo, dtype=np.int8)
        out[(m <= _BLANK_MEAN_DARK) & (s <= _BLANK_MAX_STD)] = 1
        out[(m >= _BLANK_MEAN_WHITE) & (s <= _BLANK_MAX_STD)] = 2
        return out

    def _ramp(self, start: int, step: int, colour: int, limit: int) -> int:
        """Walk from ``start`` (first non-blank frame) away from a blank run while brightness keeps
        moving away from the blank colour; return how many frames the ramp lasts."""
        m = self.mean.a
        sign = 1.0 if colour == 1 else -1.0
        j, count, stalls = start, 0, 0
        prev = m[start - step]
        while 0 <= j < limit and count < self._ramp_max:
            delta = (m[j] - prev) * sign / self._gap(max(j, j - step))  # per frame of the video
            if delta > 0.4:
                stalls = 0
            elif stalls < 1 and count > 0:
                stalls += 1
            else:
                break
            prev = m[j]
            j += step
            count += 1
        return count - stalls

    def _gap(self, i: int) -> int:
        """Frames of the video from the previous analysed frame to frame ``i`` (1 = adjacent)."""
        return 1 + int(self.skipped.a[i])

    def _decide(self, upto: int, *, final: bool) -> None:
        """Decide frames [done_to, upto)."""
        n = self.times.n
        lo = self._done_to
        if upto <= lo:
            return
        # blank runs that end before `upto` (an unfinished run holds the window back)
        start = max(0, lo - self._ramp_max)
        blank = self._blank(start, n)
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
        for a, b, colour in runs:  # first how far this call may go...
            if b + 1 >= n and not final:
                out_len = self._ramp(a - 1, -1, colour, n) if a > 0 else 0
                upto = min(upto, max(lo, a - out_len - 1))
                break
            if b + self._ramp_max >= n and not final:
                upto = min(upto, max(lo, a - self._ramp_max))
                break
        for a, b, colour in runs:  # ... then the fades before that (events stay in frame order)
            if a >= upto or a in self._runs_done:
                continue
            self._runs_done.add(a)
            self._fade_from_run(a, b, colour, n)
        if upto <= lo:
            return
        fades = self._fade_spans
        for i, strength in self._cut_cands:
            if lo <= i < upto and not any(f0 < i <= f1 for f0, f1 in fades):
                self._events.append(Boundary(i, "cut", (i, i), strength=strength))
        self._cut_cands = [c for c in self._cut_cands if c[0] >= upto]
        self._dissolves(lo, upto)
        self._done_to = upto
        self._events.sort(key=lambda b: b.frame)
        self._merge(final=final)

    def _fade_from_run(self, a: int, b: int, colour: int, n: int) -> None:
        m, s = self.mean.a, self.std.a
        out_len = self._ramp(a - 1, -1, colour, n) if a > 0 else 0
        in_len = self._ramp(b + 1, 1, colour, n) if b + 1 < n else 0
        rise_out = abs(float(m[a - out_len]) - float(m[a])) if out_len else 0.0
        rise_in = abs(float(m[b + in_len]) - float(m[b])) if in_len else 0.0
        has_out = out_len >= 3 and rise_out >= 15.0
        has_in = in_len >= 3 and rise_in >= 15.0
        through: Literal["black", "white"] = "black" if colour == 1 else "white"
        if colour == 2:
            # white is a picture unless the ramps come from real (textured) pictures
            has_out = has_out and s[a - out_len] >= _FLAT_STD
            has_in = has_in and s[b + in_len] >= _FLAT_STD
        if has_out and not has_in and b - a + 1 <= _FLASH_FRAMES and b + 1 < n:
            has_out = False  # a picture brightening into 1-3 white/black frames that then snaps back: a flash
        span_lo = a - out_len if has_out else a
        span_hi = b + in_len if has_in else b
        if has_out or has_in:
            self._fade_spans.append((span_lo, span_hi))
        sign = 1.0 if colour == 1 else -1.0
        if has_out and has_in:
            # the new scene starts where the picture starts coming back
            j = b
            while j > a and (m[j] - m[j - 1]) * sign > 0.3 * self._gap(j):
                j -= 1
            self._events.append(Boundary(j + 1 if j < b else b + 1, "fade", (span_lo, span_hi), through, strength=2.0))
        elif has_out:
            # faded out to a blank that lasts (to a cut or the end): the blank starts a scene
            j = a
            while j < b and (m[j] - m[j + 1]) * sign > 0.3 * self._gap(j + 1):
                j += 1
            self._events.append(Boundary(j, "fade", (span_lo, j), through, strength=1.5))
        # a blank entered by a cut (or the start) and left by a fade-in: the fade-in belongs to
        # the scene that the cut started; nothing to add.

    def _dissolves(self, lo: int, upto: int) -> None:
        dis = self.dis.a
        res = self.dis_res.a
        i = max(lo, 1)
        while i < upto:
            if dis[i] <= 0:
                i += 1
                continue
            j = i
            while j + 1 < len(dis) and dis[j + 1] > 0:
                j += 1
            seg = slice(i, j + 1)
            centre = i + int(np.argmin(res[seg]))
            k = int(dis[seg].max())
            span = (max(0, i - k // 4), j + k // 4)
            # no dissolve over a fade or a hard cut in its middle
            overlaps_fade = any(not (span[1] < f0 or span[0] > f1) for f0, f1 in self._fade_spans)
            has_cut = any(span[0] < e.frame <= span[1] for e in self._events if e.kind == "cut")
            if (j - i + 1) >= 2 and not overlaps_fade and not has_cut:
                self._events.append(Boundary(centre, "dissolve", span, strength=1.2))
            i = j + 1

    def _merge(self, *, final: bool) -> None:
        """Minimum scene length: keep the first of boundaries closer than min_scene_s, unless a
        later one is clearly stronger. Settled boundaries move to the output."""
        times = self.times.a
        min_s = self.p.min_scene_s
        for e in self._events:
            last = self._last_kept
            if e.frame <= 0 or e.frame >= len(times) or (last is not None and e.frame <= last.frame):
                continue
            last_t = float(times[last.frame]) if last else float(times[0])
            if float(times[e.frame]) - last_t >= min_s:
                self._kept.append(e)
                self._last_kept = e
            elif last is not None and self._kept and self._kept[-1] is last and e.strength > 1.5 * last.strength:
                self._kept[-1] = e
                self._last_kept = e
        self._events = []
        if final:
            if self._kept and float(times[-1]) - float(times[self._kept[-1].frame]) < min_s * 0.999:
                self._kept.pop()
            self._out.extend(self._kept)
            self._kept = []
            return
        settle_before = self._done_to - int(np.ceil(min_s * self.p.fps_hint)) - 2
        while self._kept and self._kept[0].frame < settle_before:
            self._out.append(self._kept.pop(0))

    # -- results ----------------------------------------------------------------------------
    def pop_settled(self) -> list[Boundary]:
        out, self._out = self._out, []
        return out

    def finish(self) -> list[Boundary]:
        n = self.times.n
        while self._cut_checked < n:
            self._cut_test(self._cut_checked)
            self._cut_checked += 1
        self._decide(n, final=True)
        return self.pop_settled()
