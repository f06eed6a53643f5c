"""File names of a batch's outputs: readable, and never the same for two different videos."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from video_json_ai.core.sources import is_url

INDEX_JSONL = "index.jsonl"
INDEX_CSV = "index.csv"
KEYFRAMES_DIR = "keyframes"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
STEM_CHARS = 60
HASH_CHARS = 12


def source_name(source: str) -> str:
    """The file name of a path or URL (a URL's last path part, decoded)."""
    if is_url(source):
        return PurePosixPath(unquote(urlsplit(source).path)).name or "video"
    return PurePosixPath(source.replace("\\", "/")).name


def output_stem(source: str, sha256: str) -> str:
    """``<stem>-<first 12 hex of the content hash>``: two videos with one stem (in different
    folders) get different names; the same content keeps its name across runs."""
    stem = PurePosixPath(source_name(source)).stem
    safe = _UNSAFE.sub("_", stem).strip("._-")[:STEM_CHARS] or "video"
    return f"{safe}-{sha256[:HASH_CHARS]}"


def report_name(source: str, sha256: str) -> str:
    return f"{output_stem(source, sha256)}.json"


def keyframes_folder(source: str, sha256: str) -> str:
    """The keyframes' folder inside the batch folder (relative, '/'-separated)."""
    return f"{KEYFRAMES_DIR}/{output_stem(source, sha256)}"
