"""Clips with known sound and known burned-in text, and independent references to check against."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from video_json_ai.engine.mux import mux_pictures, mux_sound

CJK_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)


def cjk_font() -> str | None:
    return next((f for f in CJK_FONTS if Path(f).is_file()), None)


def espeak_available() -> bool:
    return shutil.which("espeak-ng") is not None


def decode_mono(path: Path, rate: int) -> np.ndarray:
    """Any audio file as mono float32 at ``rate``, resampled by FFmpeg."""
    with av.open(str(path)) as c:
        r = av.AudioResampler(format="flt", layout="mono", rate=rate)
        parts = [f.to_ndarray()[0] for fr in c.decode(c.streams.audio[0]) for f in r.resample(fr)]
        parts += [f.to_ndarray()[0] for f in r.resample(None)]
    return np.concatenate(parts)


def speak(sentence: str, rate: int, voice: str = "en-us", speed: int = 150) -> np.ndarray:
    """``sentence`` spoken by espeak-ng, as mono float32 at ``rate``."""
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "s.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(wav), sentence], check=True,
                       capture_output=True, timeout=60)
        return decode_mono(wav, rate)


def tone(seconds: float, rate: int, freq: float = 440.0, amp: float = 0.2) -> np.ndarray:
    t = np.arange(int(round(seconds * rate))) / rate
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def silence(seconds: float, rate: int) -> np.ndarray:
    return np.zeros(int(round(seconds * rate)), np.float32)


@dataclass
class Overlay:
    """Text drawn onto the frames from ``start_s`` (inclusive) to ``end_s`` (exclusive)."""

    start_s: float
    end_s: float
    text: str
    xy: tuple[int, int]
    size: int = 20
    font: str | None = None  # a font file; None = Pillow's packaged default font


def _backgrounds(width: int, height: int, cuts: Sequence[float]) -> Callable[[float], np.ndarray]:
    """A colour field with its own blocky pattern per shot (the shot detector ignores plain colour
    changes, so each shot needs a different structure); a new shot after each cut time."""
    colours = [(30, 60, 120), (150, 100, 40), (20, 80, 40), (110, 40, 120), (60, 60, 60)]
    shots: dict[int, np.ndarray] = {}

    def picture(t: float) -> np.ndarray:
        shot = sum(t >= c for c in cuts)
        if shot not in shots:
            rng = np.random.default_rng(shot)
            blocks = rng.integers(-30, 31, size=(height // 16 + 1, width // 16 + 1, 1))
            pattern = np.repeat(np.repeat(blocks, 16, 0), 16, 1)[:height, :width]
            base = np.array(colours[shot % len(colours)], np.int16)
            shots[shot] = np.clip(base[None, None, :] + pattern, 0, 255).astype(np.uint8)
        return shots[shot]

    return picture


def make_av_clip(
    path: Path,
    audio: np.ndarray | None,
    *,
    seconds: float | None = None,
    rate: int = 48000,
    layout: str = "stereo",
    width: int = 320,
    height: int = 180,
    fps: int = 10,
    overlays: Sequence[Overlay] = (),
    cuts: Sequence[float] = (),
) -> Path:
    """An H.264/AAC MP4: flat pictures (a new colour at each cut) with ``overlays`` drawn by Pillow,
    and ``audio`` (mono float32 at ``rate``, copied to every channel of ``layout``)."""
    if seconds is None:
        assert audio is not None
        seconds = len(audio) / rate
    picture = _backgrounds(width, height, cuts)
    fonts = {}
    with av.open(str(path), "w") as out:
        v = out.add_stream("libx264", rate=fps, options={"preset": "ultrafast", "crf": "18"})
        v.width, v.height, v.pix_fmt = width, height, "yuv420p"
        a = None
        if audio is not None:
            a = out.add_stream("aac", rate=rate, bit_rate=192000)
            a.layout = layout
        def pictures():  # type: ignore[no-untyped-def]
            for i in range(int(round(seconds * fps))):
                t = i / fps
                img = Image.fromarray(picture(t))
                draw = ImageDraw.Draw(img)
                for o in overlays:
                    if o.start_s <= t < o.end_s:
                        key = (o.font, o.size)
                        if key not in fonts:
                            fonts[key] = ImageFont.truetype(o.font, o.size) if o.font else ImageFont.load_default(o.size)
                        draw.text(o.xy, o.text, font=fonts[key], fill=(255, 255, 255))
                yield np.asarray(img)

        mux_pictures(out, v, pictures(), fps)
        if a is not None and audio is not None:
            mux_sound(out, a, np.tile(audio, (len(av.AudioLayout(layout).channels), 1)), rate)
    return path


def ebur128_reference(path: Path) -> dict[str, float]:
    """FFmpeg's own ``ebur128`` filter (through PyAV's filter graph) on the decoded audio:
    integrated loudness (LUFS), loudness range (LU) and true peak (dBTP)."""
    last: dict[str, str] = {}
    with av.open(str(path)) as c:
        stream = c.streams.audio[0]
        graph = av.filter.Graph()
        src = graph.add_abuffer(template=stream)
        meter = graph.add("ebur128", "metadata=1:peak=true")
        sink = graph.add("abuffersink")
        src.link_to(meter)
        meter.link_to(sink)
        graph.configure()

        def drain() -> None:
            while True:
                try:
                    frame = graph.pull()
                except (av.BlockingIOError, av.EOFError):
                    return
                if "lavfi.r128.I" in frame.metadata:
                    last.update(frame.metadata)

        for frame in c.decode(stream):
            graph.push(frame)
            drain()
        graph.push(None)
        drain()
    peak = float(last["lavfi.r128.true_peak"])
    return {
        "integrated": float(last["lavfi.r128.I"]),
        "lra": float(last["lavfi.r128.LRA"]),
        "true_peak": 20 * np.log10(peak) if peak > 0 else float("-inf"),
    }


def char_recall(expected: str, found: str) -> float:
    """Share of the expected characters (spaces ignored) recovered in order (longest common subsequence)."""
    a = [c for c in expected.casefold() if not c.isspace()]
    b = [c for c in found.casefold() if not c.isspace()]
    if not a:
        return 1.0
    prev = [0] * (len(b) + 1)
    for ca in a:
        cur = [0]
        for j, cb in enumerate(b):
            cur.append(prev[j] + 1 if ca == cb else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1] / len(a)


def overlap_share(truth: Sequence[tuple[float, float]], found: Sequence[tuple[float, float]]) -> float:
    """Share of the truth spans' total length that the found spans cover."""
    total = sum(b - a for a, b in truth)
    covered = 0.0
    for a, b in truth:
        for c, d in found:
            covered += max(0.0, min(b, d) - max(a, c))
    return covered / total if total else 1.0
