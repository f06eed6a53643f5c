"""Steady test tones (a sine such as 1 kHz under colour bars) in 16 kHz mono audio.

Windows of 100 ms every 20 ms (Hann, FFT): a window is tonal when the five bins around its peak
hold at least 90 % of its energy, its level is above -45 dBFS and the peak lies between 100 Hz and
7.5 kHz. A tone is a run of tonal windows whose frequency stays within 2 % for ``min_s``; its
edges are then placed on the 10 ms blocks whose level is within 6 dB of the tone's (so a tone
that starts or stops cleanly is timed to about 10 ms, not to a window). Music holds one pure note
for far less than a second; speech and noise spread their energy; so neither passes. A tone mixed
with other sound loses its purity and is not found: this finds line-up tones, not melodies.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RATE = 16000
WINDOW = 1600  # 100 ms
HOP = 320  # 20 ms
BLOCK = 160  # 10 ms
_PURITY = 0.9
_FLOOR_DB = -45.0


@dataclass
class ToneSpan:
    start_s: float
    end_s: float
    frequency_hz: float
    level_dbfs: float
    purity: float


class ToneDetector:
    """Fed consecutive 16 kHz mono chunks (any length) from the start of the audio stream."""

    def __init__(self, min_s: float = 1.0) -> None:
        self.min_s = min_s
        self._tail = np.zeros(0, np.float32)
        self._consumed = 0  # samples before _tail[0]
        self._hann = np.hanning(WINDOW).astype(np.float32)
        self._freq: list[float] = []  # per hop: peak frequency (0 = not tonal)
        self._purity: list[float] = []
        self._level: list[float] = []
        self._blocks: list[np.ndarray] = []  # per 10 ms block: RMS in dBFS
        self._blocked = 0  # samples covered by _blocks

    def push(self, mono: np.ndarray) -> None:
        x = np.concatenate([self._tail, np.asarray(mono, np.float32)])
        # x[0] is sample _consumed of the stream (a multiple of HOP, so blocks line up with x)
        n = len(x) // BLOCK
        local = 10 * np.log10(np.mean(x[: n * BLOCK].reshape(n, BLOCK).astype(np.float64) ** 2, axis=1) + 1e-12)
        new_from = (self._blocked - self._consumed) // BLOCK
        if n > new_from:
            self._blocks.append(local[new_from:])
            self._blocked += (n - new_from) * BLOCK
        hops = max(0, (len(x) - WINDOW) // HOP + 1)
        if hops:
            freq = np.zeros(hops)
            purity = np.zeros(hops)
            level = np.full(hops, -120.0)
            steady = _steady(local, hops)
            if steady.any():  # the FFT only where the level holds still (a tone's does; speech's, music's do not)
                idx = np.flatnonzero(steady)
                frames = np.lib.stride_tricks.sliding_window_view(x, WINDOW)[::HOP][idx] * self._hann
                power = np.abs(np.fft.rfft(frames, axis=1)) ** 2
                peak = np.argmax(power, axis=1)
                near = sum(power[np.arange(len(idx)), np.clip(peak + d, 0, power.shape[1] - 1)] for d in range(-2, 3))
                purity[idx] = near / (power.sum(axis=1) + 1e-20)
                level[idx] = 10 * np.log10(np.mean(frames.astype(np.float64) ** 2, axis=1) / 0.375 + 1e-12)
                freq[idx] = (peak + _offset(power, peak)) * RATE / WINDOW
            tonal = (purity >= _PURITY) & (level > _FLOOR_DB) & (freq >= 100) & (freq <= 7500)
            self._freq.extend(np.where(tonal, freq, 0.0).tolist())
            self._purity.extend(purity.tolist())
            self._level.extend(level.tolist())
        keep_from = hops * HOP
        self._consumed += keep_from
        self._tail = x[keep_from:]

    def finish(self, offset_s: float = 0.0) -> list[ToneSpan]:
        """The tones found, times shifted by ``offset_s`` (the audio's start relative to the video)."""
        blocks = np.concatenate(self._blocks) if self._blocks else np.zeros(0)
        freq = np.asarray(self._freq)
        out: list[ToneSpan] = []
        i = 0
        while i < len(freq):
            if freq[i] <= 0:
                i += 1
                continue
            j = i
            while j + 1 < len(freq) and freq[j + 1] > 0 and abs(freq[j + 1] - freq[i]) <= 0.02 * freq[i]:
                j += 1
            a = (i * HOP + WINDOW / 2) / RATE
            b = (j * HOP + WINDOW / 2) / RATE
            if b - a + HOP / RATE >= self.min_s:
                level = float(np.median(self._level[i : j + 1]))
                a, b = _edges(blocks, a, b, level)
                out.append(ToneSpan(round(a + offset_s, 3), round(b + offset_s, 3),
                                    round(float(np.median(freq[i : j + 1])), 1), round(level, 1),
                                    round(float(np.mean(self._purity[i : j + 1])), 3)))
            i = j + 1
        return out


def _steady(blocks: np.ndarray, hops: int) -> np.ndarray:
    """Per hop: is the level of the 10 ms blocks under its window above the floor and within 3 dB?"""
    per = WINDOW // BLOCK
    if len(blocks) < per:
        return np.zeros(hops, dtype=bool)
    view = np.lib.stride_tricks.sliding_window_view(blocks, per)[:: HOP // BLOCK][:hops]
    out = np.zeros(hops, dtype=bool)
    out[: len(view)] = (view.min(axis=1) > _FLOOR_DB) & (view.max(axis=1) - view.min(axis=1) <= 3.0)
    return out


def _offset(power: np.ndarray, peak: np.ndarray) -> np.ndarray:
    """Sub-bin position of each peak (parabola through the log power of the peak and its neighbours)."""
    k = np.clip(peak, 1, power.shape[1] - 2)
    rows = np.arange(len(k))
    lo, mid, hi = (np.log(power[rows, k + d] + 1e-20) for d in (-1, 0, 1))
    den = lo - 2 * mid + hi
    return np.where(np.abs(den) > 1e-12, 0.5 * (lo - hi) / np.where(den == 0, 1, den), 0.0) + (k - peak)


def _edges(blocks: np.ndarray, a: float, b: float, level: float) -> tuple[float, float]:
    """Tone start and end on 10 ms blocks: widen (or narrow) from the window centres to where the
    block level is within 6 dB of the tone's."""
    if not len(blocks):
        return a, b
    loud = blocks >= level - 6.0
    ia, ib = int(a * RATE / BLOCK), min(int(b * RATE / BLOCK), len(blocks) - 1)
    reach = WINDOW // BLOCK
    lo = ia
    while lo > max(0, ia - reach) and loud[lo - 1]:
        lo -= 1
    while lo < ib and not loud[lo]:
        lo += 1
    hi = ib
    while hi < min(len(blocks) - 1, ib + reach) and loud[hi + 1]:
        hi += 1
    while hi > lo and not loud[hi]:
        hi -= 1
    return lo * BLOCK / RATE, (hi + 1) * BLOCK / RATE
