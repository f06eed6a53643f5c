"""A batch run: what to do with each source, the engine doing it, the outputs, the summary.

Resuming is reading the index: a source whose newest row is 'done' for the same options, whose
report file exists and whose file has not changed since (size and modification time; a changed one
is hashed again in the worker and skipped when its content is the same) is skipped; one that
'failed' is left alone unless ``retry_failed`` (or its file changed).
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from video_json_ai.backends.local.extraction import options_key
from video_json_ai.batch.engines import make_engine
from video_json_ai.batch.engines.base import Progress
from video_json_ai.batch.index import BatchIndex
from video_json_ai.batch.outputs import done_row, failed_row, remove_partials, same_content_row, write_outputs
from video_json_ai.batch.work import VideoOutcome, VideoTask
from video_json_ai.util.progress import CancelToken
from video_json_ai.core.sources import is_url
from video_json_ai.errors import InvalidInput
from video_json_ai.models.batch import BatchSummary, EngineName, IndexRow
from video_json_ai.models.report import Report
from video_json_ai.models.requests import ExtractRequest

log = logging.getLogger(__name__)
MAX_BYTES = 500 * 1024 * 1024
LOCK_NAME = ".lock"


@contextmanager
def folder_lock(out_dir: Path) -> Iterator[None]:
    """One run at a time per batch folder (two would append to one index)."""
    fd = os.open(out_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InvalidInput(f"Another batch is running into '{out_dir}'",
                               "Wait for it to finish (or stop it), or pick another output folder.") from None
        yield
    finally:
        os.close(fd)


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class BatchSettings:
    out_dir: Path
    request: ExtractRequest
    engine: EngineName = "local"
    workers: int = field(default_factory=default_workers)
    ray_address: str | None = None
    retry_failed: bool = False
    refresh: bool = False
    """Analyse every video again, whatever the index holds."""
    allowed_dirs: tuple[Path, ...] = ()
    """Local files outside these are refused (each is checked where it is read)."""
    max_bytes: int = MAX_BYTES
    allow_urls: bool = False
    """Download http(s) sources in the worker (the command line; the server refuses them)."""


@dataclass
class Tally:
    """Counts so far, for progress bars and the summary."""

    total: int
    done: int = 0
    skipped: int = 0
    failed: int = 0
    failed_earlier: int = 0
    media_s: float = 0.0
    in_flight: dict[int, float] = field(default_factory=dict)

    @property
    def finished(self) -> int:
        return self.done + self.skipped + self.failed + self.failed_earlier

    def fraction(self) -> float:
        return min(1.0, (self.finished + sum(self.in_flight.values())) / self.total) if self.total else 1.0

    def message(self) -> str:
        earlier = f", {self.failed_earlier} failed before" if self.failed_earlier else ""
        return (f"{self.finished}/{self.total} videos: {self.done} done, {self.skipped} skipped, "
                f"{self.failed} failed{earlier}")


Watch = Callable[[Tally], None]
RowHook = Callable[[IndexRow, Report | None], None]
"""Called with each row of the set that holds a report (the report when this run made it)."""


def _stat(source: str) -> tuple[int, int] | None:
    if is_url(source):
        return None
    try:
        st = os.stat(source)
    except OSError:  # not visible from here (a cluster path) or gone
        return None
    return st.st_size, st.st_mtime_ns


Decision = Literal["run", "skip", "failed-earlier"]


def decide(row: IndexRow | None, source: str, settings: BatchSettings, options: str) -> Decision:
    """'run', 'skip' (the report stands) or 'failed-earlier' (left alone without retry_failed)."""
    if row is None or row.options_key != options or settings.refresh:
        return "run"
    stat = _stat(source)
    unchanged = stat is None or stat == (row.size_bytes, row.mtime_ns)
    if row.status == "failed":
        return "run" if settings.retry_failed or not unchanged else "failed-earlier"
    has_report = bool(row.report) and (settings.out_dir / str(row.report)).is_file()
    return "skip" if has_report and unchanged else "run"


class BatchRun:
    """One run over a list of sources into one batch folder."""

    def __init__(self, sources: list[str], settings: BatchSettings, *, watch: Watch | None = None,
                 on_row: RowHook | None = None) -> None:
        self.sources = sources
        self.settings = settings
        self.watch = watch or (lambda tally: None)
        self.on_row = on_row or (lambda row, report: None)
        self.index = BatchIndex(settings.out_dir)
        self.options = options_key(settings.request)
        self.tally = Tally(total=len(sources))
        self.by_key: dict[str, IndexRow] = {}

    def run(self, cancel: CancelToken | None = None) -> BatchSummary:
        started = time.monotonic()
        self.settings.out_dir.mkdir(parents=True, exist_ok=True)
        with folder_lock(self.settings.out_dir):
            self._run(cancel)
        return self._summary(time.monotonic() - started)

    def _run(self, cancel: CancelToken | None) -> None:
        rows = self.index.load()
        remove_partials(self.settings.out_dir)
        try:
            tasks = self._plan(rows)
            self.watch(self.tally)
            engine = make_engine(self.settings.engine, workers=self.settings.workers,
                                 ray_address=self.settings.ray_address)
            known = {} if self.settings.refresh else {key: str(row.report) for key, row in self.by_key.items()}
            for event in engine.run(tasks, known, cancel or CancelToken()) if tasks else ():
                if isinstance(event, Progress):
                    self.tally.in_flight[event.index] = event.fraction
                else:
                    self._finish(event)
                self.watch(self.tally)
        finally:
            self.index.finish()

    def _plan(self, rows: dict[str, IndexRow]) -> list[VideoTask]:
        for row in rows.values():
            if (row.status == "done" and row.cache_key and row.options_key == self.options and row.report
                    and (self.settings.out_dir / row.report).is_file()):
                self.by_key[row.cache_key] = row
        tasks: list[VideoTask] = []
        s = self.settings
        for position, source in enumerate(self.sources):
            row = rows.get(source)
            decision = decide(row, source, s, self.options)
            if decision == "skip" and row is not None:
                self.tally.skipped += 1
                self.on_row(row, None)
            elif decision == "failed-earlier":
                self.tally.failed_earlier += 1
            else:
                tasks.append(VideoTask(index=position, source=source, request=s.request, out_dir=str(s.out_dir),
                                       allowed_dirs=[str(d) for d in s.allowed_dirs], max_bytes=s.max_bytes,
                                       allow_urls=s.allow_urls))
        return tasks

    def _finish(self, outcome: VideoOutcome) -> None:
        """Write a finished video's outputs, then its index row (synced)."""
        self.tally.in_flight.pop(outcome.index, None)
        report: Report | None = None
        existing = self.by_key.get(outcome.cache_key or "")
        if outcome.status == "done":
            report = write_outputs(self.settings.out_dir, outcome)
            row = done_row(outcome, report, self.options)
            self.tally.done += 1
            self.tally.media_s += row.duration_s or 0.0
        elif outcome.status == "skipped" and existing is not None:
            row = same_content_row(outcome, existing)
            self.tally.skipped += 1
        else:
            if outcome.size_bytes is None and (stat := _stat(outcome.source)) is not None:
                outcome = outcome.model_copy(update={"size_bytes": stat[0], "mtime_ns": stat[1]})
            row = failed_row(outcome, self.options)
            self.tally.failed += 1
            log.info("batch: %s failed: %s", outcome.source, outcome.error)
        self.index.append(row)
        if row.status == "done":
            self.by_key[str(row.cache_key)] = row
            self.on_row(row, report)

    def _summary(self, wall_s: float) -> BatchSummary:
        t = self.tally
        rows = self.index.rows
        set_media_s = sum((rows[s].duration_s or 0.0) for s in self.sources if s in rows and rows[s].status == "done")
        media_hours = t.media_s / 3600
        return BatchSummary(
            out_dir=str(self.settings.out_dir), index_path=str(self.index.path), csv_path=str(self.index.csv_path),
            engine=self.settings.engine, workers=self.settings.workers, total=t.total, done=t.done,
            skipped=t.skipped, failed=t.failed, failed_earlier=t.failed_earlier,
            media_hours=round(media_hours, 6), set_media_hours=round(set_media_s / 3600, 6), wall_s=round(wall_s, 3),
            media_hours_per_hour=round(media_hours / (wall_s / 3600), 3) if t.done and wall_s > 0 else None,
        )


def run_batch(sources: list[str], settings: BatchSettings, *, watch: Watch | None = None,
              on_row: RowHook | None = None, cancel: CancelToken | None = None) -> BatchSummary:
    """Run a batch and return its summary (blocking; the outputs are in ``settings.out_dir``)."""
    return BatchRun(sources, settings, watch=watch, on_row=on_row).run(cancel)
