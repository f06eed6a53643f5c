"""Container and stream metadata through PyAV: the fields ffprobe would show, typed.

Reading metadata costs one container open and the decode of the first video frame (the display
rotation lives in the frame's display matrix; not for still images). The server runs it in a worker
process (``probe_file``), like every decode of a user's file.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av

from video_json_ai.util.progress import CancelToken, ProgressFn
from video_json_ai.engine.media import open_media
from video_json_ai.errors import MediaError
from video_json_ai.models.metadata import (
    AudioStream,
    Chapter,
    Metadata,
    MetadataSummary,
    SubtitleStream,
    Tags,
    VideoStream,
)
from video_json_ai.util.time import timecode

# FFmpeg's AVColorSpace / AVColorTransferCharacteristic / AVColorPrimaries / AVColorRange codes.
COLOR_SPACES = {0: "gbr", 1: "bt709", 4: "fcc", 5: "bt470bg", 6: "smpte170m", 7: "smpte240m", 8: "ycgco",
                9: "bt2020nc", 10: "bt2020c", 11: "smpte2085", 14: "ictcp"}
COLOR_TRANSFERS = {1: "bt709", 4: "gamma22", 5: "gamma28", 6: "smpte170m", 7: "smpte240m", 8: "linear",
                   11: "iec61966-2-4", 13: "iec61966-2-1", 14: "bt2020-10", 15: "bt2020-12",
                   16: "smpte2084", 17: "smpte428", 18: "arib-std-b67"}
COLOR_PRIMARIES = {1: "bt709", 4: "bt470m", 5: "bt470bg", 6: "smpte170m", 7: "smpte240m", 8: "film",
                   9: "bt2020", 10: "smpte428", 11: "smpte431", 12: "smpte432", 22: "ebu3213"}
COLOR_RANGES = {1: "tv", 2: "pc"}
HDR_TRANSFERS = {"smpte2084", "arib-std-b67"}
KNOWN_TAGS = {"creation_time", "title", "encoder", "location", "com.apple.quicktime.location.iso6709"}


def _seconds(value: int | None, time_base: Fraction | None) -> float | None:
    if value is None or time_base is None:
        return None
    return float(value * time_base)


def _rate(rate: Fraction | None) -> float | None:
    if not rate or rate.denominator == 0 or rate <= 0:
        return None
    return round(float(rate), 6)


def _ratio(r: Fraction | None) -> str | None:
    return f"{r.numerator}:{r.denominator}" if r else None


def _clean_tags(meta: dict[str, str]) -> dict[str, str]:
    """Drop Matroska statistics noise (``_STATISTICS_*``, ``BPS-eng`` ...), keep what a person wrote."""
    noisy = ("_STATISTICS", "BPS", "DURATION", "NUMBER_OF_FRAMES", "NUMBER_OF_BYTES")
    return {k: v for k, v in meta.items() if not k.split("-")[0].startswith(noisy)}


def _tags(meta: dict[str, str]) -> Tags:
    location = meta.get("location") or meta.get("com.apple.quicktime.location.iso6709")
    return Tags(
        creation_time=meta.get("creation_time"),
        title=meta.get("title"),
        encoder=meta.get("encoder"),
        location=location,
        other={k: v for k, v in _clean_tags(meta).items() if k not in KNOWN_TAGS},
    )


def _frame_count(stream: av.video.stream.VideoStream, duration_s: float | None, fps: float | None) -> tuple[int | None, bool]:
    if stream.frames:
        return int(stream.frames), True
    for key, value in stream.metadata.items():  # Matroska writes the count as a statistics tag
        if key.split("-")[0] == "NUMBER_OF_FRAMES" and value.isdigit() and int(value) > 0:
            return int(value), True
    if duration_s and fps:
        return int(round(duration_s * fps)), False
    return None, False


def _first_frame_rotation(container: av.container.InputContainer, stream_index: int) -> int:
    stream = container.streams[stream_index]
    try:
        for frame in container.decode(stream):
            return int(round(frame.rotation or 0))
    except (av.FFmpegError, StopIteration):
        return 0
    return 0


def _video_stream(container: av.container.InputContainer, stream: av.video.stream.VideoStream, rotation: int) -> VideoStream:
    cc = stream.codec_context
    duration_s = _seconds(stream.duration, stream.time_base)
    if duration_s is None and container.duration:
        duration_s = container.duration / av.time_base
    fps = _rate(stream.average_rate) or _rate(stream.guessed_rate)
    real_fps = _rate(stream.base_rate)
    count, exact = _frame_count(stream, duration_s, fps)
    sar = stream.sample_aspect_ratio or Fraction(1)
    width, height = cc.width, cc.height
    shown_w = int(round(width * float(sar))) if sar and sar != 1 else width
    shown_h = height
    if rotation % 180 != 0:
        shown_w, shown_h = shown_h, shown_w
    dar = stream.display_aspect_ratio or (Fraction(width, height) if height else None)
    pix = cc.pix_fmt
    bit_depth = None
    if pix:
        try:
            bit_depth = av.VideoFormat(pix).components[0].bits
        except (ValueError, av.FFmpegError):
            bit_depth = None
    transfer = COLOR_TRANSFERS.get(int(cc.color_trc))
    meta = dict(stream.metadata)
    return VideoStream(
        index=stream.index,
        codec=cc.codec.canonical_name,
        codec_long_name=cc.codec.long_name,
        profile=cc.profile,
        level=cc.level if cc.level and cc.level > 0 else None,
        width=width,
        height=height,
        display_width=shown_w,
        display_height=shown_h,
        sample_aspect_ratio=_ratio(stream.sample_aspect_ratio),
        display_aspect_ratio=_ratio(dar),
        fps=fps,
        real_fps=real_fps,
        variable_frame_rate=(fps is not None and real_fps is not None and abs(fps - real_fps) / real_fps > 0.01),
        frame_count=count,
        frame_count_exact=exact,
        duration_s=duration_s,
        start_time_s=_seconds(stream.start_time, stream.time_base),
        bit_rate=cc.bit_rate or None,
        pixel_format=pix,
        bit_depth=bit_depth,
        color_space=COLOR_SPACES.get(int(cc.colorspace)),
        color_transfer=transfer,
        color_primaries=COLOR_PRIMARIES.get(int(cc.color_primaries)),
        color_range=COLOR_RANGES.get(int(cc.color_range)),
        hdr=transfer in HDR_TRANSFERS,
        rotation_degrees=rotation,
        language=meta.get("language") if meta.get("language") not in (None, "und") else None,
        tags=_clean_tags(meta),
    )


def _audio_stream(container: av.container.InputContainer, stream: av.audio.stream.AudioStream) -> AudioStream:
    cc = stream.codec_context
    meta = dict(stream.metadata)
    duration_s = _seconds(stream.duration, stream.time_base)
    if duration_s is None and container.duration:
        duration_s = container.duration / av.time_base
    return AudioStream(
        index=stream.index,
        codec=cc.codec.canonical_name,
        codec_long_name=cc.codec.long_name,
        profile=cc.profile,
        sample_rate=cc.sample_rate,
        channels=cc.channels,
        channel_layout=cc.layout.name if cc.layout else None,
        sample_format=cc.format.name if cc.format else None,
        bit_rate=cc.bit_rate or None,
        duration_s=duration_s,
        start_time_s=_seconds(stream.start_time, stream.time_base),
        language=meta.get("language") if meta.get("language") not in (None, "und") else None,
        title=meta.get("title"),
        tags=_clean_tags(meta),
    )


def _chapters(container: av.container.InputContainer) -> list[Chapter]:
    out = []
    for i, ch in enumerate(container.chapters()):
        tb = ch["time_base"]
        start, end = float(ch["start"] * tb), float(ch["end"] * tb)
        title = (ch.get("metadata") or {}).get("title")
        out.append(Chapter(index=i, start_s=start, end_s=end, start_timecode=timecode(start) or "",
                           end_timecode=timecode(end) or "", title=title))
    return out


IMAGE_DEMUXERS = ("image2", "png_pipe", "jpeg_pipe", "gif_pipe", "webp_pipe")
EXTENSIONS_OF = {"mov": ("mp4", "mov", "m4a"), "matroska": ("mkv", "webm"), "avi": ("avi",), "mp3": ("mp3",),
                 "wav": ("wav",), "aac": ("aac",), "png_pipe": ("png",), "jpeg_pipe": ("jpg", "jpeg"),
                 "gif": ("gif",), "gif_pipe": ("gif",), "webp_pipe": ("webp",),
                 "image2": ("jpg", "jpeg", "png", "gif", "webp")}
"""The file extensions each demuxer's content may honestly carry."""
KIND_NAMES = {"mov": "MP4/MOV", "matroska": "Matroska/WebM", "avi": "AVI", "mp3": "MP3 audio", "wav": "WAV audio",
              "aac": "AAC audio", "png_pipe": "a PNG image", "jpeg_pipe": "a JPEG image", "gif": "a GIF image",
              "gif_pipe": "a GIF image", "webp_pipe": "a WebP image", "image2": "an image"}


