"""A local file as a ``multipart/form-data`` body, streamed from disk with progress.

The file is read in chunks (never whole into memory) and ``Content-Length`` is known up front.
Build a new ``FileBody`` for every attempt: a body can be sent once.
"""

from __future__ import annotations

import mimetypes
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote

import anyio

from video_json_ai.util.progress import CancelToken, ProgressFn

CHUNK = 256 * 1024


def _ascii_name(name: str) -> str:
    return "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in name)


class FileBody:
    def __init__(self, path: Path, *, field: str, progress: ProgressFn, cancel: CancelToken) -> None:
        self.path = path
        self.progress = progress
        self.cancel = cancel
        self.boundary = uuid.uuid4().hex
        ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        disposition = f'form-data; name="{field}"; filename="{_ascii_name(path.name)}"'
        if _ascii_name(path.name) != path.name:
            disposition += f"; filename*=UTF-8''{quote(path.name)}"
        self.head = (f"--{self.boundary}\r\nContent-Disposition: {disposition}\r\n"
                     f"Content-Type: {ctype}\r\n\r\n").encode()
        self.tail = f"\r\n--{self.boundary}--\r\n".encode()
        self.size = path.stat().st_size

    @property
    def headers(self) -> dict[str, str]:
        return {"Content-Type": f"multipart/form-data; boundary={self.boundary}",
                "Content-Length": str(len(self.head) + self.size + len(self.tail))}

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self.head
        sent = 0
        total = max(self.size, 1)
        mb = self.size / 1e6
        with self.path.open("rb") as fh:
            while True:
                self.cancel.raise_if_cancelled()
                block = await anyio.to_thread.run_sync(fh.read, CHUNK)
                if not block:
                    break
                sent += len(block)
                self.progress(sent / total, f"uploading {self.path.name}: {sent / 1e6:.1f} of {mb:.1f} MB")
                yield block
        yield self.tail
