"""A short sample clip made with PyAV, so the demo needs nothing from outside.

Three shots of moving, textured content (hard cuts at 2 s and 4 s), a 440 Hz tone, a second of
silence (3.0-4.0 s), then a 660 Hz tone.
"""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np

from video_json_ai.util.atomic import atomic_path
from video_json_ai.engine.mux import mux_pictures, mux_sound

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
    rate = 48000
    t = np.arange(int(seconds * rate)) / rate
    tone = np.where(t < SAMPLE_SILENCE_S[1], 440.0, 660.0)
    signal = 0.25 * np.sin(2 * np.pi * tone * t)
    signal[(t >= SAMPLE_SILENCE_S[0]) & (t < SAMPLE_SILENCE_S[1])] = 0.0
    pictures = (_shot_frame(sum(i >= c * fps for c in SAMPLE_CUTS_S), i, width, height)
                for i in range(int(seconds * fps)))
    with atomic_path(path, suffix=".mp4") as tmp, av.open(str(tmp), "w", format="mp4") as out:
        v = out.add_stream("libx264", rate=fps)
        v.width, v.height, v.pix_fmt = width, height, "yuv420p"
        v.options = {"preset": "veryfast", "crf": "23"}
        a = out.add_stream("aac", rate=rate)
        a.layout = "stereo"
        mux_pictures(out, v, pictures, fps)
        mux_sound(out, a, np.stack([signal, signal]), rate)
    return path
