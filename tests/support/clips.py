"""Clips the tests write with PyAV, with known properties."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from video_json_ai.engine.mux import mux_pictures, mux_sound


def make_clip(
    path: Path,
    *,
    codec: str = "libx264",
    width: int = 320,
    height: int = 240,
    fps: int = 25,
    seconds: float = 2.0,
    audio_layout: str | None = "stereo",
    sample_rate: int = 48000,
    rotation: int | None = None,
    chapters: list[tuple[float, float, str]] | None = None,
    title: str | None = None,
    container_format: str | None = None,
) -> Path:
    """A textured moving picture (and a 440 Hz tone when ``audio_layout`` is set)."""
    options = {"format": container_format} if container_format else {}
    with av.open(str(path), "w", **options) as out:
        if title:
            out.metadata["title"] = title
        v = out.add_stream(codec, rate=fps)
        v.width, v.height = width, height
        v.pix_fmt = "yuv420p"
        if rotation is not None:
            v.set_display_rotation(rotation)
        a = None
        if audio_layout:
            a = out.add_stream("aac", rate=sample_rate)
            a.layout = audio_layout
        if chapters:
            out.set_chapters([
                {"id": i + 1, "start": int(s * 1000), "end": int(e * 1000), "time_base": Fraction(1, 1000),
                 "metadata": {"title": t}}
                for i, (s, e, t) in enumerate(chapters)
            ])
        yy, xx = np.mgrid[0:height, 0:width]
        pictures = (np.stack([(xx + i * 3) % 256, (yy * 2) % 256, ((xx + yy) // 2 + i) % 256], -1).astype(np.uint8)
                    for i in range(int(round(seconds * fps))))
        mux_pictures(out, v, pictures, fps)
        if a is not None:
            channels = len(av.AudioLayout(audio_layout).channels)
            t = np.arange(int(seconds * sample_rate)) / sample_rate
            mux_sound(out, a, np.tile(0.2 * np.sin(2 * np.pi * 440 * t), (channels, 1)), sample_rate)
    return path
