"""A short sample clip made with PyAV, so the demo needs nothing from outside.

Three shots of moving, textured content (hard cuts at 2 s and 4 s), a 440 Hz tone, a second of
silence (3.0-4.0 s), then a 660 Hz tone.
"""

from __future__ import annotations

import os
import tempfile
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

SAMPLE_CUTS_S = (2.0, 4.0)
SAMPLE_SILENCE_S = (3.0, 4.0)


def _shot_frame(shot: int, t: int, width: int, height: int) -> np.ndarray:
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    if shot == 0:  # diagonal stripes sliding right, warm colours
        phase = (xx + yy) / 12.0 - t * 0.35
        base = np.stack([200 + 50 * np.sin(phase), 120 + 60 * np.sin(phase * 0.5), 60 + 0 * phase], -1)
    elif shot == 1:  # rings zooming, cool colours
        r = np.hypot(xx - width / 2, yy - height / 2)
        phase = r / 9.0 - t * 0.4
        base = np.stack([40 + 30 * np.sin(phase), 110 + 70 * np.sin(phase), 200 + 50 * np.cos(phase)], -1)
    else:  # checkerboard panning, green
        cx = ((xx + t * 4) // 24 + yy // 24) % 2
        base = np.stack([60 + 80 * cx, 160 + 70 * cx, 70 + 40 * cx], -1)
    return np.clip(base, 0, 255).astype(np.uint8)


def write_sample(path: Path, *, width: int = 640, height: int = 360, fps: int = 25, seconds: float = 6.0) -> Path:
    """Write the sample clip to ``path`` (atomically) and return it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix or ".mp4", dir=path.parent)
    os.close(fd)
    try:
        with av.open(tmp, "w", format="mp4") as out:
            v = out.add_stream("libx264", rate=fps)
            v.width, v.height, v.pix_fmt = width, height, "yuv420p"
            v.options = {"preset": "veryfast", "crf": "23"}
            a = out.add_stream("aac", rate=48000)
            a.layout = "stereo"
            frames = int(seconds * fps)
            for i in range(frames):
                shot = sum(i >= c * fps for c in SAMPLE_CUTS_S)
                frame = av.VideoFrame.from_ndarray(_shot_frame(shot, i, width, height), format="rgb24")
                frame.pts = i
                frame.time_base = Fraction(1, fps)
                for packet in v.encode(frame):
                    out.mux(packet)
            for packet in v.encode(None):
                out.mux(packet)
            rate, block = 48000, 1024
            total = int(seconds * rate)
            t = np.arange(total) / rate
            tone = np.where(t < SAMPLE_SILENCE_S[1], 440.0, 660.0)
            signal = 0.25 * np.sin(2 * np.pi * tone * t)
            signal[(t >= SAMPLE_SILENCE_S[0]) & (t < SAMPLE_SILENCE_S[1])] = 0.0
            stereo = np.stack([signal, signal]).astype(np.float32)
            for start in range(0, total, block):
                chunk = np.ascontiguousarray(stereo[:, start : start + block])
                frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
                frame.sample_rate = rate
                frame.pts = start
                frame.time_base = Fraction(1, rate)
                for packet in a.encode(frame):
                    out.mux(packet)
            for packet in a.encode(None):
                out.mux(packet)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
