"""What a render writes: codec presets, the default file name, the output check, and what was written
(the atomic write itself is util/atomic.py)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import av

from video_json_ai.errors import InvalidInput, MediaError
from video_json_ai.models.render import FORMAT_SUFFIXES, RenderOptions

AUDIO_RATE = 48000


@dataclass(frozen=True)
class Preset:
    """Container, codecs and their settings for one format at one quality."""

    container: str
    suffix: str
    video_codec: str | None
    video_options: dict[str, str] = field(default_factory=dict)
    audio_codec: str | None = None
    audio_bit_rate: int | None = None
    container_options: dict[str, str] = field(default_factory=dict)

    @property
    def has_video(self) -> bool:
        return self.video_codec is not None or self.container == "gif"

    @property
    def has_audio(self) -> bool:
        return self.audio_codec is not None


# quality -> (x264 crf, x264 preset, AAC kbit/s)
H264 = {"low": ("28", "veryfast", 96), "medium": ("23", "veryfast", 128), "high": ("20", "faster", 160),
        "max": ("17", "medium", 256)}
# quality -> (vp9 crf, cpu-used, Opus kbit/s)
VP9 = {"low": ("40", "8", 64), "medium": ("35", "8", 96), "high": ("31", "7", 128), "max": ("24", "5", 160)}
MP3 = {"low": 128, "medium": 192, "high": 256, "max": 320}
GIF_MAX_S = 30.0
GIF_FPS = 12.5


def preset(options: RenderOptions) -> Preset:
    fmt, q = options.format, options.quality
    if fmt == "mp4":
        crf, speed, kbps = H264[q]
        return Preset("mp4", ".mp4", "libx264", {"crf": crf, "preset": speed, "profile": "high"},
                      "aac", kbps * 1000, {"movflags": "+faststart"})
    if fmt == "webm":
        crf, cpu, kbps = VP9[q]
        return Preset("webm", ".webm", "libvpx-vp9",
                      {"crf": crf, "b": "0", "deadline": "realtime", "cpu-used": cpu, "row-mt": "1"},
                      "libopus", kbps * 1000)
    if fmt == "gif":
        return Preset("gif", ".gif", None)
    if fmt == "mp3":
        return Preset("mp3", ".mp3", None, {}, "libmp3lame", MP3[q] * 1000)
    if fmt == "wav":
        return Preset("wav", ".wav", None, {}, "pcm_s16le", None)
    raise InvalidInput(f"Unsupported format '{fmt}'", "Choose one of: mp4, webm, gif, mp3, wav.")


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-._") or "video"


def default_output_name(source_stem: str, options: RenderOptions, extra: str | None = None) -> str:
    """A file name after the source and the settings, e.g. ``demo_1080p_9x16-crop_high.mp4``.

    ``extra`` (e.g. ``"0.0-12.5s"`` or ``"scenes-2-5"``) is added before the quality.
    """
    parts = [_slug(source_stem)[:80]]
    if options.format not in ("mp3", "wav"):
        parts.append(options.resolution)
        if options.aspect != "source":
            fit = options.fit if options.fit == "crop" else f"pad-{options.pad_style}"
            parts.append(f"{options.aspect.replace(':', 'x')}-{fit}")
        if options.title:
            parts.append("title")
    if extra:
        parts.append(_slug(extra))
    parts.append(options.quality)
    return "_".join(parts) + FORMAT_SUFFIXES.get(options.format, "." + _slug(options.format))


def check_output_path(path: Path, options: RenderOptions, overwrite: bool) -> Path:
    """The absolute final path, after checking the engine can write it there (the format's
    suffix, an existing folder, no file in the way). Where a user's file may go at all is the
    backends' rule (backends/outputs.py). Raises InvalidInput."""
    path = Path(path).expanduser().absolute()
    want = FORMAT_SUFFIXES.get(options.format)
    if want and path.suffix.lower() != want:
        raise InvalidInput(f"The output '{path.name}' does not end in {want}, but the format is {options.format}",
                           f"Name the file with {want}, or choose the format that matches its extension.")
    if not path.parent.is_dir():
        raise InvalidInput(f"The output folder '{path.parent}' does not exist", "Create it first or pick another.")
    if path.is_dir():
        raise InvalidInput(f"The output '{path}' is a folder", "Give a file name, e.g. out.mp4.")
    if os.path.lexists(path) and not overwrite:
        raise InvalidInput(f"The output '{path.name}' already exists",
                           "Choose another name, delete the old file, or ask to overwrite it.")
    if not os.access(path.parent, os.W_OK):
        raise InvalidInput(f"The output folder '{path.parent}' is not writable", "Pick a folder you can write to.")
    return path


@dataclass(frozen=True)
class WrittenFile:
    """What a render produced, read back from the file (ExportInfo fields)."""

    format: str
    size_bytes: int
    duration_s: float | None
    width: int | None
    height: int | None
    video_codec: str | None
    audio_codec: str | None
    fps: float | None
    audio_sample_rate: int | None
    audio_channels: int | None

    def export_fields(self) -> dict[str, object]:
        return {"size_bytes": self.size_bytes, "duration_s": self.duration_s, "width": self.width,
                "height": self.height, "video_codec": self.video_codec, "audio_codec": self.audio_codec}


def probe_output(path: Path) -> WrittenFile:
    """Read container, codecs, size and duration of a written file."""
    try:
        container = av.open(str(path))
    except av.FFmpegError as exc:
        raise MediaError(f"The render '{path.name}' cannot be read back", "Render it again.") from exc
    with container:
        v = container.streams.video[0] if container.streams.video else None
        a = container.streams.audio[0] if container.streams.audio else None
        duration = container.duration / av.time_base if container.duration else None
        if v is not None and v.duration and v.time_base:
            duration = float(v.duration * v.time_base)
        elif a is not None and a.duration and a.time_base:
            duration = float(a.duration * a.time_base)
        rate = v.average_rate if v is not None else None
        return WrittenFile(
            format=container.format.name,
            size_bytes=path.stat().st_size,
            duration_s=round(duration, 4) if duration is not None else None,
            width=v.codec_context.width if v is not None else None,
            height=v.codec_context.height if v is not None else None,
            video_codec=v.codec_context.codec.canonical_name if v is not None else None,
            audio_codec=a.codec_context.codec.canonical_name if a is not None else None,
            fps=round(float(rate), 4) if rate else None,
            audio_sample_rate=a.codec_context.sample_rate if a is not None else None,
            audio_channels=a.codec_context.channels if a is not None else None,
        )