def check_extension(path: Path, format_name: str) -> None:
    """A file whose extension lies about its content is a clear error, not a puzzle later on."""
    demuxer = format_name.split(",")[0]
    allowed = EXTENSIONS_OF.get(demuxer)
    ext = path.suffix.lower().lstrip(".")
    if allowed is not None and ext and ext not in allowed:
        raise MediaError(f"'{path.name}' is named .{ext} but holds {KIND_NAMES.get(demuxer, demuxer)}",
                         f"Rename it to .{allowed[0]} (or convert it) and upload it again.")


def probe(path: Path) -> Metadata:
    """Read every container and stream fact of ``path``. Raises MediaError when it is not media
    (damaged headers included: never an AttributeError from a half-read stream)."""
    container = open_media(path)
    with container:
        try:
            return _read(container, path)
        except (AttributeError, TypeError, ValueError, OverflowError, ZeroDivisionError, IndexError,
                av.FFmpegError) as exc:
            raise MediaError(f"'{path.name}' could not be opened as a video or audio file: its headers are damaged "
                             f"({type(exc).__name__})",
                             "Check that the file plays in a media player; re-encode it to H.264 MP4 if it does.") from exc


def probe_file(path: Path, *, named: str | None = None, progress: ProgressFn, cancel: CancelToken) -> Metadata:
    """``probe`` as the target of a worker process (engine/process.py), with the extension check
    (of ``named`` when the file's own name is a temporary one)."""
    progress(0.0, f"reading {named or path.name}")
    meta = probe(path)
    check_extension(Path(named) if named else path, meta.format)
    return meta.model_copy(update={"file_name": named}) if named else meta


