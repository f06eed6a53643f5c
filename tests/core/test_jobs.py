"""The job registry: status, progress, cancel, the bounded wait, and what a restart keeps."""

from __future__ import annotations

import asyncio
import time

import pytest

from video_json_ai.core.jobs import JobRunner
from video_json_ai.core.store import Store
from video_json_ai.errors import InvalidInput
from video_json_ai.models.tools import CreditsResult


def _result(message: str) -> CreditsResult:
    return CreditsResult(backend="local", unlimited=True, message=message)


@pytest.fixture
def runner(tmp_path):
    r = JobRunner(Store(tmp_path / "state.sqlite3"), session_id="local")
    yield r
    r.close()


def test_a_job_reports_progress_then_completes_with_its_result(runner):
    gate = asyncio.Event()

    async def work(progress, cancel):
        progress(0.25, "a quarter")
        progress(0.1, "going back is ignored")
        await asyncio.wait_for(gate.wait(), 5)
        return _result("done")

    job = runner.start("extract", work, video_id="vid_x")
    time.sleep(0.2)
    assert job.status == "running" and job.progress == 0.25 and job.message == "going back is ignored"
    runner.submit(_set(gate)).result(timeout=5)
    job.future.result(timeout=5)
    assert job.status == "completed" and job.progress == 1.0 and job.result.message == "done"
    saved, result = runner.store.job(job.job_id)
    assert saved["status"] == "completed" and result["message"] == "done"


async def _set(event: asyncio.Event) -> None:
    event.set()


def test_errors_are_kept_as_the_job_error_and_unexpected_ones_named(runner):
    async def bad(progress, cancel):
        raise InvalidInput("That is wrong", "Do it right.")

    async def broken(progress, cancel):
        raise KeyError("boom")

    a, b = runner.start("upload", bad), runner.start("upload", broken)
    for job in (a, b):
        job.future.result(timeout=5)
    assert a.status == "failed" and a.error == "That is wrong. Do it right."
    assert b.status == "failed" and b.error.startswith("Unexpected error: KeyError")


def test_cancel_stops_the_work_and_marks_the_job(runner):
    started = asyncio.Event()

    async def forever(progress, cancel):
        started.set()
        while True:
            cancel.raise_if_cancelled()
            await asyncio.sleep(0.01)

    job = runner.start("export", forever)
    while not started.is_set():
        time.sleep(0.01)
    assert runner.cancel(job.job_id) is True
    for _ in range(500):
        if job.done:
            break
        time.sleep(0.01)
    assert job.status == "cancelled"
    assert runner.cancel(job.job_id) is False  # a finished job cannot be cancelled again


def test_wait_returns_after_the_bounded_wait_and_relays_progress(runner):
    async def slow(progress, cancel):
        for i in range(100):
            progress(i / 100, f"step {i}")
            await asyncio.sleep(0.05)
        return _result("late")

    seen: list[tuple[float, str]] = []

    async def relay(fraction: float, message: str) -> None:
        seen.append((fraction, message))

    job = runner.start("extract", slow)

    async def waiter() -> None:
        await runner.wait(job, 0.5, relay)

    loop = asyncio.new_event_loop()
    try:
        t0 = loop.time()
        loop.run_until_complete(waiter())
        waited = loop.time() - t0
    finally:
        loop.close()
    assert 0.4 <= waited < 2.0 and job.status == "running"
    assert seen and all(0 <= f <= 1 for f, _ in seen)
    runner.cancel(job.job_id)
    for _ in range(500):
        if job.done:
            break
        time.sleep(0.01)
    assert job.status == "cancelled"
