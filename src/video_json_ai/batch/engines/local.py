"""The local engine: a pool of long-lived worker processes on this machine.

Each worker is a spawned process that runs one video at a time (``batch/work.py``) and stays up for
the next, so the start-up cost (PyAV, NumPy, ONNX) is paid once per worker, not once per video.
A worker that dies (a decoder crash on a hostile file) fails only the video it held; a new worker
takes its place. Cancelling, or leaving the loop, terminates the workers.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import threading
import time
from collections.abc import Iterator, Mapping
from multiprocessing.connection import Connection

from video_json_ai.engine.process import harden_child, worker_memory_bytes
from video_json_ai.batch.engines.base import Event, Progress
from video_json_ai.batch.work import VideoOutcome, VideoTask, failed, process_video
from video_json_ai.util.progress import CancelToken

_CONTEXT = mp.get_context("spawn")  # as engine/process.py: no inherited threads or locks
TASKS_PER_WORKER = 200
"""A worker is replaced after this many videos (whatever a decoder leaked goes with it)."""
STALL_S = 300.0
"""A worker that sends no word for this long is stuck (a decoder looping on a hostile file): it is
stopped and its video fails."""


def _serve(conn: Connection, known_keys: Mapping[str, str], memory_bytes: int) -> None:
    """The worker's loop: a task in, progress and an outcome out, until told to stop. Hardened like
    every decoding worker (engine/process.py): dies with the driver, memory capped, no secrets."""
    harden_child(None, memory_bytes)

    def progress(fraction: float, message: str) -> None:
        conn.send(("progress", fraction))

    while True:
        try:
            task = conn.recv()
        except EOFError:  # the driver is gone
            return
        if task is None:
            return
        conn.send(("result", process_video(task, known_keys, progress=progress, cancel=CancelToken())))


class _Worker:
    """One worker process and the pipe to it, driven by one thread of the driver."""

    def __init__(self, known_keys: Mapping[str, str], stall_s: float) -> None:
        self.known_keys = known_keys
        self.stall_s = stall_s
        self.proc: mp.process.BaseProcess | None = None
        self.conn: Connection | None = None
        self.tasks = 0

    def _start(self) -> Connection:
        if self.proc is None or not self.proc.is_alive() or self.tasks >= TASKS_PER_WORKER:
            self.stop()
            ours, theirs = _CONTEXT.Pipe(duplex=True)
            self.proc = _CONTEXT.Process(target=_serve, args=(theirs, self.known_keys, worker_memory_bytes()), daemon=True,
                                         name="video-json-ai-batch-worker")
            self.proc.start()
            theirs.close()
            self.conn, self.tasks = ours, 0
        assert self.conn is not None
        return self.conn

    def run(self, task: VideoTask, events: queue.Queue[Event], stop: threading.Event) -> VideoOutcome | None:
        """The video's outcome; None when stopped first."""
        conn = self._start()
        self.tasks += 1
        conn.send(task)
        heard = time.monotonic()
        while not stop.is_set():
            if not conn.poll(0.1):
                if time.monotonic() - heard > self.stall_s:
                    self.stop()
                    return failed(task, f"The analysis made no progress for {self.stall_s:g} s and was stopped. "
                                        "The file may be damaged or crafted to hang decoders; re-encode it to "
                                        "H.264 MP4 and try again.")
                continue
            heard = time.monotonic()
            try:
                kind, payload = conn.recv()
            except (EOFError, OSError):
                code = None
                if self.proc is not None:
                    self.proc.join(timeout=5)
                    code = self.proc.exitcode
                self.stop()
                return failed(task, f"The analysis stopped unexpectedly (worker exit code {code}). The file may be "
                                    "damaged or crafted to crash decoders; re-encode it to H.264 MP4 and try again.")
            if kind == "progress":
                events.put(Progress(task.index, float(payload)))
            else:
                return payload  # type: ignore[no-any-return]
        return None

    def stop(self) -> None:
        if self.conn is not None:
            try:
                self.conn.send(None)
            except (OSError, ValueError):
                pass
            self.conn.close()
            self.conn = None
        if self.proc is not None:
            self.proc.join(timeout=0.5)
            if self.proc.is_alive():
                self.proc.terminate()
                self.proc.join(timeout=5)
            if self.proc.is_alive():
                self.proc.kill()
                self.proc.join()
            self.proc = None


class LocalEngine:
    name = "local"

    def __init__(self, workers: int, *, stall_s: float = STALL_S) -> None:
        self.workers = max(1, workers)
        self.stall_s = stall_s

    def run(self, tasks: list[VideoTask], known_keys: Mapping[str, str], cancel: CancelToken) -> Iterator[Event]:
        """Progress and outcomes as they come, one outcome per task."""
        todo: queue.Queue[VideoTask] = queue.Queue()
        for task in tasks:
            todo.put(task)
        events: queue.Queue[Event] = queue.Queue()
        stop = threading.Event()
        workers = [_Worker(known_keys, self.stall_s) for _ in range(min(self.workers, len(tasks)))]
        threads = [threading.Thread(target=self._drive, args=(w, todo, events, stop), daemon=True,
                                    name=f"video-json-ai-batch-{i}") for i, w in enumerate(workers)]
        for thread in threads:
            thread.start()
        remaining = len(tasks)
        try:
            while remaining:
                cancel.raise_if_cancelled()
                try:
                    event = events.get(timeout=0.1)
                except queue.Empty:
                    continue
                if isinstance(event, VideoOutcome):
                    remaining -= 1
                yield event
        finally:
            stop.set()
            for thread in threads:
                thread.join()

    @staticmethod
    def _drive(worker: _Worker, todo: queue.Queue[VideoTask], events: queue.Queue[Event],
               stop: threading.Event) -> None:
        try:
            while not stop.is_set():
                try:
                    task = todo.get_nowait()
                except queue.Empty:
                    return
                try:
                    outcome = worker.run(task, events, stop)
                except Exception as exc:  # noqa: BLE001 - the pipe broke: this video fails, the next gets a new worker
                    worker.stop()
                    outcome = failed(task, f"The worker could not take the video ({type(exc).__name__}: {exc})")
                if outcome is not None:
                    events.put(outcome)
        finally:
            worker.stop()
