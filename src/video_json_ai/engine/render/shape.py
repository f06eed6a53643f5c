"""Turn decoded source frames into output frames: upright, scaled, padded or cropped, yuv420p.

One FFmpeg filter graph per source picture format; rebuilt when a frame's size or format changes.
"""

from __future__ import annotations

from fractions import Fraction

import av
import av.filter

from video_json_ai.engine.render.geometry import FitPlan, display_size, fit_plan, rotation_filters
from video_json_ai.models.render import PadStyle, RenderFit

BLUR_DIVISOR = 8
"""The blurred background is made at 1/8 of the output size, blurred, then scaled up (cheap)."""


class FrameShaper:
    """``shape(frame)`` gives the frame as it goes into the output (yuv420p, out_w x out_h)."""

    def __init__(self, out_w: int, out_h: int, fit: RenderFit, pad_style: PadStyle) -> None:
        self.out_w, self.out_h = out_w, out_h
        self.fit, self.pad_style = fit, pad_style
        self._key: tuple[object, ...] | None = None
        self._graph: av.filter.Graph | None = None

    def shape(self, frame: av.VideoFrame, sar: Fraction | None = None) -> av.VideoFrame:
        """``sar``: the stream's sample aspect ratio (PyAV frames do not carry it)."""
        rotation = int(round(frame.rotation or 0))
        key = (frame.width, frame.height, frame.format.name, rotation, sar)
        if key != self._key or self._graph is None:
            self._graph = self._build(frame, rotation, sar)
            self._key = key
        self._graph.push(frame)
        out = self._graph.pull()
        assert isinstance(out, av.VideoFrame)
        return out

    def _build(self, frame: av.VideoFrame, rotation: int, sar: Fraction | None) -> av.filter.Graph:
        shown = display_size(frame.width, frame.height, sar, rotation)
        plan = fit_plan(shown, (self.out_w, self.out_h), self.fit, self.pad_style)
        graph = av.filter.Graph()
        graph.threads = 1  # the encoder and decoder already use the cores
        src = graph.add_buffer(width=frame.width, height=frame.height, format=frame.format.name,
                               time_base=frame.time_base or Fraction(1, 1000))
        last = src
        for name, args in rotation_filters(rotation):
            node = graph.add(name, args) if args else graph.add(name)
            last.link_to(node)
            last = node
        last = _chain(graph, last, _picture_filters(plan))
        if plan.mode == "pad" and plan.pad_style == "blur":
            split = graph.add("split", "2")
            last.link_to(split)
            bg = _chain(graph, split, _blur_filters(plan, shown), first_output=0)
            fg = _chain(graph, split, [("scale", f"{plan.scale_w}:{plan.scale_h}:out_range=tv")], first_output=1)
            overlay = graph.add("overlay", f"x={plan.x}:y={plan.y}")
            bg.link_to(overlay, 0, 0)
            fg.link_to(overlay, 0, 1)
            last = overlay
        last = _chain(graph, last, [("setsar", "1"), ("format", "yuv420p")])
        last.link_to(graph.add("buffersink"))
        graph.configure()
        return graph


def _chain(graph: av.filter.Graph, start: av.filter.FilterContext, filters: list[tuple[str, str]],
           first_output: int = 0) -> av.filter.FilterContext:
    last, output = start, first_output
    for name, args in filters:
        node = graph.add(name, args)
        last.link_to(node, output, 0)
        last, output = node, 0
    return last


def _picture_filters(plan: FitPlan) -> list[tuple[str, str]]:
    if plan.mode == "scale":
        return [("scale", f"{plan.out_w}:{plan.out_h}:out_range=tv")]
    if plan.mode == "crop":
        return [("scale", f"{plan.scale_w}:{plan.scale_h}:out_range=tv"),
                ("crop", f"{plan.out_w}:{plan.out_h}:{plan.x}:{plan.y}")]
    if plan.pad_style == "black":
        return [("scale", f"{plan.scale_w}:{plan.scale_h}:out_range=tv"),
                ("pad", f"{plan.out_w}:{plan.out_h}:{plan.x}:{plan.y}:black")]
    return []  # blur: split, then background and foreground branches


def _blur_filters(plan: FitPlan, shown: tuple[int, int]) -> list[tuple[str, str]]:
    """Background: the picture scaled to cover the frame at low resolution, blurred, scaled up."""
    bw = max(16, plan.out_w // BLUR_DIVISOR // 2 * 2)
    bh = max(16, plan.out_h // BLUR_DIVISOR // 2 * 2)
    s = max(bw / shown[0], bh / shown[1])
    cw, ch = max(bw, int(shown[0] * s + 0.999)), max(bh, int(shown[1] * s + 0.999))
    sigma = max(1.5, min(bw, bh) / 12)
    return [
        ("scale", f"{cw}:{ch}:out_range=tv"),
        ("crop", f"{bw}:{bh}"),
        ("gblur", f"sigma={sigma:.2f}"),
        ("scale", f"{plan.out_w}:{plan.out_h}:flags=bilinear"),
    ]
