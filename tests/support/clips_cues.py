"""Clips with technical cues at known frames: black, SMPTE bars with a 1 kHz tone, freezes, scrolling
credits, between stretches of moving textured content (tests/support/clips_scenes.py)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from tests.support.clips_scenes import Shot, render_frames
from video_json_ai.engine.mux import mux_pictures, mux_sound

RATE = 48000
NAMES = ["Directed by Ada Lovelace", "Produced by Alan Turing", "Music by Clara Schumann",
         "Camera Grace Hopper", "Editor Edsger Dijkstra", "Sound Barbara Liskov", "Lighting Donald Knuth",
         "Costumes Margaret Hamilton", "Catering Dennis Ritchie", "Thanks to everyone"]


@dataclass
class Part:
    kind: str  # black | bars | content | freeze | credits
    frames: int
    tone_hz: float | None = None  # a sine under the part (else quiet noise)


def smpte_bars(width: int, height: int, side_pillars: bool = True) -> np.ndarray:
    """75 % bars (white, yellow, cyan, green, magenta, red, blue) over the top 7/12, with 40 % grey
    side pillars of 1/8 width when ``side_pillars`` (SMPTE RP 219 / ARIB layout), and a darker
    bottom band with a PLUGE-like black and a white square."""
    img = np.zeros((height, width, 3), np.uint8)
    colours = [(191, 191, 191), (191, 191, 0), (0, 191, 191), (0, 191, 0), (191, 0, 191), (191, 0, 0), (0, 0, 191)]
    x0, x1 = (width // 8, width - width // 8) if side_pillars else (0, width)
    top = height * 7 // 12
    if side_pillars:
        img[:top, :x0] = img[:top, x1:] = 104
    edges = np.linspace(x0, x1, 8).round().astype(int)
    for k, c in enumerate(colours):
        img[:top, edges[k] : edges[k + 1]] = c
    img[top:, :] = 38
    img[top + (height - top) // 3 :, width // 6 : width // 3] = 235
    return img


def credits_roll(width: int, height: int, frames: int, speed: float) -> Iterator[np.ndarray]:
    """White names on black, scrolling up ``speed`` pixels a frame, entering from the bottom."""
    font = ImageFont.load_default(max(12, height // 16))
    line = int(height / 8)
    sheet = Image.new("RGB", (width, height * 2 + line * len(NAMES)), (0, 0, 0))
    draw = ImageDraw.Draw(sheet)
    for k, name in enumerate(NAMES):
        w = draw.textlength(name, font=font)
        draw.text(((width - w) / 2, height + k * line), name, font=font, fill=(255, 255, 255))
    rows = np.asarray(sheet)
    for f in range(frames):
        y = int(round(height * 0.6 + f * speed))  # the first lines are on screen from the first frame
        yield rows[y : y + height]


def make_cue_clip(path: Path, parts: list[Part], *, width: int = 320, height: int = 180, fps: int = 25,
                  audio: bool = True, seed: int = 3) -> Path:
    """Encode the parts in order (H.264 CRF 18, AAC), each content part a new moving shot."""
    def pictures() -> Iterator[np.ndarray]:
        last = None
        for k, part in enumerate(parts):
            if part.kind == "black":
                frames: Iterator[np.ndarray] = (np.zeros((height, width, 3), np.uint8) for _ in range(part.frames))
            elif part.kind == "bars":
                bars = smpte_bars(width, height)
                frames = (bars for _ in range(part.frames))
            elif part.kind == "content":
                frames = (img for _, img in render_frames([Shot(part.frames, seed=seed + k, speed=(0.01, 0.004))],
                                                          width, height))
            elif part.kind == "freeze":
                assert last is not None, "a freeze holds the frame before it"
                frames = (last for _ in range(part.frames))
            else:
                frames = credits_roll(width, height, part.frames, speed=height / 90)
            for img in frames:
                last = img
                yield img

    with av.open(str(path), "w") as out:
        v = out.add_stream("libx264", rate=fps)
        v.width, v.height, v.pix_fmt = width, height, "yuv420p"
        v.options = {"crf": "18", "preset": "veryfast"}
        a = None
        if audio:
            a = out.add_stream("aac", rate=RATE)
            a.layout = "stereo"
        mux_pictures(out, v, pictures(), fps)
        if a is not None:
            rng = np.random.default_rng(seed)
            sound = []
            for part in parts:
                n = int(round(part.frames / fps * RATE))
                if part.tone_hz:
                    t = np.arange(n) / RATE
                    sound.append((0.25 * np.sin(2 * np.pi * part.tone_hz * t)).astype(np.float32))
                else:
                    sound.append((0.03 * rng.standard_normal(n)).astype(np.float32))
            mono = np.concatenate(sound)
            mux_sound(out, a, np.stack([mono, mono]), RATE)
    return path


def starts(parts: list[Part], fps: int = 25) -> list[tuple[str, int, int]]:
    """(kind, first frame, last frame) of each part."""
    out, f = [], 0
    for p in parts:
        out.append((p.kind, f, f + p.frames - 1))
        f += p.frames
    return out
