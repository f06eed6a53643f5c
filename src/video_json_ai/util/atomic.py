"""The one atomic writer: a file appears complete under its final name, or not at all.

Everything is written to a temporary file beside its final name, then renamed (our own files:
reports, settings) or published (a user's file: never over an existing file or link, into the
very folder that was checked; see ``publish``).
"""

from __future__ import annotations

import errno
import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from video_json_ai.errors import InvalidInput
from video_json_ai.util.files import fd_path


def temp_beside(final: Path, tag: str = "partial") -> Path:
    """A fresh temporary name beside ``final`` (same filesystem, so the rename is atomic)."""
    return final.with_name(f".{final.stem}.{uuid.uuid4().hex[:8]}.{tag}{final.suffix}")


def _exists_error(final: Path) -> InvalidInput:
    return InvalidInput(f"'{final}' already exists (or appeared while writing) and is never overwritten",
                        "Pick a new file name, or delete the old file first.")


def publish(tmp: Path, final: Path) -> None:
    """Give the finished ``tmp`` (beside ``final``) the name ``final``, never replacing anything.

    ``final.parent`` must be a resolved folder: it is opened without following a link and must
    still be that folder (a link swapped in after the check is refused); the name is taken with a
    hard link (fails when anything, a dangling link included, holds it), or where hard links do
    not exist, claimed with O_EXCL and then renamed onto.
    """
    if tmp.parent != final.parent:
        raise InvalidInput(f"The temporary file '{tmp}' is not beside '{final}'", "Write it in the same folder.")
    try:
        dir_fd = os.open(final.parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        raise InvalidInput(f"The folder '{final.parent}' cannot be written ({exc.strerror})",
                           "Pick a real folder (not a link) that exists.") from None
    try:
        real = fd_path(dir_fd)
        if real is not None and real != str(final.parent):
            raise InvalidInput(f"The folder '{final.parent}' was replaced by a link while writing",
                               "Write to a real folder inside the allowed ones.")
        try:
            os.link(tmp.name, final.name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd, follow_symlinks=False)
        except FileExistsError:
            raise _exists_error(final) from None
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.EXDEV, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.ENOSYS):
                raise
            _claim_then_rename(tmp.name, final, dir_fd)
        else:
            os.unlink(tmp.name, dir_fd=dir_fd)
    finally:
        os.close(dir_fd)


def _claim_then_rename(tmp_name: str, final: Path, dir_fd: int) -> None:
    """For filesystems without hard links: take the name with O_EXCL, then move the file onto it."""
    try:
        fd = os.open(final.name, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0), 0o644,
                     dir_fd=dir_fd)
    except FileExistsError:
        raise _exists_error(final) from None
    os.close(fd)
    os.rename(tmp_name, final.name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)


@contextmanager
def atomic_path(path: Path, *, suffix: str = ".tmp", overwrite: bool = True,
                tmp: Path | None = None) -> Iterator[Path]:
    """A temporary path beside ``path`` (``tmp``, else a fresh file, mode 0600). When the block
    succeeds it becomes ``path``: renamed onto it (``overwrite``), else published (never over an
    existing file). When the block raises, it is deleted and ``path`` is left as it was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if tmp is None:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
        os.close(fd)
        tmp = Path(name)
    try:
        yield tmp
        if overwrite:
            os.replace(tmp, path)
        else:
            publish(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_bytes_atomic(path: Path, data: bytes, *, overwrite: bool = True) -> None:
    """Write ``data`` to ``path`` through a synced temporary file and a rename."""
    with atomic_path(path, overwrite=overwrite) as tmp, open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def write_text_atomic(path: Path, text: str, *, overwrite: bool = True) -> None:
    write_bytes_atomic(path, text.encode("utf-8"), overwrite=overwrite)