def _decodable(streams) -> list:  # type: ignore[no-untyped-def]
    """Streams FFmpeg has a decoder for (a damaged header can leave one without a codec context)."""
    return [s for s in streams if s.codec_context is not None]


def _read(container: av.container.InputContainer, path: Path) -> Metadata:
    video_streams = _decodable(container.streams.video)
    audio_streams = _decodable(container.streams.audio)
    if not video_streams and not audio_streams:
        raise MediaError(f"'{path.name}' holds no video or audio stream that can be decoded",
                         "Pass a video, audio or image file; this one has no playable streams.")
    still = container.format.name in IMAGE_DEMUXERS
    rotation = _first_frame_rotation(container, video_streams[0].index) if video_streams and not still else 0
    duration = container.duration / av.time_base if container.duration else None
    video = [_video_stream(container, s, rotation if i == 0 else 0) for i, s in enumerate(video_streams)]
    audio = [_audio_stream(container, s) for s in audio_streams]
    subtitles = [
        SubtitleStream(
            index=s.index,
            codec=s.codec_context.codec.canonical_name if s.codec_context else "unknown",
            language=s.metadata.get("language"),
            title=s.metadata.get("title"),
        )
        for s in container.streams.subtitles
    ]
    attachments = sum(1 for s in container.streams if s.type == "attachment")
    data = sum(1 for s in container.streams if s.type == "data")
    fmt = container.format
    return Metadata(
        file_name=path.name,
        format=fmt.name,
        format_long_name=fmt.long_name,
        duration_s=duration,
        duration_timecode=timecode(duration),
        size_bytes=path.stat().st_size,
        bit_rate=container.bit_rate or None,
        start_time_s=container.start_time / av.time_base if container.start_time else 0.0,
        tags=_tags(dict(container.metadata)),
        video=video,
        audio=audio,
        subtitles=subtitles,
        attachments=attachments,
        data_streams=data,
        chapters=_chapters(container),
    )


def summarize(meta: Metadata) -> MetadataSummary:
    v = meta.video[0] if meta.video else None
    a = meta.audio[0] if meta.audio else None
    return MetadataSummary(
        duration_s=meta.duration_s,
        duration_timecode=meta.duration_timecode,
        width=v.display_width if v else None,
        height=v.display_height if v else None,
        fps=v.fps if v else None,
        video_codec=v.codec if v else None,
        audio_codec=a.codec if a else None,
        has_audio=a is not None,
        rotation_degrees=v.rotation_degrees if v else 0,
    )
