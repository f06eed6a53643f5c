"""Opening a user's media file, and small JPEG helpers: the one place the engine calls ``av.open`` to read.

Only a plain file is ever handed to FFmpeg: the descriptor is opened and checked first (no link
swapped in, no FIFO or device; ``util/files.open_checked``), and FFmpeg reads it through
``/proc/self/fd`` with only the ``file`` protocol and only the demuxers of the supported formats
allowed, so neither a name (``concat:``, ``pipe:``, ``http:``, ``-``) nor a playlist inside a file
(HLS, ffconcat) can make it read anything else.
"""

from __future__ import annotations

import errno
import io
import os
import sys
from pathlib import Path

import av

from video_json_ai.errors import MediaError
from video_json_ai.util.files import open_checked

DEMUXERS = ("mov", "matroska", "avi", "mp3", "wav", "aac", "image2", "png_pipe", "jpeg_pipe", "gif",
            "gif_pipe", "webp_pipe")
"""The FFmpeg demuxers of the supported formats; no other (hls, concat, ...) may read a user's file."""
OPEN_OPTIONS = {"protocol_whitelist": "file", "format_whitelist": ",".join(DEMUXERS)}
"""FFmpeg may follow no protocol but plain files, and use no demuxer but those above."""

_EXPLAINED = {
    errno.EIO: "the file looks truncated or damaged",
    errno.ENOMEM: "the file looks damaged (its headers ask for impossible sizes)",
    errno.EINVAL: "its format is not one this server reads, or its headers are damaged",
    errno.ENOSYS: "its format is not one this server reads",
}


def why(exc: BaseException) -> str:
    """A reason a person can act on, for an FFmpeg error on a user's file (not FFmpeg's bare errno text)."""
    code = getattr(exc, "errno", None)
    if isinstance(exc, av.InvalidDataError):
        return "the file is damaged, truncated or not media at all"
    if isinstance(exc, UnicodeDecodeError):
        return "its metadata is not valid text"
    text = _EXPLAINED.get(abs(code)) if isinstance(code, int) else None
    return text or (getattr(exc, "strerror", None) or type(exc).__name__)


def media_error(path: Path, exc: BaseException) -> MediaError:
    return MediaError(f"'{path.name}' could not be opened as a video or audio file: {why(exc)}",
                      "Check that the file plays in a media player; re-encode it to H.264 MP4 if it does.")


def _reader_path(fd: int, path: Path) -> str:
    return f"file:/proc/self/fd/{fd}" if sys.platform.startswith("linux") else f"file:{path}"


def open_media(path: Path) -> av.container.InputContainer:
    """Open the plain file ``path`` (absolute, already checked) for reading; metadata that is not
    UTF-8 is replaced, not fatal. Raises NotFound/InvalidInput (not a plain file, swapped) or MediaError."""
    path = Path(path)
    fd = open_checked(path)
    try:
        return av.open(_reader_path(fd, path), mode="r", metadata_errors="replace", options=dict(OPEN_OPTIONS))
    except (av.FFmpegError, OSError, ValueError, UnicodeDecodeError, MemoryError) as exc:
        raise media_error(path, exc) from exc
    finally:
        os.close(fd)  # FFmpeg holds its own descriptor on the same file


def jpeg_bytes(frame: av.VideoFrame, width: int | None = None) -> bytes:
    """``frame`` as a JPEG, scaled down to ``width`` pixels wide when it is wider."""
    if width is not None and frame.width > width:
        frame = frame.reformat(width=width, height=max(2, round(frame.height * width / frame.width / 2) * 2))
    buf = io.BytesIO()
    with av.open(buf, "w", format="mjpeg") as out:
        stream = out.add_stream("mjpeg", rate=1)
        stream.width, stream.height, stream.pix_fmt = frame.width, frame.height, "yuvj420p"
        for packet in stream.encode(frame.reformat(format="yuvj420p")):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buf.getvalue()


def thumbnail(path: Path, width: int = 320, quality: int = 80) -> bytes:
    """A small JPEG of an image file the engine wrote (a keyframe), to keep tool results and pages light.

    Pillow decodes the JPEG straight at a reduced DCT scale (``draft``), so a 640 px keyframe costs
    about a millisecond."""
    from PIL import Image

    with Image.open(path) as picture:
        picture.draft("RGB", (width, max(1, width * picture.height // max(1, picture.width))))
        picture = picture.convert("RGB")
        if picture.width > width:
            picture = picture.resize((width, max(2, round(picture.height * width / picture.width))),
                                     Image.Resampling.BILINEAR, reducing_gap=2.0)
        buf = io.BytesIO()
        picture.save(buf, "JPEG", quality=quality)
    return buf.getvalue()
