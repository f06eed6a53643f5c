"""The decoding side of the single pass: the video stream opened for it, its frames in order
(audio packets decoded on the way, unreferenced pictures left out by the packet gate), the small
grey picture each frame is scaled to, and each frame's time.

Decoding uses FFmpeg's frame threading; the loop filter is skipped (``skip_loop_filter=all``,
``flags2=+fast``: ~15-20 % faster H.264 decoding, invisible at analysis size). Times come from
presentation timestamps (variable frame rate safe), relative to the first frame.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Protocol

import av
import numpy as np
from av.video.reformatter import VideoReformatter

from video_json_ai.engine.analysis.packet_gate import PacketGate
from video_json_ai.engine.audio.analysis import AudioAnalysis
from video_json_ai.errors import MediaError

ANALYSIS_AREA = 96 * 54


@dataclass(slots=True)
class VideoStream:
    """The video stream of a file, set up for the pass."""

    stream: av.video.stream.VideoStream
    index: int
    """The stream's index in the file (read while the file is open)."""
    width: int
    height: int
    fps: float
    time_base: Fraction
    duration_s: float
    """From the stream's or the container's header (0: unknown); for progress only."""
    gate: PacketGate | None
    """Which packets are decoded (None: all)."""


def open_video_stream(container: av.container.InputContainer, path: Path, *, every_frame: bool,
                      fast_decode: bool) -> VideoStream:
    """The first video stream (not a cover picture), with its decoder threaded and, with
    ``fast_decode``, its loop filter skipped. Raises MediaError."""
    stream = _first_video_stream(container, path)
    cc = stream.codec_context
    width, height = cc.width, cc.height
    if not width or not height:
        raise MediaError(f"{path.name}: the video stream has no picture size", "The file may be damaged; re-encode it.")
    stream.thread_type = "AUTO"
    cc.thread_count = decode_threads()
    if fast_decode:
        cc.options = {"skip_loop_filter": "all", "flags2": "+fast"}
    gate = None if every_frame else PacketGate.for_stream(stream)
    rate = stream.average_rate or stream.guessed_rate
    tb = stream.time_base or Fraction(1, 90000)
    if stream.duration:
        duration = float(stream.duration * tb)
    elif container.duration:
        duration = container.duration / 1_000_000
    else:
        duration = 0.0
    return VideoStream(stream, stream.index, width, height, float(rate) if rate else 30.0, tb, duration, gate)


def _first_video_stream(container: av.container.InputContainer, path: Path) -> av.video.stream.VideoStream:
    for stream in container.streams.video:
        if not (stream.disposition & av.stream.Disposition.attached_pic):
            return stream
    raise MediaError(f"{path.name} has no video stream", "Scenes need a video track; use an audio tool for audio-only files.")


def decode_threads() -> int:
    """FFmpeg frame threads for the pass: more than FFmpeg's own choice (cores + 1), so that the
    decoder keeps working while this thread analyses a frame. On 2 cores, 6 threads instead of 3
    took ~4 % off the 2-minute 1080p benchmark's wall time (median of paired runs) for +22 MB of
    frames in flight. ``VIDEO_JSON_DECODE_THREADS`` overrides it (fewer: less memory)."""
    override = os.environ.get("VIDEO_JSON_DECODE_THREADS", "").strip()
    if override.isdigit() and int(override) > 0:
        return min(int(override), 32)
    return min(2 * (os.cpu_count() or 2) + 2, 16)


class PacketReader(Protocol):
    """Reads packets of other streams (subtitles...) demuxed in the same read as the video's."""

    def streams(self, container: av.container.InputContainer) -> Sequence[av.stream.Stream]:
        """The streams it wants (asked once, when the file is open)."""

    def on_packet(self, packet: av.Packet) -> None: ...


def video_frames(container: av.container.InputContainer, video: VideoStream,
                 sound: AudioAnalysis | None, readers: Sequence[PacketReader] = ()) -> Iterator[av.VideoFrame]:
    """The video's decoded frames in order. With ``sound``, the audio packets read on the way are
    decoded into it, and the packets of the ``readers``' streams go to them, so the file is read
    once for all; the video packets the gate turns away are not decoded."""
    stream, gate = video.stream, video.gate
    routes = {s.index: r.on_packet for r in readers for s in r.streams(container)}
    if sound is None and gate is None and not routes:
        yield from container.decode(stream)
        return
    if sound is not None:
        routes[sound.stream.index] = sound.decode
    others = [container.streams[i] for i in routes]
    for packet in container.demux(stream, *others):
        route = routes.get(packet.stream.index)
        if route is not None:
            route(packet)
        elif gate is None or gate.admit(packet):
            yield from packet.decode()


