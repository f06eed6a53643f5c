"""Hostile files for the fuzz test and bench/fuzz.py: small real seeds, mutated.

Mutations: truncation, byte flips, box/element sizes changed, zeroed chunks, huge declared picture
sizes, wrong extensions, empty files. Every case is reproducible from its seed number.
"""

from __future__ import annotations

import random
import struct
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from video_json_ai.engine.mux import mux_pictures, mux_sound

SEED_KINDS = ("mp4", "mov", "webm", "mkv", "mp3")
MP4_BOXES = (b"moov", b"trak", b"mdia", b"minf", b"vmhd", b"smhd", b"stbl", b"hdlr", b"dinf", b"stsd", b"stsz",
             b"stco", b"stts", b"stsc", b"mvhd", b"tkhd", b"avc1", b"avcC", b"mp4a", b"esds", b"mdat", b"ftyp")
EBML_IDS = (b"\x18\x53\x80\x67", b"\x16\x54\xae\x6b", b"\xae", b"\xe0", b"\x1f\x43\xb6\x75", b"\xa3", b"\x63\xa2")
"""Matroska: Segment, Tracks, TrackEntry, Video, Cluster, SimpleBlock, CodecPrivate."""
OTHER_EXTENSIONS = ("mp4", "mov", "mkv", "webm", "avi", "mp3", "wav", "m4a", "aac", "png", "jpg", "gif", "webp")


def make_seed(kind: str, path: Path) -> Path:
    """A 0.4 s 64x48 clip (or a tone for mp3) of ``kind``."""
    if kind == "mp3":
        with av.open(str(path), "w", format="mp3") as out:
            a = out.add_stream("libmp3lame", rate=22050)
            a.layout = "mono"
            t = np.arange(int(0.4 * 22050)) / 22050
            mux_sound(out, a, (0.3 * np.sin(2 * np.pi * 440 * t))[None, :], 22050)
        return path
    video_codec, audio_codec, fmt = {"mp4": ("libx264", "aac", "mp4"), "mov": ("libx264", "aac", "mov"),
                                     "webm": ("libvpx-vp9", "libopus", "webm"),
                                     "mkv": ("libx264", "aac", "matroska")}[kind]
    with av.open(str(path), "w", format=fmt) as out:
        v = out.add_stream(video_codec, rate=10)
        v.width, v.height, v.pix_fmt = 64, 48, "yuv420p"
        a = out.add_stream(audio_codec, rate=48000)
        a.layout = "mono"
        yy, xx = np.mgrid[0:48, 0:64]
        pictures = (np.stack([(xx * 4 + i * 20) % 256, yy * 5 % 256, ((xx + yy) * 2 + i * 40) % 256], -1).astype(np.uint8)
                    for i in range(4))
        mux_pictures(out, v, pictures, 10)
        t = np.arange(int(0.4 * 48000)) / 48000
        mux_sound(out, a, (0.2 * np.sin(2 * np.pi * 440 * t))[None, :], 48000)
    return path


def make_seeds(folder: Path) -> dict[str, bytes]:
    folder.mkdir(parents=True, exist_ok=True)
    return {kind: make_seed(kind, folder / f"seed.{kind}").read_bytes() for kind in SEED_KINDS}


@dataclass(frozen=True)
class Case:
    number: int
    kind: str
    mutation: str
    extension: str
    data: bytes

    @property
    def name(self) -> str:
        return f"case{self.number:05d}_{self.kind}_{self.mutation}.{self.extension}"


def _positions(data: bytes, tags: tuple[bytes, ...]) -> list[int]:
    out = []
    for tag in tags:
        start = 0
        while (i := data.find(tag, start)) >= 0:
            out.append(i)
            start = i + 1
    return out


def _box_size(data: bytearray, rng: random.Random, kind: str) -> None:
    if kind in ("mp4", "mov"):
        spots = [i - 4 for i in _positions(bytes(data), MP4_BOXES) if i >= 4]
        if spots:
            at = rng.choice(spots)
            value = rng.choice([0, 1, 7, 8, 0xFFFFFFFF, 0x7FFFFFFF, rng.randrange(1 << 32),
                                struct.unpack(">I", data[at:at + 4])[0] + rng.randint(-64, 64)])
            data[at:at + 4] = struct.pack(">I", max(0, min(value, 0xFFFFFFFF)))
            return
    spots = [i + len(t) for t in EBML_IDS for i in _positions(bytes(data), (t,))] if kind in ("webm", "mkv") else []
    if spots:
        at = min(rng.choice(spots), len(data) - 1)
        data[at] = rng.choice([0x01, 0x80, 0xFF, 0x08, rng.randrange(256)])
        return
    _flips(data, rng)


def _huge_dimensions(data: bytearray, rng: random.Random, kind: str) -> None:
    big = rng.choice([0xFFFF, 0x7FFF, 16000, 30000])
    if kind in ("mp4", "mov"):
        for at in _positions(bytes(data), (b"avc1",)):
            entry = at + 4  # sample entry: 6 reserved, 2 index, 16 pre-defined/reserved, then width, height
            if entry + 28 <= len(data):
                data[entry + 24:entry + 28] = struct.pack(">HH", big, big)
        for at in _positions(bytes(data), (b"tkhd",)):
            if at + 88 <= len(data):
                data[at + 80:at + 88] = struct.pack(">II", big << 16, big << 16)
        return
    for tag in (b"\xb0", b"\xba"):  # Matroska PixelWidth / PixelHeight, 1- or 2-byte values
        for at in _positions(bytes(data), (tag,))[:3]:
            if at + 4 <= len(data) and data[at + 1] == 0x82:
                data[at + 2:at + 4] = struct.pack(">H", big)
    _flips(data, rng)


def _flips(data: bytearray, rng: random.Random) -> None:
    for _ in range(rng.randint(1, 40)):
        at = rng.randrange(len(data))
        data[at] ^= 1 << rng.randrange(8)


def _zero(data: bytearray, rng: random.Random) -> None:
    start = rng.randrange(len(data))
    length = rng.randint(1, max(1, len(data) // rng.choice([4, 16, 64])))
    data[start:start + length] = bytes(min(length, len(data) - start))


MUTATIONS = ("truncate", "flip", "box", "zero", "huge", "extension", "empty", "flip+truncate")


def mutate(number: int, seeds: dict[str, bytes]) -> Case:
    """Case ``number``: its seed file, mutation and extension follow from the number alone."""
    rng = random.Random(number)
    kind = rng.choice(SEED_KINDS)
    mutation = rng.choice(MUTATIONS)
    data = bytearray(seeds[kind])
    extension = kind
    if mutation == "truncate":
        data = data[:rng.randrange(len(data))]
    elif mutation == "flip":
        _flips(data, rng)
    elif mutation == "box":
        _box_size(data, rng, kind)
    elif mutation == "zero":
        _zero(data, rng)
    elif mutation == "huge":
        _huge_dimensions(data, rng, kind)
    elif mutation == "extension":
        extension = rng.choice([e for e in OTHER_EXTENSIONS if e != kind])
    elif mutation == "empty":
        data = bytearray()
    else:
        _flips(data, rng)
        data = data[:rng.randrange(max(1, len(data)))]
    return Case(number, kind, mutation, extension, bytes(data))
