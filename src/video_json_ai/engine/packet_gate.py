"""Which H.264 pictures the pass can leave undecoded, decided per packet before decoding.

A *non-reference* picture (``nal_ref_idc`` 0: most B-frames in x264, Apple and NVENC encodes) is
used by no other picture, so not decoding it changes nothing else. About 45 % of the frames of a
typical encode are such pictures, and not decoding them takes ~40 % off the decoder's CPU time.

They are left out only where no shot boundary can hide among them. Every picture that starts a
new shot forces an expensive *anchor* in the encoded stream: the next I- or P-picture in display
order has nothing of the new shot to predict from, so it is coded almost from scratch (x264 puts
an I-frame there itself). In decode order that anchor comes *before* the B-pictures that are shown
between it and the previous anchor. So, reading packets in decode order:

* an anchor is a packet later in display order (pts) than every packet before it;
* an anchor is *busy* when it is a keyframe, or at least ``BUSY_RATIO`` x the median size of the
  recent anchors or ``KEY_SHARE`` x the last keyframe's size (a cut, a flash, a fast pan...);
* a non-reference packet is decoded when its anchor (the last one read) is busy, else skipped.

So every frame of a group that holds a possible boundary is decoded, and calm groups show the
detector their reference pictures only (every 2nd frame of a usual encode). Other codecs,
Annex-B H.264 (raw ``.h264``, MPEG-TS) and packets without timestamps are decoded in full.

``FrameNumbers`` turns the decoded frames' timestamps back into frame numbers of the full video.
"""

from __future__ import annotations

import heapq
from collections import deque
from statistics import median

import av

BUSY_RATIO = 2.5
"""An anchor this many times the median recent anchor size may start a new shot."""
KEY_SHARE = 0.5
"""... or at least this share of the last keyframe's size (where every picture is costly)."""
HISTORY = 8
"""Recent (non-key) anchors whose median size is the yardstick."""

_SLICE = (1, 5)  # coded slice of a non-IDR / IDR picture
_HARMLESS = (6, 9, 12)  # SEI, access unit delimiter, filler: may ride along with a skipped picture


def avcc_length_size(stream: av.video.stream.VideoStream) -> int | None:
    """Bytes in each NAL unit's length prefix for length-prefixed (MP4/MOV/MKV) H.264, else None."""
    if stream.codec_context.name != "h264":
        return None
    extra = stream.codec_context.extradata
    if not extra or len(extra) < 7 or extra[0] != 1:
        return None  # Annex B (start codes): not read here
    return (extra[4] & 3) + 1


def is_unreferenced(data: memoryview, length_size: int) -> bool:
    """True when the packet holds only slices of a non-reference picture (plus SEI/AUD/filler)."""
    i, n, slices = 0, len(data), 0
    while i + length_size < n:
        size = int.from_bytes(data[i : i + length_size], "big")
        i += length_size
        if size <= 0 or i + size > n:
            return False  # malformed: let the decoder deal with it
        header = data[i]
        kind = header & 31
        if kind in _SLICE:
            if header & 0x60:
                return False
            slices += 1
        elif kind not in _HARMLESS:
            return False  # parameter sets or anything else: keep
        i += size
    return slices > 0


class PacketGate:
    """Decides, packet by packet in decode order, whether the decoder needs to see it."""

    def __init__(self, length_size: int) -> None:
        self.length_size = length_size
        self.enabled = True
        self.skipped = 0
        self._last_pts: int | None = None
        self._recent: deque[int] = deque(maxlen=HISTORY)
        self._busy = True
        self._key_size = 0
        self.numbers = FrameNumbers()

    @classmethod
    def for_stream(cls, stream: av.video.stream.VideoStream) -> "PacketGate | None":
        length_size = avcc_length_size(stream)
        return cls(length_size) if length_size else None

    def admit(self, packet: av.Packet) -> bool:
        """False: leave this packet undecoded (its frame number is remembered)."""
        if not self.enabled or not packet.size:
            return True
        pts = packet.pts
        if pts is None:
            self.enabled = False  # no order to reason about: decode everything from here on
            return True
        if self._last_pts is None or pts > self._last_pts:
            self._last_pts = pts
            size = packet.size
            if packet.is_keyframe:
                self._busy = True
                self._key_size = size
            else:
                self._busy = len(self._recent) < 2 or size >= BUSY_RATIO * median(self._recent) \
                    or size >= KEY_SHARE * self._key_size
                self._recent.append(size)
        if self._busy or not is_unreferenced(memoryview(packet), self.length_size):
            return True
        self.skipped += 1
        self.numbers.skip(pts)
        return False


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