def analysis_size(width: int, height: int) -> tuple[int, int]:
    """An even-sided picture of about ANALYSIS_AREA pixels with the stored aspect."""
    aspect = width / max(height, 1)
    w = max(8, int(round(math.sqrt(ANALYSIS_AREA * aspect) / 2)) * 2)
    h = max(8, int(round(w / aspect / 2)) * 2)
    return w, h


class LumaShrinker:
    """Frame -> small grey picture for the detector, scaled by FFmpeg in two steps: a nearest-pixel
    pick down to 4x the analysis size, then area averaging (4x4 pixels) down to it. Measured on
    1080p: ~0.25 ms a frame against ~0.5 ms for one bilinear or ~1.2 ms for one area step, with the
    same shot boundaries; one fast-bilinear step (~0.1 ms) aliases film grain and misses cuts.
    Each step keeps its SwsContext (a long-lived ``VideoReformatter``: ``frame.reformat`` builds a
    new one per call, ~2 ms on a 1080p frame against ~0.4 ms reused)."""

    def __init__(self, width: int, height: int, aw: int, ah: int) -> None:
        self.size = (aw, ah)
        self.mid = (aw * 4, ah * 4) if width >= aw * 8 and height >= ah * 8 else None
        self._pick, self._average = VideoReformatter(), VideoReformatter()

    def __call__(self, frame: av.VideoFrame) -> np.ndarray:
        aw, ah = self.size
        if self.mid is None:
            return self._average.reformat(frame, width=aw, height=ah, format="gray", interpolation="AREA").to_ndarray()
        grey = self._pick.reformat(frame, width=self.mid[0], height=self.mid[1], format="gray", interpolation="POINT")
        return self._average.reformat(grey, width=aw, height=ah, interpolation="AREA").to_ndarray()


class FrameClock:
    """Each decoded frame's time, relative to the first frame and never going back (a frame
    without a timestamp, or whose timestamp goes back, comes one frame duration after the
    previous one), and how many frames were left undecoded before it."""

    def __init__(self, fps: float, time_base: Fraction) -> None:
        self.time_base = time_base
        self.t0: float | None = None
        """Presentation time of the first frame in the file."""
        self.analysed = 0
        """Frames placed so far."""
        self.last_t = 0.0
        self.last_index = 0
        self.last_dur = 1.0 / fps
        """One frame's duration, as measured between the last two frames."""

    def time_of(self, frame: av.VideoFrame, index: int) -> float:
        """The time of ``frame``, frame number ``index`` of the video (then call ``advance``)."""
        if frame.pts is not None:
            t_abs = float(frame.pts * (frame.time_base or self.time_base))
        else:
            t_abs = (self.t0 or 0.0) + self.last_t + self.last_dur
        if self.t0 is None:
            self.t0 = t_abs
        t = t_abs - self.t0
        if t < self.last_t and self.analysed:  # a timestamp going back: keep times monotonic
            t = self.last_t + self.last_dur
        elif self.analysed:
            self.last_dur = max((t - self.last_t) / max(index - self.last_index, 1), 1e-6)  # one frame's duration
        return t

    def skipped_before(self, index: int) -> int:
        """Frames left undecoded between the last placed frame and frame number ``index``."""
        return max(index - self.last_index - 1, 0) if self.analysed else 0

    def advance(self, t: float, index: int) -> None:
        """Frame number ``index`` at time ``t`` is placed."""
        self.last_t, self.last_index = t, index
        self.analysed += 1

    @property
    def end_s(self) -> float:
        """The end of the last placed frame."""
        return self.last_t + self.last_dur

    def end_with(self, pts: int) -> float:
        """The end of a frame left undecoded at timestamp ``pts``."""
        return float(pts * self.time_base) - (self.t0 or 0.0) + self.last_dur
