"""How long work reports progress and learns it was cancelled.

Engine code runs in worker threads and calls a plain ``ProgressFn``; the job system turns the
calls into MCP progress notifications or a terminal progress bar.
"""

from __future__ import annotations

import threading
from typing import Callable

from video_json_ai.errors import Cancelled

ProgressFn = Callable[[float, str], None]
"""``progress(fraction, message)``: fraction of the work done, 0..1, and a short message."""


def no_progress(fraction: float, message: str) -> None:
    """A ProgressFn that ignores everything."""


class CancelToken:
    """Set by whoever cancels; checked by the worker between units of work."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled("the job was cancelled")


def scaled(progress: ProgressFn, start: float, end: float) -> ProgressFn:
    """A ProgressFn for a sub-step that covers ``start..end`` of the parent's range."""

    span = end - start

    def report(fraction: float, message: str) -> None:
        progress(start + span * min(max(fraction, 0.0), 1.0), message)

    return report
