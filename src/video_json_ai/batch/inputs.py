"""What a batch reads: files, folders (recursive) and manifests, turned into one list of sources.

A source is an absolute path or an http(s) URL. Folders yield their supported media files
(``core/sources.py`` SUPPORTED_EXTENSIONS) in sorted order, hidden files and folders left out,
symlinked folders not followed. A manifest (``.txt``/``.list``: one path or URL per line, ``#``
comments; ``.csv``: a ``source`` column) lists sources; relative paths in it are relative to it.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from video_json_ai.core.sources import SUPPORTED_EXTENSIONS, SUPPORTED_TEXT, is_url
from video_json_ai.errors import InvalidInput, NotFound

MANIFEST_EXTENSIONS = ("txt", "list", "csv")
MAX_MANIFEST_BYTES = 64 * 1024 * 1024


def _extension(path: Path) -> str:
    return path.suffix.lower().lstrip(".")


def is_media(path: Path) -> bool:
    return _extension(path) in SUPPORTED_EXTENSIONS


def is_manifest(path: Path) -> bool:
    return _extension(path) in MANIFEST_EXTENSIONS


def _absolute(text: str, base: Path) -> Path:
    path = Path(text).expanduser()
    return Path(os.path.abspath(path if path.is_absolute() else base / path))


def folder_media(folder: Path) -> Iterator[Path]:
    """The supported media files under ``folder``, sorted, hidden ones and symlinked folders left out."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            path = Path(root) / name
            if not name.startswith(".") and is_media(path):
                yield path


def manifest_entries(manifest: Path) -> list[str]:
    """The sources a manifest lists, as written (paths still relative)."""
    if manifest.stat().st_size > MAX_MANIFEST_BYTES:
        raise InvalidInput(f"The manifest '{manifest.name}' is over {MAX_MANIFEST_BYTES >> 20} MB",
                           "Split it into several manifests.")
    text = manifest.read_text(encoding="utf-8-sig")
    if _extension(manifest) != "csv":
        return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    reader = csv.DictReader(io.StringIO(text))
    column = next((c for c in reader.fieldnames or [] if c and c.strip().lower() == "source"), None)
    if column is None:
        raise InvalidInput(
            f"The CSV manifest '{manifest.name}' has no 'source' column (columns: {', '.join(reader.fieldnames or []) or 'none'})",
            "Put a header row with a column named 'source' holding one path or URL per row.")
    return [row[column].strip() for row in reader if (row.get(column) or "").strip()]


def _from_manifest(manifest: Path) -> Iterator[str]:
    for entry in manifest_entries(manifest):
        if is_url(entry):
            yield entry
            continue
        path = _absolute(entry, manifest.parent)
        if path.is_dir():
            yield from (str(p) for p in folder_media(path))
        else:  # kept even when this machine cannot see it: a cluster's workers may; each is checked where it is read
            yield str(path)


def _from_input(text: str, base: Path) -> Iterator[str]:
    if is_url(text):
        yield text
        return
    path = _absolute(text, base)
    if path.is_dir():
        yield from (str(p) for p in folder_media(path))
    elif not path.exists():
        raise NotFound(f"No file or folder at '{path}'", "Check the path (absolute paths are safest) and try again.")
    elif is_manifest(path):
        yield from _from_manifest(path)
    elif is_media(path):
        yield str(path)
    else:
        raise InvalidInput(
            f"'{path.name}' is neither a supported media file nor a manifest",
            f"Pass folders, media files ({SUPPORTED_TEXT}) or a manifest (.txt/.list: one path or URL per "
            "line; .csv: a 'source' column).")


def expand_inputs(inputs: Iterable[str], base: Path | None = None) -> list[str]:
    """Every source the inputs name, each once, in order."""
    where = base or Path.cwd()
    sources: dict[str, None] = {}
    for text in inputs:
        if not text or not text.strip():
            raise InvalidInput("An empty input was given", "Pass folders, media files or manifests.")
        for source in _from_input(text.strip(), where):
            sources.setdefault(source, None)
    return list(sources)
