"""Keyframes: the most representative sharp frame of each scene, chosen during the single pass.

Frames are sampled a few times a second; while boundaries are still being decided all recent
candidates are kept, older ones are thinned where they are densest, so each scene keeps a few
candidates spread over its whole length whatever its duration, and memory stays bounded. A
candidate is the frame scaled by FFmpeg to the keyframe size (display aspect: sample aspect
ratio applied). When the scene closes, the candidate closest to the scene's average look with the
best sharpness wins; it is rotated upright (display matrix) and written as a JPEG, atomically.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

import av
import numpy as np
from av.video.reformatter import VideoReformatter

from video_json_ai.util.atomic import write_bytes_atomic
from video_json_ai.util.time import timecode
from video_json_ai.models.scenes import Keyframe

if TYPE_CHECKING:
    from video_json_ai.engine.analysis.frames import DecodedFrame


@dataclass(slots=True)
class _Candidate:
    frame: int
    time_s: float
    picture: av.VideoFrame
    signature: np.ndarray
    sharpness: float


def keyframe_size(width: int, height: int, sar: Fraction | None, rotation: int, target_width: int) -> tuple[int, int]:
    """(width, height) to scale the *stored* picture to, so that after rotation it is shown
    ``target_width`` wide (never wider than the picture is shown), with the display aspect."""
    sar = sar if sar and sar > 0 else Fraction(1)
    shown_w, shown_h = float(width * sar), float(height)
    quarter = abs(rotation) % 180 == 90
    if quarter:
        shown_w, shown_h = shown_h, shown_w
    out_w = min(target_width, int(round(shown_w)))
    out_h = max(2, int(round(out_w * shown_h / shown_w / 2)) * 2)
    out_w = max(2, out_w // 2 * 2)
    return (out_h, out_w) if quarter else (out_w, out_h)


def _sharpness(luma: np.ndarray) -> float:
    y = luma[::2, ::2].astype(np.float32)
    return float(np.abs(np.diff(y, axis=0)).mean() + np.abs(np.diff(y, axis=1)).mean())


def _luma(picture: av.VideoFrame) -> np.ndarray:
    plane = picture.planes[0]
    buf = np.frombuffer(plane, np.uint8).reshape(plane.height, plane.line_size)
    return buf[:, : plane.width]


def encode_jpeg(picture: av.VideoFrame, rotation: int, quality: int = 3) -> bytes:
    """JPEG bytes of ``picture`` (any format), rotated upright for a display rotation in degrees
    (counter-clockwise, as in FFmpeg's display matrix)."""
    turns = int(round(rotation / 90.0)) % 4
    if turns:
        rgb = np.rot90(picture.to_ndarray(format="rgb24"), k=turns)
        picture = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
    picture = picture.reformat(format="yuvj420p")
    ctx = av.CodecContext.create("mjpeg", "w")
    ctx.width, ctx.height = picture.width, picture.height
    ctx.pix_fmt = "yuvj420p"
    ctx.time_base = Fraction(1, 25)
    ctx.qmin = ctx.qmax = quality
    picture.pts = 0
    data = b"".join(bytes(p) for p in ctx.encode(picture))
    data += b"".join(bytes(p) for p in ctx.encode(None))
    return data


class KeyframePicker:
    """A FrameAnalyzer that collects candidates while scenes are open; ``close`` picks and writes a scene's keyframe.

    Scene boundaries are settled a few seconds after the frames they split were decoded, so the
    candidates of several scenes can be waiting at once. Frames are sampled every
    ``interval_s``; the newest ``recent`` candidates (10 s by default, more than the detector's
    decision delay) are always kept, and when more than ``cap`` are waiting, older ones are thinned
    where they are closest together (a long scene keeps a few candidates spread over its length).
    At most ``cap`` keyframe-sized pictures are held: ~19 MB at 640x360.
    """

    def __init__(
        self,
        out_dir: Path | None,
        *,
        size: tuple[int, int],
        rotation: int,
        interval_s: float = 0.25,
        cap: int = 56,
        recent: int = 40,
    ) -> None:
        self.out_dir = out_dir
        self.size = size
        self.rotation = rotation
        self.interval_s = interval_s
        self.cap = max(cap, recent + 2)
        self.recent = recent
        self._last_sample_t: float | None = None
        self._cands: list[_Candidate] = []
        self._scaler = VideoReformatter()
        self.written = 0
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)

    def on_frame(self, frame: DecodedFrame) -> None:
        """As a FrameAnalyzer: take the frame as a candidate when one is due."""
        if self.wants(frame.time_s):
            self.offer(frame.index, frame.time_s, frame.av_frame, frame.luma[::6, ::6].astype(np.float32))

    def finish(self) -> None:
        pass  # scenes are closed by ``close``

    def wants(self, time_s: float) -> bool:
        return self._last_sample_t is None or time_s - self._last_sample_t >= self.interval_s * 0.999

    def offer(self, index: int, time_s: float, av_frame: av.VideoFrame, signature: np.ndarray) -> None:
        """Take this frame as a candidate (call only when ``wants`` said so)."""
        self._last_sample_t = time_s
        picture = self._scaler.reformat(av_frame, width=self.size[0], height=self.size[1], format="yuvj420p",
                                        interpolation="AREA")
        self._cands.append(_Candidate(index, time_s, picture, signature, _sharpness(_luma(picture))))
        while len(self._cands) > self.cap:
            old = len(self._cands) - self.recent  # candidates 1..old-1 may go (keep the first)
            times = [c.time_s for c in self._cands]
            gaps = [times[i + 1] - times[i - 1] for i in range(1, old)]
            del self._cands[1 + int(np.argmin(gaps))]

    def close(self, scene_index: int, first: int, last: int, avoid: list[tuple[int, int]]) -> Keyframe | None:
        """Finish the scene ``first..last`` (frames): choose, write, forget its candidates.
        ``avoid``: transition spans (fades, dissolves) whose frames make poor keyframes."""
        mine = [c for c in self._cands if first <= c.frame <= last]
        self._cands = [c for c in self._cands if c.frame > last]
        if not mine:
            return None
        clean = [c for c in mine if not any(a <= c.frame <= b for a, b in avoid)] or mine
        sigs = np.stack([c.signature.ravel() for c in clean])
        dist = np.abs(sigs - sigs.mean(axis=0)).mean(axis=1)
        sharp = np.array([c.sharpness for c in clean])
        score = sharp / (sharp.max() + 1e-6) - 0.7 * dist / (dist.max() + 1e-6)
        best = clean[int(np.argmax(score))]
        key = Keyframe(
            time_s=round(best.time_s, 3),
            timecode=timecode(best.time_s) or "",
            frame=best.frame,
            sharpness=round(best.sharpness, 3),
        )
        w, h = best.picture.width, best.picture.height
        if abs(self.rotation) % 180 == 90:
            w, h = h, w
        key.width, key.height = w, h
        if self.out_dir is not None:
            path = self.out_dir / f"scene_{scene_index:04d}.jpg"
            write_bytes_atomic(path, encode_jpeg(best.picture, self.rotation))
            key.path = str(path)
            self.written += 1
        return key
