"""One registry of running and finished work, and the bounded wait every tool uses.

Backends are async. Their work runs on one long-lived event loop in a background thread (the
"job loop"), so it outlives the tool call that started it: a tool waits at most ``wait_seconds``,
then hands back the job id and the client polls ``get_state(job_id)``. The job loop also owns
shared resources such as the cloud client's connection pool.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from concurrent.futures import Future
from typing import Any, TypeVar

from pydantic import BaseModel

from video_json_ai.errors import Cancelled, VideoJsonError
from video_json_ai.models.state import JobInfo, JobKind, JobStatusName
from video_json_ai.util.progress import CancelToken, ProgressFn
from video_json_ai.core.store import Store
from video_json_ai.util.time import utc_now

log = logging.getLogger(__name__)
T = TypeVar("T")

JobWork = Callable[[ProgressFn, CancelToken], Coroutine[Any, Any, BaseModel]]
KEEP_FINISHED = 200
"""Finished jobs kept in memory (the rest are read back from the store when asked for)."""
PRUNE_EVERY = 100
"""Finished jobs between two prunings of the store's job table."""


class Job:
    """One piece of long work. Progress fields are written from worker threads."""

    SAVE_EVERY_S = 2.0
    """Progress is saved at most this often, so a restart can tell how far an interrupted job got."""

    def __init__(self, kind: JobKind, video_id: str | None, message: str,
                 saver: Callable[["Job"], None] | None = None) -> None:
        self.job_id = f"job_{uuid.uuid4().hex[:12]}"
        self.kind: JobKind = kind
        self.video_id = video_id
        self.status: JobStatusName = "running"
        self.progress = 0.0
        self.message = message
        self.created_at = utc_now()
        self.finished_at: str | None = None
        self.result: BaseModel | None = None
        self.error: str | None = None
        self.cancel_token = CancelToken()
        self.future: Future[Any] | None = None
        self._lock = threading.Lock()
        self._saver = saver
        self._saved_at = time.monotonic()

    def report(self, fraction: float, message: str) -> None:
        with self._lock:
            if self.status != "running":
                return
            self.progress = max(self.progress, min(max(float(fraction), 0.0), 1.0))
            if message:
                self.message = message
            now = time.monotonic()
            due = self._saver is not None and now - self._saved_at >= self.SAVE_EVERY_S
            if due:
                self._saved_at = now
        if due and self._saver is not None:
            self._saver(self)

    @property
    def done(self) -> bool:
        return self.status != "running"

    def info(self) -> JobInfo:
        with self._lock:
            return JobInfo(
                job_id=self.job_id,
                kind=self.kind,
                status=self.status,
                progress=round(self.progress, 4),
                message=self.message,
                video_id=self.video_id,
                created_at=self.created_at,
                finished_at=self.finished_at,
                error=self.error,
            )


