"""The worker process: results, errors, crashes and cancellation."""

from __future__ import annotations

import os
import threading
import time

import pytest

from video_json_ai.engine.process import QUEUE, configure, run_in_worker
from video_json_ai.errors import Cancelled, InvalidInput, MediaError
from video_json_ai.util.progress import CancelToken


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


def work_allocates(*, progress, cancel, mb: int) -> int:  # noqa: ANN001
    block = bytearray(mb * 1024 * 1024)
    return len(block)


def work_reports_pid(*, progress, cancel, pid_file: str, seconds: float) -> None:  # noqa: ANN001
    from pathlib import Path

    Path(pid_file).write_text(str(os.getpid()))
    progress(0.5, "holding")
    time.sleep(seconds)


def work_sees_env(*, progress, cancel) -> dict:  # noqa: ANN001
    return {k: v for k, v in os.environ.items() if "SECRET" in k or "TOKEN" in k}


def test_a_memory_blow_up_is_a_clear_error_and_the_next_job_runs() -> None:
    configure(2, 1024)
    try:
        with pytest.raises(MediaError, match="more than the 1024 MB of memory a worker may use") as err:
            run_in_worker(work_allocates, {"mb": 4096}, progress=lambda f, m: None, cancel=CancelToken(),
                          what="the extraction of 'huge.png'")
        assert "huge.png" in str(err.value) and "VIDEO_JSON_WORKER_MEMORY_MB" in err.value.fix
        assert run_in_worker(work_allocates, {"mb": 16}, progress=lambda f, m: None, cancel=CancelToken()) == 16 << 20
    finally:
        configure(os.cpu_count() or 1, 4096)


def test_a_hang_is_stopped_at_the_time_limit() -> None:
    t = time.monotonic()
    with pytest.raises(MediaError, match="took longer than 1 s") as err:
        run_in_worker(work_hangs, {"marker": "x"}, progress=lambda f, m: None, cancel=CancelToken(),
                      what="the extraction of 'loop.mp4'", timeout_s=1.0)
    assert "loop.mp4" in str(err.value) and time.monotonic() - t < 10


def test_workers_get_no_secret_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_SECRET_TOKEN", "sk-should-not-reach-a-decoder")
    assert run_in_worker(work_sees_env, {}, progress=lambda f, m: None, cancel=CancelToken()) == {}


def test_the_pool_is_bounded_and_the_queue_reports_its_place(tmp_path) -> None:  # noqa: ANN001
    configure(1, 4096)
    seen: list[str] = []
    errors: list[BaseException] = []

    def job(i: int) -> None:
        try:
            run_in_worker(work_reports_pid, {"pid_file": str(tmp_path / f"{i}.pid"), "seconds": 0.6},
                          progress=lambda f, m: seen.append(m), cancel=CancelToken())
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    try:
        threads = [threading.Thread(target=job, args=(i,)) for i in range(3)]
        for t in threads:
            t.start()
            time.sleep(0.1)
        peak = 0
        while any(t.is_alive() for t in threads):
            peak = max(peak, QUEUE.running)
            time.sleep(0.02)
        assert not errors and peak == 1
        assert any("1 ahead in the queue" in m for m in seen) and any("0 ahead" in m for m in seen)
    finally:
        configure(os.cpu_count() or 1, 4096)


ORPHAN_SCRIPT = """
import sys, time
from video_json_ai.engine.process import QUEUE, configure, run_in_worker
from video_json_ai.util.progress import CancelToken
from tests.engine.test_process import work_reports_pid
if __name__ == "__main__":
    run_in_worker(work_reports_pid, {"pid_file": sys.argv[1], "seconds": 120}, progress=lambda f, m: None, cancel=CancelToken())
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_a_worker_dies_with_a_killed_server(tmp_path) -> None:  # noqa: ANN001
    """The outside run found a worker orphaned by kill -9 living on; now it goes at once."""
    import signal
    import subprocess
    import sys
    from pathlib import Path

    script = tmp_path / "server.py"
    script.write_text(ORPHAN_SCRIPT)
    pid_file = tmp_path / "worker.pid"
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root / "src"), str(root)])}
    server = subprocess.Popen([sys.executable, str(script), str(pid_file)], env=env, cwd=root)
    try:
        deadline = time.monotonic() + 60
        while not pid_file.exists() or not pid_file.read_text():
            assert time.monotonic() < deadline and server.poll() is None, "the worker never started"
            time.sleep(0.05)
        worker = int(pid_file.read_text())
        assert _alive(worker)
        server.send_signal(signal.SIGKILL)
        server.wait(10)
        deadline = time.monotonic() + 5
        while _alive(worker) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(worker), "the worker outlived the server"
    finally:
        server.kill()
