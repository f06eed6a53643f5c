"""Output size and how each source picture fits into it (pure arithmetic, no media)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from video_json_ai.models.render import PadStyle, RenderAspect, RenderFit, RenderResolution

SHORT_SIDES: dict[str, int] = {"2160p": 2160, "1080p": 1080, "720p": 720, "480p": 480}
ASPECTS: dict[str, Fraction] = {"16:9": Fraction(16, 9), "9:16": Fraction(9, 16), "1:1": Fraction(1),
                                "4:5": Fraction(4, 5)}
GIF_MAX_SHORT_SIDE = 480
MIN_SIDE = 16


def even(value: float) -> int:
    """Nearest even integer, at least 2 (yuv420p needs even sizes)."""
    return max(2, int(round(value / 2.0)) * 2)


def display_size(width: int, height: int, sar: Fraction | None, rotation: int) -> tuple[int, int]:
    """Size as shown: square pixels after the sample aspect ratio, then the display rotation."""
    w = int(round(width * float(sar))) if sar and sar > 0 and sar != 1 else width
    h = height
    return (h, w) if rotation % 180 else (w, h)


def rotation_filters(rotation: int) -> list[tuple[str, str]]:
    """FFmpeg filters that show a frame upright, from PyAV's ``frame.rotation``.

    ``frame.rotation`` is the display matrix angle, counter-clockwise; FFmpeg's own autorotate uses
    ``theta = -angle``: 90 -> transpose clock, 180 -> flip both, 270 -> transpose cclock.
    """
    theta = (-int(round(rotation))) % 360
    theta = int(round(theta / 90.0)) * 90 % 360
    if theta == 90:
        return [("transpose", "clock")]
    if theta == 180:
        return [("hflip", ""), ("vflip", "")]
    if theta == 270:
        return [("transpose", "cclock")]
    return []


def output_size(
    *,
    first: tuple[int, int],
    resolution: RenderResolution,
    aspect: RenderAspect,
    gif: bool = False,
) -> tuple[int, int]:
    """Width and height of the output.

    ``resolution`` names the short side and is honoured even above the sources' (see
    ``upscale_warning``); ``source`` keeps the first source's short side, so it never upscales.
    Capped at 1920x1080 / 1080x1920 (3840x2160 when 2160p is asked for); GIFs stay at most 480 on
    the short side unless a resolution is asked for.
    """
    fw, fh = first
    ratio = ASPECTS[aspect] if aspect != "source" else Fraction(fw, fh)
    short = SHORT_SIDES.get(resolution, min(fw, fh))
    if gif and resolution == "source":
        short = min(short, GIF_MAX_SHORT_SIDE)
    if ratio >= 1:
        w, h = short * float(ratio), float(short)
    else:
        w, h = float(short), short / float(ratio)
    cap_long, cap_short = (3840, 2160) if resolution == "2160p" else (1920, 1080)
    scale = min(1.0, cap_long / max(w, h), cap_short / min(w, h))
    return max(MIN_SIDE, even(w * scale)), max(MIN_SIDE, even(h * scale))


def upscale_warning(size: tuple[int, int], largest_short_side: int, *, allow_upscale: bool) -> str | None:
    """The warning for an output whose short side is above every source's (None when it is not,
    or when the caller said upscaling was wanted)."""
    short = min(size)
    if allow_upscale or short <= largest_short_side:
        return None
    return (f"The source is smaller than the {short}p asked for (largest source short side {largest_short_side} px): "
            f"the picture was upscaled to {size[0]}x{size[1]} and will look softer than a native {short}p video.")


@dataclass(frozen=True)
class FitPlan:
    """How one source picture (already upright, square pixels) goes into the output frame."""

    mode: Literal["scale", "pad", "crop"]
    out_w: int
    out_h: int
    scale_w: int
    """The picture is scaled to scale_w x scale_h ..."""
    scale_h: int
    x: int
    """... then placed at (x, y) (pad) or cut from (x, y) (crop)."""
    y: int
    pad_style: PadStyle = "black"


def fit_plan(shown: tuple[int, int], out: tuple[int, int], fit: RenderFit, pad_style: PadStyle) -> FitPlan:
    dw, dh = shown
    ow, oh = out
    if abs(dw / dh - ow / oh) <= 0.01 * (ow / oh):
        return FitPlan("scale", ow, oh, ow, oh, 0, 0)
    if fit == "crop":
        s = max(ow / dw, oh / dh)
        sw = max(ow, 2 * math.ceil(dw * s / 2))
        sh = max(oh, 2 * math.ceil(dh * s / 2))
        return FitPlan("crop", ow, oh, sw, sh, (sw - ow) // 4 * 2, (sh - oh) // 4 * 2)
    s = min(ow / dw, oh / dh)
    sw = min(ow, even(dw * s))
    sh = min(oh, even(dh * s))
    return FitPlan("pad", ow, oh, sw, sh, (ow - sw) // 4 * 2, (oh - sh) // 4 * 2, pad_style)
