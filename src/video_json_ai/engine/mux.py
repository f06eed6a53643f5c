"""Encode numpy pictures and sound into an open PyAV output (the sample clip, tests, benchmarks)."""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction

import av
import numpy as np


def mux_pictures(out: av.container.OutputContainer, stream: av.video.stream.VideoStream,
                 pictures: Iterable[np.ndarray], fps: int | Fraction, *, format: str = "rgb24") -> int:
    """Encode ``pictures`` (H x W x 3 uint8 for rgb24) at ``fps``, one frame each, then flush.
    Returns the number of frames written."""
    time_base = Fraction(1, 1) / Fraction(fps)
    count = 0
    for count, picture in enumerate(pictures, start=1):
        frame = av.VideoFrame.from_ndarray(picture, format=format)
        frame.pts, frame.time_base = count - 1, time_base
        for packet in stream.encode(frame):
            out.mux(packet)
    for packet in stream.encode(None):
        out.mux(packet)
    return count


def mux_sound(out: av.container.OutputContainer, stream: av.audio.stream.AudioStream,
              samples: np.ndarray, rate: int, *, block: int = 1024) -> None:
    """Encode planar float samples, shaped (channels, n), in blocks of ``block`` samples, then flush."""
    layout = stream.layout.name
    planar = np.asarray(samples, dtype=np.float32)
    for start in range(0, planar.shape[1], block):
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(planar[:, start:start + block]), format="fltp",
                                           layout=layout)
        frame.sample_rate, frame.pts, frame.time_base = rate, start, Fraction(1, rate)
        for packet in stream.encode(frame):
            out.mux(packet)
    for packet in stream.encode(None):
        out.mux(packet)
