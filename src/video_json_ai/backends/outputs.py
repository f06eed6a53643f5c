"""Where a file the user asked for may be written: the one rule of both backends.

Only under the output directory or an allowed root, only with the format's media suffix, never
over an existing file (nor a link, dangling or not), never through a link that leads out of the
roots, and atomically (``util/atomic.publish`` takes the name in the folder that was checked).
A path is taken as typed with only ``~`` expanded.
"""

from __future__ import annotations

import os
from collections.abc import Collection
from pathlib import Path

from video_json_ai.config import Config
from video_json_ai.core.sources import SUPPORTED_EXTENSIONS, outside_error, roots_of
from video_json_ai.errors import InvalidInput
from video_json_ai.models.render import FORMAT_SUFFIXES

MEDIA_SUFFIXES = frozenset({f".{e}" for e in SUPPORTED_EXTENSIONS} | {".m4v", ".mpg", ".ts", ".flac", ".ogg", ".opus"})
"""An output_path ending in one of these must match the format (no silent renaming to another type)."""


def suffix_for(fmt: str) -> str:
    try:
        return FORMAT_SUFFIXES[fmt]
    except KeyError:
        raise InvalidInput(f"Unsupported format '{fmt}'", f"Choose one of: {', '.join(FORMAT_SUFFIXES)}.") from None


def _named(requested: str, suffix: str, fmt: str) -> Path:
    """The asked-for path, absolute, with the format's suffix added when it has no media suffix."""
    if "\0" in requested or not requested.strip():
        raise InvalidInput("output_path is empty or holds a NUL character", "Pass a file path such as ~/Videos/cut.mp4.")
    path = Path(os.path.abspath(Path(requested.strip()).expanduser()))
    given = path.suffix.lower()
    if given in MEDIA_SUFFIXES and given != suffix:
        raise InvalidInput(f"output_path '{path.name}' ends in {given}, but the format is {fmt}",
                           f"Name the file with {suffix}, or pass the format that matches {given}.")
    return path if given == suffix else path.with_name(path.name + suffix)


def explicit_target(requested: str, fmt: str, config: Config, busy: Collection[Path] = ()) -> Path:
    """The checked final path for an explicit ``output_path``; raises InvalidInput."""
    asked = _named(requested, suffix_for(fmt), fmt)
    if asked.name in ("", ".", "..") or asked.name.startswith("."):
        raise InvalidInput(f"'{asked.name}' is not a usable file name", "Name the file, e.g. cut.mp4.")
    folder = asked.parent.resolve()
    target = folder / asked.name
    if not roots_of(config).contains(target):  # the folder resolved; the name itself is never followed
        raise outside_error(target, config, "write", f"Pick a path inside one, leave output_path out to use {config.output_dir}")
    if not folder.is_dir():
        raise InvalidInput(f"The folder '{folder}' does not exist", "Create it first, or pick another output_path.")
    if os.path.lexists(target):
        what = "is a link and" if target.is_symlink() else "already exists and"
        raise InvalidInput(f"'{target}' {what} is never overwritten", "Pick a new file name, or delete the old file first.")
    if target in busy:
        raise InvalidInput(f"'{target}' is being written by another render that is still running",
                           "Pick another file name, or wait for that render (get_state lists the jobs).")
    return target


def default_target(folder: Path, name: str, fmt: str, busy: Collection[Path] = ()) -> Path:
    """A free path for ``name`` in ``folder`` (made, resolved): ``name``, ``name-2``, ``name-3``..."""
    suffix = suffix_for(fmt)
    folder.mkdir(parents=True, exist_ok=True)
    folder = folder.resolve()
    stem = Path(name).stem if Path(name).suffix.lower() == suffix else Path(name).name
    path = folder / f"{stem}{suffix}"
    n = 2
    while os.path.lexists(path) or path in busy:
        path = folder / f"{stem}-{n}{suffix}"
        n += 1
    return path


def output_target(requested: str | None, fmt: str, config: Config, default_name: str, *,
                  folder: Path | None = None, busy: Collection[Path] = ()) -> Path:
    """Where a render or download goes: the checked ``requested`` path, else a free name in
    ``folder`` (default: the output directory's ``renders``)."""
    if requested:
        return explicit_target(requested, fmt, config, busy)
    return default_target(folder or config.output_dir / "renders", default_name, fmt, busy)
