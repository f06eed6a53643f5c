"""Opening a user's file so that what is read is exactly the plain file that was checked.

A path is checked (resolved, inside an allowed root) some time before it is read; in between, a
component could be swapped for a symlink. ``open_checked`` opens without following a final
symlink, refuses anything but a regular file (no FIFO, device or directory), and compares the
real path of the opened descriptor with the checked path: a swap is caught at open time.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path
from typing import NamedTuple

from video_json_ai.errors import InvalidInput


class Identity(NamedTuple):
    """What tells one version of a file from another without reading it."""

    size: int
    mtime_ns: int
    inode: int
    device: int

    @classmethod
    def of(cls, st: os.stat_result) -> "Identity":
        return cls(st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev)


def fd_path(fd: int) -> str | None:
    """The real path of an open descriptor, where the system tells it."""
    if sys.platform.startswith("linux"):
        try:
            return os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            return None
    if sys.platform == "darwin":  # pragma: no cover - macOS only
        import fcntl

        try:
            raw = fcntl.fcntl(fd, fcntl.F_GETPATH, bytes(1024))  # type: ignore[attr-defined]
        except OSError:
            return None
        return raw.split(b"\0", 1)[0].decode(errors="surrogateescape")
    return None  # pragma: no cover


def open_checked(path: Path) -> int:
    """A read-only descriptor on the regular file ``path`` (absolute and resolved by the caller).

    Raises InvalidInput when nothing is there, when it is not a plain file, or when the
    opened file is not the one at ``path`` any more (a symlink swapped in after the check).
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise InvalidInput(f"The file '{path}' does not exist", "Check the path, or upload the video again.") from None
    except OSError as exc:
        if os.path.islink(path):
            raise InvalidInput(f"'{path}' became a symbolic link after it was checked",
                               "Pass the real file's path; links are followed only when they stay inside an allowed folder.") from None
        raise InvalidInput(f"'{path}' cannot be opened ({exc.strerror})", "Give the server's user read access to it.") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise InvalidInput(f"'{path}' is not a plain file", "Pass a video file, not a folder, device or pipe.")
        real = fd_path(fd)
        if real is not None and real != str(path):
            raise InvalidInput(f"'{path}' now leads to another file ('{Path(real).name}') than the one checked",
                               "A folder on its path was replaced by a link; pass the real file's path.")
        if real is None and os.path.realpath(path) != str(path):  # pragma: no cover - no /proc, no F_GETPATH
            raise InvalidInput(f"'{path}' now leads to another file than the one checked", "Pass the real file's path.")
    except BaseException:
        os.close(fd)
        raise
    return fd


def identity(path: Path) -> Identity | None:
    """Size, mtime, inode and device of ``path`` (following links), None when it is gone."""
    try:
        return Identity.of(os.stat(path))
    except OSError:
        return None
