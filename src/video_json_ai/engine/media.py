"""Opening a user's media file, and small JPEG helpers: the one place the engine calls ``av.open`` to read."""

from __future__ import annotations

import io
from pathlib import Path

import av

from video_json_ai.errors import InvalidInput, MediaError

OPEN_OPTIONS = {"protocol_whitelist": "file"}
"""FFmpeg may follow no protocol but plain files from inside a container."""


def open_media(path: Path) -> av.container.InputContainer:
    """Open a plain file for reading; metadata that is not UTF-8 is replaced, not fatal."""
    if not path.is_file():
        raise InvalidInput(f"The file '{path}' does not exist", "Check the path, or upload the video again.")
    try:
        return av.open(f"file:{path}", mode="r", metadata_errors="replace", options=dict(OPEN_OPTIONS))
    except (av.FFmpegError, OSError, ValueError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise MediaError(f"'{path.name}' could not be opened as media ({reason})",
                         "Check that the file is a complete, playable video (mp4, mov, mkv, webm...).") from exc


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
