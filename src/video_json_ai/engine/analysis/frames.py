"""What the single decode pass hands to every frame analyzer.

``analysis/pipeline.py`` decodes a video once and calls each ``FrameAnalyzer`` of its list for
every decoded frame, in order: the frame record, the shot detector's feed, the colour sampler, the
keyframe picker, then any extra analyzers given to ``analyze_video`` (on-screen text...). A new
analyzer plugs in by being one more object in that list. Analyzers must not keep references to
``av_frame`` after ``on_frame`` returns.
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
    """0-based frame number in the full video, in presentation order (frames left undecoded by
    the packet gate count too)."""
    time_s: float
    """Presentation time relative to the first frame of the stream, seconds."""
    luma: "np.ndarray"
    """Small downscaled luma plane (uint8, H x W) used for analysis."""
    av_frame: "av.VideoFrame"
    """The full decoded frame; valid only during ``on_frame``."""
    position: int = 0
    """0-based count of the frames decoded and analysed before this one."""
    skipped_before: int = 0
    """Frames of the video left undecoded between the previous analysed frame and this one (in a
    stretch the encoder coded as predictable)."""


class FrameAnalyzer(Protocol):
    """Something that looks at frames during the one decode pass."""

    def on_frame(self, frame: DecodedFrame) -> None: ...

    def finish(self) -> None:
        """Called once after the last frame."""
