"""A video named by an http(s) URL, downloaded where the worker runs, through the checked fetch of
``core/fetch.py`` (public addresses only unless VIDEO_JSON_ALLOW_PRIVATE_URLS, every redirect checked,
the size cap enforced while streaming)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from video_json_ai.batch.naming import source_name
from video_json_ai.core.fetch import Limits, fetch, private_allowance
from video_json_ai.util.progress import CancelToken, ProgressFn
from video_json_ai.core.sources import SUPPORTED_EXTENSIONS, SUPPORTED_TEXT
from video_json_ai.errors import InvalidInput


@contextmanager
def downloaded(url: str, max_bytes: int, progress: ProgressFn, cancel: CancelToken) -> Iterator[Path]:
    """The URL's body in a temporary file (deleted afterwards), at most ``max_bytes``."""
    name = source_name(url)
    if Path(name).suffix.lower().lstrip(".") not in SUPPORTED_EXTENSIONS:
        raise InvalidInput(f"The URL '{url}' does not name a supported media file ('{name}')",
                           f"Link to the file itself ({SUPPORTED_TEXT}).")
    limits = Limits(max_bytes=max_bytes,
                    allow_private=private_allowance(os.environ.get("VIDEO_JSON_ALLOW_PRIVATE_URLS")))
    with tempfile.TemporaryDirectory(prefix="video-json-fetch-") as folder:
        got = fetch(url, Path(folder), limits, progress=progress, cancel=cancel)
        target = Path(folder) / name
        os.replace(got.path, target)
        yield target
