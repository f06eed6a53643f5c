"""Clips with subtitle tracks, written with PyAV (FFmpeg's own subtitle encoders), and FFmpeg's own
conversion of a track to SubRip, to check our reading against."""

from __future__ import annotations

import io
import re
import struct
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

ASS_HEADER = (
    "[Script Info]\nScriptType: v4.00+\nPlayResX: 384\nPlayResY: 288\n\n[V4+ Styles]\n"
    "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, "
    "Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, "
    "MarginR, MarginV, Encoding\nStyle: Default,Arial,16,&Hffffff,&Hffffff,&H0,&H0,0,0,0,0,100,100,0,0,1,1,0,2,10,10,10,0"
    "\n\n[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
).encode()
MS = Fraction(1, 1000)

# (start s, end s, ASS text): styling, a line break, positions and colours; every text codec carries these
EVENTS = [
    (0.20, 1.00, r"{\i1}Hello{\i0} world"),
    (1.20, 1.80, r"Second\Nline"),
    (2.00, 2.60, r"{\pos(10,10)\b1}Fish & chips{\b0}"),
    (2.70, 3.40, r"{\an8}Top {\c&H00FF00&}green"),
]
# ASS only (SubRip and WebVTT cannot say these): a drawing, a hard space, literal angle brackets
ASS_ONLY_EVENTS = [
    (0.50, 1.50, r"{\p1}m 0 0 l 100 0 100 100{\p0}Shape\hhere"),
    (2.00, 3.00, r"{\k20}Kara{\k30}oke <not a tag>"),
]


def write_clip(path: Path, codecs: list[str], *, seconds: float = 4.0, languages: list[str] | None = None,
               events: list[tuple[float, float, str]] = EVENTS) -> Path:
    """A small video with one subtitle track per codec (``ass``, ``subrip``, ``webvtt`` in MKV;
    ``mov_text`` in MP4), each carrying ``events``."""
    fps = 25
    with av.open(str(path), "w") as out:
        v = out.add_stream("libx264", rate=fps)
        v.width, v.height, v.pix_fmt = 64, 48, "yuv420p"
        subs = []
        for k, codec in enumerate(codecs):
            s = out.add_stream(codec)
            s.codec_context.subtitle_header = ASS_HEADER
            s.time_base = s.codec_context.time_base = MS
            s.metadata["language"] = (languages or ["eng"] * len(codecs))[k]
            s.metadata["title"] = f"track {k} ({codec})"
            subs.append(s)
        packets = []
        for n, (a, b, text) in enumerate(events):
            for s in subs:
                sub = av.subtitles.subtitle.SubtitleSet.create(f"{n},0,Default,,0,0,0,,{text}".encode(), 0,
                                                                int(round((b - a) * 1000)), pts=int(round(a * 1000)))
                p = s.codec_context.encode_subtitle(sub)
                p.stream, p.time_base = s, MS
                p.pts = p.dts = int(round(a * 1000))
                p.duration = int(round((b - a) * 1000))
                packets.append(p)
        frames = []
        for k in range(int(seconds * fps)):
            f = av.VideoFrame.from_ndarray(np.full((48, 64, 3), k * 3 % 256, np.uint8), format="rgb24")
            f.pts = k
            frames.extend(v.encode(f))
        frames.extend(v.encode())
        for p in sorted(frames + packets, key=lambda p: float(p.dts * p.time_base) if p.dts is not None else 0.0):
            out.mux(p)
    return path


def ffmpeg_srt(path: Path, stream_index: int) -> str:
    """FFmpeg's own conversion of one subtitle track to SubRip (decode, then its subrip encoder)."""
    buf = io.BytesIO()
    with av.open(str(path)) as src, av.open(buf, "w", format="srt") as dst:
        s = src.streams[stream_index]
        o = None
        for p in src.demux(s):
            if p.size == 0 or p.pts is None:
                continue
            sub = s.codec_context.decode2(p)
            if sub is None or len(sub) == 0:
                continue
            if o is None:  # the encoder needs the ASS header the decoder made when it opened
                o = dst.add_stream("subrip")
                o.time_base = o.codec_context.time_base = MS
                o.codec_context.subtitle_header = s.codec_context.subtitle_header
            q = o.codec_context.encode_subtitle(sub)
            q.stream, q.time_base = o, MS
            q.pts = q.dts = int(p.pts * p.time_base / MS) + sub.start_display_time
            q.duration = sub.end_display_time - sub.start_display_time or int((p.duration or 0) * p.time_base / MS)
            dst.mux(q)
    return buf.getvalue().decode("utf-8")


def srt_cues(text: str) -> list[tuple[float, float, str]]:
    """(start, end, text) of each cue of a SubRip file, tags like <i> removed."""
    def secs(t: str) -> float:
        h, m, rest = t.split(":")
        s, ms = rest.replace(".", ",").split(",")
        return int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000

    cues = []
    for block in re.split(r"\n\s*\n", text.replace("\r", "").strip()):
        lines = block.split("\n")
        if len(lines) >= 2 and "-->" in lines[1]:
            a, b = (x.strip() for x in lines[1].split("-->"))
            body = re.sub(r"</?[a-zA-Z][^>]*>|\{\\an\d\}", "", "\n".join(lines[2:]))  # tags, {\an8} positions
            cues.append((secs(a), secs(b.split()[0]), body))
    return cues


def _spu(duration_ms: int) -> bytes:
    """One DVD subpicture unit: a 2x2 picture in colour 1, shown at once, hidden after duration_ms."""
    pixels = bytes([0x90, 0x90])  # RLE: two pixels of colour 1, one line per field
    first = 4 + len(pixels)
    show = bytes([0x03, 0x32, 0x10, 0x04, 0xFF, 0xF0, 0x05, 0, 0, 1, 0, 0, 1, 0x06, 0, 4, 0, 5, 0x01, 0xFF])
    second = first + 4 + len(show)
    units = duration_ms * 90 // 1024  # SPU delays count 1024/90000 s
    body = pixels + struct.pack(">HH", 0, second) + show + struct.pack(">HH", units, second) + bytes([0x02, 0xFF])
    return struct.pack(">HH", 4 + len(body), first) + body


def write_dvd_clip(path: Path, starts_s: list[float], *, seconds: float = 4.0) -> Path:
    """A small MKV with one DVD (bitmap) subtitle track showing a picture at each start time."""
    with av.open(str(path), "w") as out:
        v = out.add_stream("libx264", rate=25)
        v.width, v.height, v.pix_fmt = 64, 48, "yuv420p"
        s = out.add_stream("dvd_subtitle")
        s.time_base = MS
        s.metadata["language"] = "fre"
        packets = []
        for a in starts_s:
            p = av.Packet(_spu(800))
            p.stream, p.time_base = s, MS
            p.pts = p.dts = int(round(a * 1000))
            packets.append(p)
        frames = []
        for k in range(int(seconds * 25)):
            f = av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), np.uint8), format="rgb24")
            f.pts = k
            frames.extend(v.encode(f))
        frames.extend(v.encode())
        for p in sorted(frames + packets, key=lambda p: float(p.dts * p.time_base)):
            out.mux(p)
    return path
