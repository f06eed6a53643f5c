"""Checking a user's file before anything reads it: place, kind, size."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from video_json_ai.config import Config
from video_json_ai.errors import InvalidInput, NotFound
from video_json_ai.core.progress import CancelToken, ProgressFn

VIDEO_EXTENSIONS = ("mp4", "mov", "avi", "webm", "mkv")
IMAGE_EXTENSIONS = ("jpg", "jpeg", "png", "gif", "webp")
AUDIO_EXTENSIONS = ("mp3", "wav", "m4a", "aac")
SUPPORTED_EXTENSIONS = VIDEO_EXTENSIONS + IMAGE_EXTENSIONS + AUDIO_EXTENSIONS
SUPPORTED_TEXT = "MP4, MOV, AVI, WebM, MKV (video); JPG, PNG, GIF, WebP (image); MP3, WAV, M4A, AAC (audio)"


def is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def inside_allowed(path: Path, config: Config) -> bool:
    resolved = path.resolve()
    return any(resolved == d or resolved.is_relative_to(d) for d in config.allowed_dirs)


def allowed_text(config: Config) -> str:
    return os.pathsep.join(str(d) for d in config.allowed_dirs)


def check_local_video(source: str, config: Config) -> Path:
    """The resolved path of a readable, supported media file inside the allowed directories."""
    if not source or not source.strip():
        raise InvalidInput("No file was given", "Pass the path of a video file, e.g. /home/me/demo.mp4.")
    if is_url(source):
        raise InvalidInput(
            "URLs are not supported by the local backend yet",
            "Download the video and pass its file path, or use the cloud backend (VIDEO_JSON_BACKEND=nemo).",
        )
    path = Path(os.path.expandvars(source.strip())).expanduser()
    if not path.is_absolute():
        path = Path.cwd() / path
    if not inside_allowed(path, config):
        raise InvalidInput(
            f"'{path}' is outside the directories this server may read",
            f"Move the file into one of {allowed_text(config)}, or add its folder to VIDEO_JSON_ALLOWED_DIRS "
            f"(separated by '{os.pathsep}') in the server's environment.",
        )
    if not path.exists():
        raise NotFound(f"No file at '{path}'", "Check the path (absolute paths are safest) and try again.")
    if path.is_dir():
        raise InvalidInput(f"'{path}' is a directory, not a file", "Pass the path of one video file inside it.")
    ext = path.suffix.lower().lstrip(".")
    if ext not in SUPPORTED_EXTENSIONS:
        raise InvalidInput(
            f"'{path.name}' has an unsupported format ('.{ext or '(none)'}')",
            f"Supported formats: {SUPPORTED_TEXT}. Convert the file (H.264 MP4 works best) and try again.",
        )
    size = path.stat().st_size
    if size == 0:
        raise InvalidInput(f"'{path.name}' is empty (0 bytes)", "The file may still be copying or was not saved; pass a complete video.")
    if size > config.max_upload_bytes:
        raise InvalidInput(
            f"'{path.name}' is {size / 1e6:.0f} MB, over the {config.max_upload_bytes // (1024 * 1024)} MB limit",
            "Compress it or trim it into shorter parts (clips under 60 s give the cleanest JSON).",
        )
    if not os.access(path, os.R_OK):
        raise InvalidInput(f"'{path}' cannot be read (permission denied)", "Give the server's user read access to it.")
    return path.resolve()


def sha256_file(path: Path, progress: ProgressFn | None = None, cancel: CancelToken | None = None) -> str:
    """Content hash, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    total = max(path.stat().st_size, 1)
    done = 0
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
            done += len(block)
            if cancel is not None:
                cancel.raise_if_cancelled()
            if progress is not None and done % (64 << 20) < (1 << 20):
                progress(done / total, "hashing")
    return digest.hexdigest()


def video_id_for(sha256: str) -> str:
    return f"vid_{sha256[:16]}"
