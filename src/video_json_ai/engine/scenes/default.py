"""The default shot detector: hard cuts, fades through black/white, dissolves.

The detector is fed one small luma frame at a time (the single decode pass) and keeps only
per-frame numbers plus a short ring of recent frames, so memory does not grow with the video's
resolution. Decisions are made with a bounded look-ahead and handed out as *settled* boundaries
(``pop_settled``) so that keyframes and per-scene facts can be finished while decoding goes on.

Signals per frame (on a ~96x54 luma picture scaled by FFmpeg; the maths is in ``signals``):

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
from typing import Literal

import numpy as np

from video_json_ai.engine.scenes.detector import Boundary, DetectorParams
from video_json_ai.engine.scenes.signals import (
    BLACK, FLAT_STD, WHITE, GrowArray, RingFrame, blank_kinds, blank_runs, frame_stats,
    mix_residual, motion_compensated_diff, neighbour_base, ramp_end, ramp_length,
)

_CUT_WINDOW = 6
_DISSOLVE_KS = (3, 5, 8, 12)
_FLASH_FRAMES = 3

_Run = tuple[int, int, int]
"""A run of blank frames: first, last, colour (signals.BLACK or WHITE)."""


class DefaultShotDetector:
    """Cuts + fades + dissolves with flash rejection and a minimum scene length."""

    def __init__(self, params: DetectorParams) -> None:
        self.p = params
        self.times = GrowArray(np.float64)
        self.mean = GrowArray()
        self.std = GrowArray()
        self.dc = GrowArray()  # normalised, motion-compensated difference to the previous frame
        self.dis = GrowArray()  # dissolve: best half-window K centred here (0 = none)
        self.dis_res = GrowArray()
        self.skipped = GrowArray(np.int32)  # frames left undecoded just before each frame
        self._ring: deque[RingFrame] = deque()
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
        n = self.times.n
        if index != n:
            raise ValueError(f"frames must be pushed in order: got {index}, expected {n}")
        self.times.append(time_s)
        self.skipped.append(skipped_before)
        m, s, z = frame_stats(luma)
        self.mean.append(m)
        self.std.append(s)
        current = RingFrame(index, z)
        self.dc.append(self._difference_to_previous(current))
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

    def _difference_to_previous(self, current: RingFrame) -> float:
        if not self._ring:
            return 0.0
        prev = self._ring[-1]
        plain = float(np.abs(current.z - prev.z).mean())
        # Motion compensation can only lower the difference, and below half the cut floor a
        # frame is no cut candidate: the phase correlation is spent where it can matter.
        if plain < self._compensate_from:
            return plain
        return motion_compensated_diff(current.z, current.spectrum, prev.z, prev.spectrum)

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
        skipped = self.skipped.a
        if v < self.p.cut_floor or skipped[i]:
            return  # weak, or frames were skipped here as predictable: a pan or a zoom, not a cut
        ratio = v / (neighbour_base(dc, skipped, i, _CUT_WINDOW) + 2.0)
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

        After each end is shifted by its own motion (``signals.mix_residual``), a pan or a zoom
        has ends that look alike (rejected by ``dissolve_min_diff``) and a cut has a middle that
        is one end, not a mix.
        """
        if len(self._ring) < 3:
            return
        std = self.std.a
        best_k, best_res = 0, 1.0
        for k in _DISSOLVE_KS:
            if index - 2 * k < self._ring[0].index:
                break
            sa, sm, sb = float(std[index - 2 * k]), float(std[index - k]), float(std[index])
            if sm > 0.9 * 0.5 * (sa + sb) or min(sa, sb) < FLAT_STD:
                continue  # mixing two different pictures lowers the contrast in the middle
            a, m, b = self._frame(index - 2 * k), self._frame(index - k), self._frame(index)
            if a is None or m is None or b is None:
                continue
            res = mix_residual(a, m, b, self.p.dissolve_min_diff)
            if res is None:
                continue
            if res <= self.p.dissolve_max_residual and (best_k == 0 or res <= best_res * 1.5):
                best_k, best_res = k, min(res, best_res)
        if best_k:
            centre = index - best_k
            if best_k > self.dis.a[centre]:
                self.dis.set(centre, best_k)
                self.dis_res.set(centre, best_res)

    # -- decisions over settled windows --------------------------------------------------------
    def _ramp(self, start: int, step: int, colour: int, limit: int) -> int:
        return ramp_length(self.mean.a, self.skipped.a, start, step, colour, limit, self._ramp_max)

    def _decide(self, upto: int, *, final: bool) -> None:
        """Decide frames [done_to, upto)."""
        n = self.times.n
        lo = self._done_to
        if upto <= lo:
            return
        # blank runs that end before `upto` (an unfinished run holds the window back)
        start = max(0, lo - self._ramp_max)
        runs = blank_runs(blank_kinds(self.mean.a[start:n], self.std.a[start:n]), start)
        if not final:
            upto = self._held_back_to(runs, lo, upto, n)
        for a, b, colour in runs:  # the fades before that (events stay in frame order)
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

    def _held_back_to(self, runs: list[_Run], lo: int, upto: int, n: int) -> int:
        """How far a non-final decision may go: not into a blank run that is still going on, nor
        into the fade out that may lead to one, nor past a run whose fade in may not be over."""
        for a, b, colour in runs:
            if b + 1 >= n:
                out_len = self._ramp(a - 1, -1, colour, n) if a > 0 else 0
                return min(upto, max(lo, a - out_len - 1))
            if b + self._ramp_max >= n:
                return min(upto, max(lo, a - self._ramp_max))
        return upto

    def _fade_from_run(self, a: int, b: int, colour: int, n: int) -> None:
        m, s = self.mean.a, self.std.a
        out_len = self._ramp(a - 1, -1, colour, n) if a > 0 else 0
        in_len = self._ramp(b + 1, 1, colour, n) if b + 1 < n else 0
        rise_out = abs(float(m[a - out_len]) - float(m[a])) if out_len else 0.0
        rise_in = abs(float(m[b + in_len]) - float(m[b])) if in_len else 0.0
        has_out = out_len >= 3 and rise_out >= 15.0
        has_in = in_len >= 3 and rise_in >= 15.0
        through: Literal["black", "white"] = "black" if colour == BLACK else "white"
        if colour == WHITE:
            # white is a picture unless the ramps come from real (textured) pictures
            has_out = has_out and s[a - out_len] >= FLAT_STD
            has_in = has_in and s[b + in_len] >= FLAT_STD
        if has_out and not has_in and b - a + 1 <= _FLASH_FRAMES and b + 1 < n:
            has_out = False  # a picture brightening into 1-3 white/black frames that then snaps back: a flash
        span_lo = a - out_len if has_out else a
        span_hi = b + in_len if has_in else b
        if has_out or has_in:
            self._fade_spans.append((span_lo, span_hi))
        skipped = self.skipped.a
        if has_out and has_in:
            # the new scene starts where the picture starts coming back
            j = ramp_end(m, skipped, a, b, colour, into=False)
            self._events.append(Boundary(j + 1 if j < b else b + 1, "fade", (span_lo, span_hi), through, strength=2.0))
        elif has_out:
            # faded out to a blank that lasts (to a cut or the end): the blank starts a scene
            j = ramp_end(m, skipped, a, b, colour, into=True)
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
