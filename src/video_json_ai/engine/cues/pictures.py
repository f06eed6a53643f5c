"""Per-frame rules on the small analysis picture (~96x54 luma, full range 0-255).

* black: at least ``coverage`` of the pixels are at or below ``max_level`` (AWS Rekognition's
  MaxPixelThreshold / MinCoveragePercentage, measured on the analysis picture: area averaging
  there blurs a small bright detail into its dark surround, so a caption on black stays black).
* colour bars: in the upper half (rows 5-55 %, where SMPTE, ARIB and EBU bars all are), every
  column is nearly constant downwards, and the column levels form at least six plateaus of a bar's
  width that step down from one to the next by at least 8 levels, over at least 100 levels in all
  (75 % and 100 % bars: white, yellow, cyan, green, magenta, red, blue in falling luma). Side
  pillars (4:3 bars in a 16:9 frame, ARIB grey) are outside that run and do not matter. Only then
  is the colour looked at (``bars_colours``): each bar's R, G, B on/off pattern must be the
  expected one for at least six of the seven bars.
* still: the mean absolute luma change to the previous analysed frame, for the freeze rule.
"""

from __future__ import annotations

import av
import numpy as np

_BAR_BITS = [(1, 1, 1), (1, 1, 0), (0, 1, 1), (0, 1, 0), (1, 0, 1), (1, 0, 0), (0, 0, 1)]
"""R, G, B on/off of white, yellow, cyan, green, magenta, red, blue."""


def black_share(luma: np.ndarray, max_level: float) -> float:
    """Share of pixels at or below ``max_level`` (0-255)."""
    return float(np.count_nonzero(luma <= max_level)) / luma.size


def _band(h: int) -> slice:
    return slice(int(h * 0.05), max(int(h * 0.55), int(h * 0.05) + 2))


def bar_spans(luma: np.ndarray) -> list[tuple[int, int]] | None:
    """Column spans (x0, x1) of seven bars stepping down in luma, or None when the picture has none."""
    h, w = luma.shape
    top = luma[_band(h)].astype(np.float32)
    col = top.mean(axis=0)
    if float(np.abs(top - col).mean()) > 6.0 or float(col.max() - col.min()) < 100.0:
        return None  # not vertical stripes, or too little range: the common case ends here
    plateaus: list[list[float]] = []  # [x0, x1, sum, count]
    for x, v in enumerate(col):
        if plateaus and abs(v - plateaus[-1][2] / plateaus[-1][3]) <= 10.0:
            p = plateaus[-1]
            p[1], p[2], p[3] = x, p[2] + v, p[3] + 1
        else:
            plateaus.append([x, x, float(v), 1])
    wide = [(int(p[0]), int(p[1]), p[2] / p[3]) for p in plateaus if p[3] >= max(2, w // 40)]
    best: list[tuple[int, int, float]] = []
    run: list[tuple[int, int, float]] = []
    for p in wide:
        if run and p[2] <= run[-1][2] - 8.0 and p[1] - p[0] + 1 <= w // 3:
            run.append(p)
        else:
            run = [p] if p[1] - p[0] + 1 <= w // 3 else []
        if len(run) > len(best):
            best = list(run)
    if len(best) < 6 or best[0][2] - best[-1][2] < 100.0:
        return None
    return [(x0, x1) for x0, x1, _ in best[:7]]


def bars_colours(frame: av.VideoFrame, spans: list[tuple[int, int]], size: tuple[int, int], turns: int = 0) -> bool:
    """Do the bars found in the luma have the bar colours? ``size``: the analysis picture's (w, h) as
    stored, ``turns``: quarter turns that made the luma upright. (A small RGB picture, only for candidates.)"""
    rgb = frame.reformat(width=size[0], height=size[1], format="rgb24", interpolation="AREA").to_ndarray()
    if turns:
        rgb = np.rot90(rgb, k=turns)
    band = rgb[_band(rgb.shape[0])].astype(np.float32)
    means = [band[:, x0 : x1 + 1].mean(axis=(0, 1)) for x0, x1 in spans]
    top = float(max(m.max() for m in means))
    if top < 60.0:
        return False
    matches = sum(tuple(int(c > 0.5 * top) for c in m) == bits for m, bits in zip(means, _BAR_BITS))
    return matches >= min(6, len(spans))


def mean_change(luma: np.ndarray, prev: np.ndarray | None) -> float:
    if prev is None:
        return float("inf")
    return float(np.abs(luma.astype(np.int16) - prev.astype(np.int16)).mean())