class JobRunner:
    """Runs backend coroutines on the job loop and keeps their jobs."""

    def __init__(self, store: Store | None = None, session_id: str = "local") -> None:
        self.store = store
        self.session_id = session_id
        self._jobs: dict[str, Job] = {}
        self._finished = 0
        self._persist_lock = threading.Lock()
        """A job's state is read and saved under it: a late progress save never overwrites its end."""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="video-json-ai-jobs", daemon=True)
        self._thread.start()
        if store is not None:
            mark_interrupted(store)

    # -- running things on the job loop -----------------------------------------------------
    def submit(self, coro: Coroutine[Any, Any, T]) -> Future[T]:
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    async def call(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run a short backend call on the job loop and await it from any loop."""
        return await asyncio.wrap_future(self.submit(coro)) if _in_asyncio() else await _await_future(self.submit(coro))

    def call_sync(self, coro: Coroutine[Any, Any, T]) -> T:
        return self.submit(coro).result()

    def close(self, aclose: Callable[[], Awaitable[None]] | None = None) -> None:
        for job in list(self._jobs.values()):
            if not job.done:
                self.cancel(job.job_id)
        if aclose is not None:
            try:
                self.submit(aclose()).result(timeout=5)  # type: ignore[arg-type]
            except Exception:  # noqa: BLE001 - closing is best effort
                log.debug("backend close failed", exc_info=True)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    # -- jobs -------------------------------------------------------------------------------
    def start(self, kind: JobKind, work: JobWork, *, video_id: str | None = None, message: str = "started") -> Job:
        job = Job(kind, video_id, message, saver=self._persist)
        self._jobs[job.job_id] = job
        self._persist(job)
        job.future = self.submit(self._run(job, work))
        return job

    async def _run(self, job: Job, work: JobWork) -> None:
        try:
            result = await work(job.report, job.cancel_token)
        except (Cancelled, asyncio.CancelledError):
            self._finish(job, "cancelled", error="The job was cancelled.")
        except VideoJsonError as exc:
            self._finish(job, "failed", error=str(exc))
        except Exception as exc:  # noqa: BLE001 - a job must always end with a status
            log.exception("job %s failed", job.job_id)
            self._finish(job, "failed", error=f"Unexpected error: {type(exc).__name__}: {exc}")
        else:
            job.result = result
            self._finish(job, "completed")

    def _finish(self, job: Job, status: JobStatusName, *, error: str | None = None) -> None:
        with job._lock:
            job.status = status
            job.error = error
            job.finished_at = utc_now()
            if status == "completed":
                job.progress = 1.0
                job.message = "completed"
            else:
                job.message = error or status
        self._persist(job)
        self._forget_old()

    def _forget_old(self) -> None:
        """Keep every running job and the newest finished ones in memory; prune the store now and then."""
        finished = [j for j in self._jobs.values() if j.done]
        for old in finished[:-KEEP_FINISHED] if len(finished) > KEEP_FINISHED else []:
            self._jobs.pop(old.job_id, None)
        self._finished += 1
        if self.store is not None and self._finished % PRUNE_EVERY == 0:
            from video_json_ai.core.cache import prune_jobs

            try:
                prune_jobs(self.store)
            except Exception:  # noqa: BLE001 - pruning must not fail a job
                log.warning("could not prune the job table", exc_info=True)

    def _persist(self, job: Job) -> None:
        if self.store is None:
            return
        try:
            with self._persist_lock:
                result = job.result.model_dump(mode="json") if job.result is not None else None
                self.store.save_job(self.session_id, job.job_id, job.info().model_dump(mode="json"), result)
        except Exception:  # noqa: BLE001 - state persistence must not kill the job
            log.warning("could not save job %s", job.job_id, exc_info=True)

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def cancel(self, job_id: str) -> bool:
        job = self._jobs.get(job_id)
        if job is None or job.done:
            return False
        job.cancel_token.cancel()
        if job.future is not None:
            job.future.cancel()
        return True

    def jobs(self) -> list[Job]:
        return list(self._jobs.values())

    async def wait(
        self,
        job: Job,
        wait_seconds: float,
        on_progress: Callable[[float, str], Awaitable[None]] | None = None,
        *,
        heartbeat_s: float = 2.0,
        poll_s: float = 0.1,
    ) -> bool:
        """Wait until the job ends or ``wait_seconds`` pass; relay progress meanwhile.

        Progress goes out when it changes and at least every ``heartbeat_s``. True when done.
        """
        deadline = time.monotonic() + max(wait_seconds, 0.0)
        waiter = asyncio.wrap_future(job.future) if job.future is not None and _in_asyncio() else None
        last_sent: tuple[float, str] | None = None
        last_time = 0.0
        while True:
            info = (job.progress, job.message)
            now = time.monotonic()
            if on_progress is not None and not job.done and (info != last_sent or now - last_time >= heartbeat_s):
                await on_progress(*info)
                last_sent, last_time = info, now
            if job.done or now >= deadline:
                return job.done
            await _pause(waiter, min(poll_s, max(deadline - now, 0.0)))


def pid_alive(pid: int | None) -> bool:
    if not pid or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def interrupted_info(info: dict[str, Any], when: str) -> dict[str, Any]:
    """A job of a server that stopped before it finished, as it is reported from now on."""
    progress = float(info.get("progress") or 0.0)
    last = info.get("message") or "no progress reported"
    return {**info, "status": "interrupted", "finished_at": info.get("finished_at") or when,
            "error": (f"The server stopped (it was killed or restarted) while this job ran, at {progress:.0%} "
                      f"({last}). Nothing of it was kept; run the same request again."),
            "message": f"interrupted at {progress:.0%}: {last}"}


def mark_interrupted(store: Store) -> int:
    """Jobs saved as running by a server process that is gone: marked interrupted, with a finish time."""
    now = utc_now()
    count = 0
    for job_id, info, owner in store.running_jobs():
        if pid_alive(owner):
            continue  # another server on the same data directory is running it
        store.mark_job(job_id, interrupted_info(info, now))
        count += 1
    return count


def _in_asyncio() -> bool:
    try:
        asyncio.get_running_loop()
        return True
    except RuntimeError:
        return False


async def _await_future(fut: Future[T]) -> T:  # pragma: no cover - trio callers only
    import anyio

    return await anyio.to_thread.run_sync(fut.result)


async def _pause(waiter: asyncio.Future[Any] | None, seconds: float) -> None:
    """Sleep ``seconds``, or less when ``waiter`` (the job's future, on this loop) is done first."""
    if waiter is not None:
        await asyncio.wait({waiter}, timeout=seconds)
    else:
        await _sleep(seconds)


async def _sleep(seconds: float) -> None:
    import anyio

    await anyio.sleep(seconds)
