"""The worker process: results, errors, crashes and cancellation."""

from __future__ import annotations

import os
import threading
import time

import pytest

from video_json_ai.engine.process import run_in_worker
from video_json_ai.errors import Cancelled, InvalidInput, MediaError
from video_json_ai.core.progress import CancelToken


def work_ok(*, progress, cancel, n: int) -> int:  # noqa: ANN001
    for i in range(n):
        progress((i + 1) / n, f"step {i}")
    return n * 2


def work_fails(*, progress, cancel) -> None:  # noqa: ANN001
    raise InvalidInput("bad thing", "do the other thing")


def work_crashes(*, progress, cancel) -> None:  # noqa: ANN001
    os._exit(139)  # what a segfault in a decoder looks like from outside


def work_hangs(*, progress, cancel, marker: str) -> None:  # noqa: ANN001
    progress(0.1, "started")
    while True:
        time.sleep(0.05)


def test_result_and_progress() -> None:
    seen: list[tuple[float, str]] = []
    assert run_in_worker(work_ok, {"n": 3}, progress=lambda f, m: seen.append((f, m)), cancel=CancelToken()) == 6
    assert [f for f, _ in seen] == [1 / 3, 2 / 3, 1.0]


def test_user_errors_keep_their_type_and_text() -> None:
    with pytest.raises(InvalidInput, match="bad thing. do the other thing"):
        run_in_worker(work_fails, {}, progress=lambda f, m: None, cancel=CancelToken())


def test_a_crash_is_an_error_not_a_dead_server() -> None:
    with pytest.raises(MediaError, match="exit code 139"):
        run_in_worker(work_crashes, {}, progress=lambda f, m: None, cancel=CancelToken())


def test_cancel_stops_the_process() -> None:
    cancel = CancelToken()
    started = threading.Event()

    def progress(f: float, m: str) -> None:
        started.set()

    threading.Thread(target=lambda: (started.wait(20), cancel.cancel()), daemon=True).start()
    t = time.monotonic()
    with pytest.raises(Cancelled):
        run_in_worker(work_hangs, {"marker": "x"}, progress=progress, cancel=cancel)
    assert time.monotonic() - t < 20
