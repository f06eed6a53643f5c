"""A video named by an http(s) URL, streamed to a temporary file where the worker runs.

Used by batches started from the command line (a person chose the URLs). The MCP server's batches
leave URLs to the checked download of the local backend and refuse them here.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from video_json_ai.batch.naming import source_name
from video_json_ai.core.progress import CancelToken, ProgressFn
from video_json_ai.core.sources import SUPPORTED_EXTENSIONS, SUPPORTED_TEXT
from video_json_ai.errors import InvalidInput, MediaError, NotFound

TIMEOUT = httpx.Timeout(60.0, connect=15.0)
CHUNK = 1 << 20


@contextmanager
def downloaded(url: str, max_bytes: int, progress: ProgressFn, cancel: CancelToken) -> Iterator[Path]:
    """The URL's body in a temporary file (deleted afterwards), at most ``max_bytes``."""
    name = source_name(url)
    if Path(name).suffix.lower().lstrip(".") not in SUPPORTED_EXTENSIONS:
        raise InvalidInput(f"The URL '{url}' does not name a supported media file ('{name}')",
                           f"Link to the file itself ({SUPPORTED_TEXT}).")
    with tempfile.TemporaryDirectory(prefix="video-json-fetch-") as folder:
        target = Path(folder) / name
        try:
            _stream(url, target, max_bytes, progress, cancel)
        except httpx.HTTPError as exc:
            raise MediaError(f"Could not download '{url}' ({type(exc).__name__}: {exc})",
                             "Check that the URL is reachable from the machine that runs the worker.") from exc
        yield target


def _stream(url: str, target: Path, max_bytes: int, progress: ProgressFn, cancel: CancelToken) -> None:
    with httpx.stream("GET", url, follow_redirects=True, timeout=TIMEOUT) as response:
        if response.status_code != 200:
            raise NotFound(f"'{url}' answered HTTP {response.status_code}", "Check the URL and try again.")
        expected = int(response.headers.get("content-length") or 0)
        received = 0
        with target.open("wb") as fh:
            for chunk in response.iter_bytes(CHUNK):
                cancel.raise_if_cancelled()
                received += len(chunk)
                if received > max_bytes:
                    raise InvalidInput(f"'{url}' is over the {max_bytes >> 20} MB limit",
                                       "Compress the video or trim it into shorter parts.")
                fh.write(chunk)
                if expected:
                    progress(min(received / expected, 1.0), "downloading")
