"""Checking a user's file before anything reads it: place, kind, size; and its content hash.

A path is taken as typed with only ``~`` expanded (never ``$VAR``, ``${VAR}`` or ``%VAR%``), made
absolute and resolved through its links, then it must lie inside an allowed root (core/roots.py).
What is read later is opened through ``util/files.open_checked``, which checks the same file is
still there.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from video_json_ai.config import Config
from video_json_ai.util.progress import CancelToken, ProgressFn
from video_json_ai.core.roots import Roots, current
from video_json_ai.errors import InvalidInput, NotFound
from video_json_ai.util.files import Identity, open_checked

VIDEO_EXTENSIONS = ("mp4", "mov", "avi", "webm", "mkv")
IMAGE_EXTENSIONS = ("jpg", "jpeg", "png", "gif", "webp")
AUDIO_EXTENSIONS = ("mp3", "wav", "m4a", "aac")
SUPPORTED_EXTENSIONS = VIDEO_EXTENSIONS + IMAGE_EXTENSIONS + AUDIO_EXTENSIONS
SUPPORTED_TEXT = "MP4, MOV, AVI, WebM, MKV (video); JPG, PNG, GIF, WebP (image); MP3, WAV, M4A, AAC (audio)"


def is_url(source: str) -> bool:
    return source.strip().lower().startswith(("http://", "https://"))


def user_path(text: str) -> Path:
    """``text`` as a path: ``~`` expanded and nothing else, absolute (from the working directory,
    which is no root of the server), every link resolved."""
    return Path(os.path.abspath(Path(text.strip()).expanduser())).resolve()


def roots_of(config: Config) -> Roots:
    """The roots of the request being served (its client's, or the configured ones)."""
    return current(config.roots, config.output_dir)


def inside_allowed(path: Path, config: Config) -> bool:
    return roots_of(config).contains(path.resolve())


def allowed_text(config: Config) -> str:
    return roots_of(config).text()


def outside_error(path: Path, config: Config, verb: str = "read", instead: str = "Move the file into one of them") -> InvalidInput:
    roots = roots_of(config)
    return InvalidInput(f"'{path}' is outside the directories this server may {verb}",
                        f"Allowed ({roots.origin}): {roots.text()}. {instead}, or {roots.how_to_widen()}.")


def check_local_video(source: str, config: Config) -> Path:
    """The resolved path of a readable, supported media file inside the allowed roots."""
    if not source or not source.strip():
        raise InvalidInput("No file was given", "Pass the path of a video file, e.g. /home/me/demo.mp4.")
    if "\0" in source:
        raise InvalidInput("The path holds a NUL character", "Pass the file's path as plain text.")
    path = user_path(source)
    if not inside_allowed(path, config):
        raise outside_error(path, config)
    if not path.exists():
        raise NotFound(f"No file at '{path}'", "Check the path (absolute paths are safest) and try again.")
    if path.is_dir():
        raise InvalidInput(f"'{path}' is a directory, not a file", "Pass the path of one video file inside it.")
    if not path.is_file():
        raise InvalidInput(f"'{path}' is not a plain file (a device, pipe or socket)", "Pass a video file.")
    ext = path.suffix.lower().lstrip(".")
    if ext not in SUPPORTED_EXTENSIONS:
        raise InvalidInput(
            f"'{path.name}' has an unsupported format ('.{ext or '(none)'}')",
            f"Supported formats: {SUPPORTED_TEXT}. Convert the file (H.264 MP4 works best) and try again.",
        )
    check_size(path.name, path.stat().st_size, config)
    if not os.access(path, os.R_OK):
        raise InvalidInput(f"'{path}' cannot be read (permission denied)", "Give the server's user read access to it.")
    return path


def check_size(name: str, size: int, config: Config) -> None:
    if size == 0:
        raise InvalidInput(f"'{name}' is empty (0 bytes)", "The file may still be copying or was not saved; pass a complete video.")
    if size > config.max_upload_bytes:
        raise InvalidInput(
            f"'{name}' is {size / 1e6:.0f} MB, over the {config.max_upload_bytes // (1024 * 1024)} MB limit",
            "Compress it or trim it into shorter parts (clips under 60 s give the cleanest JSON).",
        )


def hash_file(path: Path, progress: ProgressFn | None = None,
              cancel: CancelToken | None = None) -> tuple[str, Identity]:
    """Content hash (read in 1 MiB blocks) and the identity of the version that was hashed."""
    fd = open_checked(path)
    with os.fdopen(fd, "rb") as fh:
        before = Identity.of(os.fstat(fh.fileno()))
        digest = hashlib.sha256()
        total = max(before.size, 1)
        done = 0
        while block := fh.read(1 << 20):
            digest.update(block)
            done += len(block)
            if cancel is not None:
                cancel.raise_if_cancelled()
            if progress is not None and done % (64 << 20) < (1 << 20):
                progress(done / total, "hashing")
        after = Identity.of(os.fstat(fh.fileno()))
    if after != before or done != before.size:
        raise InvalidInput(f"'{path.name}' changed while it was being read",
                           "Wait until the file is completely written (copied, exported), then try again.")
    return digest.hexdigest(), before


def sha256_file(path: Path, progress: ProgressFn | None = None, cancel: CancelToken | None = None) -> str:
    """Content hash, read in 1 MiB blocks."""
    return hash_file(path, progress, cancel)[0]


def video_id_for(sha256: str) -> str:
    return f"vid_{sha256[:16]}"
