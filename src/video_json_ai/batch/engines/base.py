"""What an engine is: it runs the videos' tasks somewhere and hands back progress and outcomes."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import NamedTuple, Protocol

from video_json_ai.batch.work import VideoOutcome, VideoTask
from video_json_ai.util.progress import CancelToken


class Progress(NamedTuple):
    """How far the video at ``index`` of the batch is, 0..1."""

    index: int
    fraction: float


Event = Progress | VideoOutcome


class Engine(Protocol):
    name: str

    def run(self, tasks: list[VideoTask], known_keys: Mapping[str, str], cancel: CancelToken) -> Iterator[Event]:
        """Run every task; yield progress now and then and exactly one outcome per task, on the
        caller's thread. Leaving the loop early stops the work."""
        ...
