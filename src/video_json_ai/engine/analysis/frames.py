"""What the single decode pass hands to every frame analyzer.

``engine/pipeline.py`` decodes a video once and calls each registered ``FrameAnalyzer`` for every
frame. Analyzers must not keep references to ``av_frame`` after ``on_frame`` returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import av
    import numpy as np


@dataclass(slots=True)
class DecodedFrame:
    index: int
    """0-based frame number in decode (presentation) order."""
    time_s: float
    """Presentation time relative to the first frame of the stream, seconds."""
    luma: "np.ndarray"
    """Small downscaled luma plane (uint8, H x W) used for analysis."""
    av_frame: "av.VideoFrame"
    """The full decoded frame; valid only during ``on_frame``."""


class FrameAnalyzer(Protocol):
    """Something that looks at frames during the one decode pass."""

    def on_frame(self, frame: DecodedFrame) -> None: ...

    def finish(self) -> None:
        """Called once after the last frame."""
