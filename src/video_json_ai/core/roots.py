"""Where the server may read and write: the allowed roots.

In order: the roots the MCP client offers (``roots/list``, refreshed on
``notifications/roots/list_changed``); else ``VIDEO_JSON_ALLOWED_DIRS``; else the user's home
directory only. The working directory is never a root of the server. The output directory is
always readable and writable. ``/`` and system folders are refused as roots unless
``VIDEO_JSON_ALLOW_ANY_DIR=1``.

The roots of the client that made a request travel with its job in a context variable
(``client_roots_scope``), so the checks deep in a backend see them without new arguments.
"""

from __future__ import annotations

import os
import sys
import weakref
from collections.abc import Awaitable, Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from video_json_ai.errors import InvalidInput

TREES = ("/etc", "/proc", "/sys", "/dev", "/boot", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
         "/usr", "/run", "/var/run", "/var/lib", "/var/log", "/System", "/private/etc", "/private/var/db")
"""A root at or inside one of these is refused."""
TOPS = ("/", "/var", "/opt", "/srv", "/tmp", "/var/tmp", "/home", "/Users", "/mnt", "/media", "/Volumes",
        "/private", "/Library", "/Applications")
"""A root that is one of these, or holds one, is refused (a subfolder of them is fine)."""
ANY_DIR_ENV = "VIDEO_JSON_ALLOW_ANY_DIR"
ALLOWED_ENV = "VIDEO_JSON_ALLOWED_DIRS"


def refusal(path: Path) -> str | None:
    """Why ``path`` (resolved) may not be a root, or None when it may."""
    if path == Path(path.anchor):
        return "it is the root of a disk"
    if sys.platform == "win32":  # pragma: no cover - Windows only
        system = Path(os.environ.get("SystemRoot", r"C:\Windows"))
        for top in (system, Path(os.environ.get("ProgramFiles", r"C:\Program Files"))):
            if path == top or path.is_relative_to(top) or top.is_relative_to(path):
                return "it is or holds a system folder"
        return None
    for tree in TREES:
        if path == Path(tree) or path.is_relative_to(tree):
            return f"it is inside the system folder {tree}"
    for top in TOPS:
        if Path(top).is_relative_to(path):
            return f"it is or holds the system folder {top}"
    return None


def resolve_dir(text: str) -> Path:
    """A directory as configured: ``~`` expanded (no variables), made absolute, links resolved."""
    return Path(text.strip()).expanduser().resolve()


def checked(dirs: Iterable[Path], origin: str, allow_any: bool) -> tuple[Path, ...]:
    """``dirs`` when none is a system folder (or ``allow_any``); else a clear error naming it."""
    out = tuple(dict.fromkeys(dirs))
    if allow_any:
        return out
    for d in out:
        reason = refusal(d)
        if reason:
            raise InvalidInput(
                f"'{d}' ({origin}) cannot be a folder this server reads and writes: {reason}",
                f"Name your media folders instead (e.g. {ALLOWED_ENV}=~/Videos), or set {ANY_DIR_ENV}=1 "
                "to allow any folder on purpose.",
            )
    return out



@dataclass(frozen=True)
class Roots:
    """The folders (or, from the command line, single files) a request may touch."""

    dirs: tuple[Path, ...]
    origin: str
    """Where they came from: 'client roots', VIDEO_JSON_ALLOWED_DIRS, 'home directory', 'command line'."""

    def contains(self, path: Path) -> bool:
        """``path`` (resolved) is one of the roots or inside one."""
        return any(path == d or path.is_relative_to(d) for d in self.dirs)

    def text(self) -> str:
        return os.pathsep.join(str(d) for d in self.dirs)

    def how_to_widen(self) -> str:
        if self.origin == "client roots":
            return "add its folder to the roots your MCP client shares with this server"
        return f"add its folder to {ALLOWED_ENV} (separated by '{os.pathsep}') in the server's environment"


_CLIENT_ROOTS: ContextVar[Roots | None] = ContextVar("video_json_ai_client_roots", default=None)


@contextmanager
def client_roots_scope(roots: Roots | None) -> Iterator[None]:
    """Within the block (and threads started from it by anyio), ``current`` answers ``roots``."""
    token = _CLIENT_ROOTS.set(roots)
    try:
        yield
    finally:
        _CLIENT_ROOTS.reset(token)


def current(configured: Roots, output_dir: Path) -> Roots:
    """The roots of this request: the client's when it offered some, else the configured ones;
    the output directory always."""
    roots = _CLIENT_ROOTS.get() or configured
    out = output_dir.resolve()
    return roots if out in roots.dirs else Roots((*roots.dirs, out), roots.origin)


def roots_from_uris(uris: Iterable[str], allow_any: bool) -> tuple[Roots | None, list[str]]:
    """The client's ``file://`` roots, and why any were left out (system folders, other schemes)."""
    dirs: list[Path] = []
    skipped: list[str] = []
    for uri in uris:
        parsed = urlparse(uri)
        if parsed.scheme != "file" or parsed.netloc not in ("", "localhost"):
            skipped.append(f"{uri}: not a local file:// root")
            continue
        path = Path(unquote(parsed.path)).resolve()
        reason = None if allow_any else refusal(path)
        if reason:
            skipped.append(f"{uri}: {reason}")
            continue
        dirs.append(path)
    return (Roots(tuple(dict.fromkeys(dirs)), "client roots") if dirs else None), skipped


Fetch = Callable[[], Awaitable[list[str]]]


class ClientRootsCache:
    """The roots each client session offered, asked once and again after ``list_changed``."""

    def __init__(self, allow_any: bool) -> None:
        self.allow_any = allow_any
        self._roots: weakref.WeakKeyDictionary[object, Roots | None] = weakref.WeakKeyDictionary()
        self.skipped: list[str] = []
        """Roots a client offered that were refused, for the log."""

    def invalidate(self, session: object) -> None:
        self._roots.pop(session, None)

    async def get(self, session: object, fetch: Fetch) -> Roots | None:
        if session not in self._roots:
            roots, skipped = roots_from_uris(await fetch(), self.allow_any)
            self.skipped = skipped
            self._roots[session] = roots
        return self._roots[session]
