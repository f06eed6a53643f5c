"""Which H.264/HEVC pictures the pass can leave undecoded, decided per packet before decoding.

A *non-reference* picture (H.264 ``nal_ref_idc`` 0, HEVC ``TRAIL_N`` and its kin: most B-frames of
x264, x265, Apple and NVENC encodes) is used by no other picture, so not decoding it changes
nothing else. About 45 % of the frames of a typical encode are such pictures, and not decoding
them takes ~40 % off the decoder's CPU time.

They are left out only where no shot boundary can hide among them. Every picture that starts a
new shot forces an expensive *anchor* in the encoded stream: the next I- or P-picture in display
order has nothing of the new shot to predict from, so it is coded almost from scratch (x264 puts
an I-frame there itself). In decode order that anchor comes *before* the B-pictures that are shown
between it and the previous anchor. So, reading packets in decode order:

* an anchor is a packet later in display order (pts) than every packet before it;
* an anchor is *busy* when it is a keyframe, or at least ``BUSY_RATIO`` x the median size of the
  recent anchors or ``KEY_SHARE`` x the last keyframe's size (a cut, a flash, a fast pan...);
  after a busy anchor the sizes are measured afresh, and the first two anchors of a new stretch
  count as busy;
* a non-reference packet is decoded when its anchor (the last one read) is busy, or when it is
  as costly as a busy anchor itself (a flash), else skipped.

So every frame of a group that holds a possible boundary is decoded, and calm groups show the
detector their reference pictures only (every 2nd frame of a usual encode). Other codecs,
Annex-B streams (raw ``.h264``, MPEG-TS) are decoded in full, and so is the rest of a stream from
a packet without a timestamp or with a decode timestamp that goes back.

``FrameNumbers`` turns the decoded frames' timestamps back into frame numbers of the full video.
"""

from __future__ import annotations

import heapq
from collections import deque
from dataclasses import dataclass
from statistics import median

import av

BUSY_RATIO = 2.5
"""An anchor this many times the median recent anchor size may start a new shot."""
KEY_SHARE = 0.5
"""... or at least this share of the last keyframe's size (where every picture is costly)."""
HISTORY = 8
"""Recent (non-key) anchors whose median size is the yardstick."""

_H264_SLICES = (1, 5)  # coded slice of a non-IDR / IDR picture
_H264_HARMLESS = (6, 9, 12)  # SEI, access unit delimiter, filler: may ride along with a skipped picture
_HEVC_HARMLESS = (35, 36, 37, 38, 39, 40)  # AUD, end of sequence/stream, filler, SEI prefix/suffix


@dataclass(frozen=True, slots=True)
class NalFormat:
    """How a stream's packets are laid out: length-prefixed NAL units of H.264 or HEVC."""

    codec: str
    length_size: int
    """Bytes in each NAL unit's length prefix."""
    top_layer: int = 0
    """HEVC: the highest temporal sub-layer (a sub-layer non-reference picture is unreferenced
    only there); -1 when unknown (then no HEVC picture is called unreferenced)."""


def nal_format(stream: av.video.stream.VideoStream) -> NalFormat | None:
    """The layout of length-prefixed (MP4/MOV/MKV) H.264 or HEVC, from the stream's avcC/hvcC
    record; None for anything else (other codecs, Annex B start codes)."""
    name = stream.codec_context.name
    extra = stream.codec_context.extradata
    if not extra or extra[0] != 1:
        return None  # no record, or Annex B (start codes): not read here
    if name == "h264" and len(extra) >= 7:
        return NalFormat("h264", (extra[4] & 3) + 1)
    if name == "hevc" and len(extra) >= 23:
        layers = (extra[21] >> 3) & 7  # numTemporalLayers; 0 = unknown
        return NalFormat("hevc", (extra[21] & 3) + 1, layers - 1 if layers else -1)
    return None


def is_unreferenced(data: memoryview, fmt: NalFormat) -> bool:
    """True when the packet holds only slices of a picture no other picture refers to (H.264
    ``nal_ref_idc`` 0; HEVC sub-layer non-reference types in the top sub-layer), plus NAL units
    that decode nothing (SEI, delimiters, filler)."""
    i, n, slices, size_len = 0, len(data), 0, fmt.length_size
    hevc = fmt.codec == "hevc"
    while i + size_len < n:
        size = int.from_bytes(data[i : i + size_len], "big")
        i += size_len
        if size <= 0 or i + size > n or (hevc and size < 2):
            return False  # malformed: let the decoder deal with it
        header = data[i]
        if hevc:
            kind, layer = (header >> 1) & 63, (data[i + 1] & 7) - 1
            if kind < 32:  # a coded slice: TRAIL_N, TSA_N, STSA_N, RADL_N, RASL_N are even, below 10
                if kind >= 10 or kind % 2 or layer != fmt.top_layer:
                    return False
                slices += 1
            elif kind not in _HEVC_HARMLESS:
                return False  # parameter sets or anything else: keep
        else:
            kind = header & 31
            if kind in _H264_SLICES:
                if header & 0x60:
                    return False
                slices += 1
            elif kind not in _H264_HARMLESS:
                return False
        i += size
    return slices > 0


class PacketGate:
    """Decides, packet by packet in decode order, whether the decoder needs to see it."""

    def __init__(self, fmt: NalFormat) -> None:
        self.format = fmt
        self.enabled = True
        self._last_pts: int | None = None
        self._last_dts: int | None = None
        self._recent: deque[int] = deque(maxlen=HISTORY)
        self._busy = True
        self._key_size = 0
        self.numbers = FrameNumbers()

    @classmethod
    def for_stream(cls, stream: av.video.stream.VideoStream) -> "PacketGate | None":
        fmt = nal_format(stream)
        return cls(fmt) if fmt else None

    def admit(self, packet: av.Packet) -> bool:
        """False: leave this packet undecoded (its frame number is remembered)."""
        if not self.enabled or not packet.size:
            return True
        pts, dts = packet.pts, packet.dts
        if pts is None or (dts is not None and self._last_dts is not None and dts <= self._last_dts):
            self.enabled = False  # no order to reason about (or a discontinuity): decode everything from here on
            return True
        self._last_dts = dts if dts is not None else self._last_dts
        if self._last_pts is None or pts > self._last_pts:
            self._last_pts = pts
            if packet.is_keyframe:
                self._busy = True
                self._key_size = packet.size
                self._recent.clear()
            elif len(self._recent) < 2:  # measuring a new stretch: decode while learning its sizes
                self._busy = True
                self._recent.append(packet.size)
            else:
                self._busy = self._costly(packet.size)
                if self._busy:
                    self._recent.clear()  # something changed: the next anchors are measured afresh
                else:
                    self._recent.append(packet.size)
        elif self._costly(packet.size):
            return True  # a B-picture as costly as a busy anchor: a flash or a glitch among calm frames
        if self._busy or not is_unreferenced(memoryview(packet), self.format):
            return True
        self.numbers.skip(pts)
        return False

    def _costly(self, size: int) -> bool:
        return len(self._recent) < 2 or size >= BUSY_RATIO * median(self._recent) or size >= KEY_SHARE * self._key_size


class FrameNumbers:
    """Frame numbers (display order, 0-based, of the full video) for decoded frames, given the
    timestamps of the frames that were left undecoded."""

    def __init__(self) -> None:
        self._skipped: list[int] = []
        self._before = 0

    def skip(self, pts: int) -> None:
        heapq.heappush(self._skipped, pts)

    def number(self, pts: int | None, decoded_before: int) -> int:
        """The frame number of a decoded frame; ``decoded_before``: frames decoded before it."""
        if pts is not None:
            while self._skipped and self._skipped[0] < pts:
                heapq.heappop(self._skipped)
                self._before += 1
        return decoded_before + self._before

    def trailing(self) -> list[int]:
        """Timestamps of skipped frames after the last decoded one (normally none)."""
        return sorted(self._skipped)
