"""Run heavy engine work in a child process: every decode of a user's file happens there.

A crash, a hang or a memory blow-up inside FFmpeg on a hostile file then fails that job with a
clear error and the server goes on:

- each worker has an address-space cap (RLIMIT_AS, ``VIDEO_JSON_WORKER_MEMORY_MB``) and a time
  limit the caller scales to the media's duration;
- a worker dies with the server, even after a ``kill -9``: it watches a pipe the server holds open
  (end of file = the server is gone) and asks the kernel for SIGKILL when its parent dies;
- at most ``VIDEO_JSON_WORKERS`` (default: the number of cores) run at once; more wait in a
  first-come-first-served queue, their place in it reported as progress;
- a cancelled job really stops (the process is killed).

Workers are forked from a small server process that has the engine imported already
(multiprocessing's forkserver), so starting one costs tens of milliseconds, not a second.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import signal
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from video_json_ai import errors
from video_json_ai.util.progress import CancelToken, ProgressFn
from video_json_ai.core.redact import scrub_environment
from video_json_ai.errors import Cancelled, MediaError, VideoJsonError

log = logging.getLogger(__name__)
T = TypeVar("T")
PRELOAD = ["video_json_ai.engine.extract", "video_json_ai.engine.analysis.pipeline", "onnxruntime",
           "video_json_ai.engine.audio.analysis"]
"""Imported once in the fork server, so each worker starts with them loaded (no model session is
made there: sessions start threads, and a fork copies none of them)."""
MB = 1024 * 1024
WORKER_NICENESS = 10


def _context() -> mp.context.BaseContext:
    if "forkserver" in mp.get_all_start_methods():
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)
        return ctx
    return mp.get_context("spawn")  # pragma: no cover - Windows


_CONTEXT = _context()


# -- the fair queue ---------------------------------------------------------------------------

class WorkerQueue:
    """At most ``slots`` workers at once; the others wait their turn, first come first served."""

    def __init__(self, slots: int) -> None:
        self.slots = max(1, slots)
        self.running = 0
        self._waiting: deque[object] = deque()
        self._cond = threading.Condition()

    def resize(self, slots: int) -> None:
        with self._cond:
            self.slots = max(1, slots)
            self._cond.notify_all()

    def waiting(self) -> int:
        with self._cond:
            return len(self._waiting)

    @contextmanager
    def slot(self, progress: ProgressFn, cancel: CancelToken) -> Iterator[None]:
        """Hold one worker slot for the block; while waiting, report the place in the queue."""
        ticket = object()
        with self._cond:
            self._waiting.append(ticket)
            try:
                shown = None
                while not (self._waiting[0] is ticket and self.running < self.slots):
                    if cancel.cancelled:
                        raise Cancelled("the job was cancelled while waiting for a worker")
                    ahead = self._waiting.index(ticket)
                    if ahead != shown:
                        shown = ahead
                        progress(0.0, f"waiting for a free worker: {ahead} ahead in the queue, "
                                      f"{self.running} of {self.slots} busy")
                    self._cond.wait(0.1)
            except BaseException:
                self._waiting.remove(ticket)
                self._cond.notify_all()
                raise
            self._waiting.popleft()
            self.running += 1
            self._cond.notify_all()
        try:
            yield
        finally:
            with self._cond:
                self.running -= 1
                self._cond.notify_all()


QUEUE = WorkerQueue(os.cpu_count() or 1)
_memory_mb = 4096


def configure(slots: int, memory_mb: int) -> None:
    """Set the pool size and each worker's memory cap (from Config: VIDEO_JSON_WORKERS, ..._MEMORY_MB)."""
    global _memory_mb
    QUEUE.resize(slots)
    _memory_mb = memory_mb


# -- the child --------------------------------------------------------------------------------

def _die_with_server(lifeline: Connection | None) -> None:
    """Exit as soon as the server is gone: kernel SIGKILL when the parent dies (Linux), and a
    thread that sees the end of the lifeline pipe whose other end only the server holds."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):  # pragma: no cover - the pipe still works
            pass

    def watch() -> None:
        try:
            lifeline.recv_bytes()
        except (EOFError, OSError):
            pass
        os._exit(70)

    if lifeline is not None:
        threading.Thread(target=watch, name="lifeline", daemon=True).start()


def _lower_priority() -> None:
    """Workers yield the CPU to the server, so get_state and tools/list answer at once under load."""
    try:
        os.nice(WORKER_NICENESS)
    except (AttributeError, OSError):  # pragma: no cover - no nice() here
        pass


def _cap_memory(limit_bytes: int) -> None:
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = limit_bytes if hard == resource.RLIM_INFINITY else min(limit_bytes, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (ImportError, ValueError, OSError):  # pragma: no cover - no rlimits here
        log.debug("no address-space cap on this system")


def harden_child(lifeline: Connection | None, memory_bytes: int) -> None:
    """What every process that decodes a user's file does first (these workers and the batch's):
    die with its parent, leave Ctrl-C to it, yield the CPU, cap its memory, hold no secret."""
    _die_with_server(lifeline)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle (it cancels)
    _lower_priority()
    _cap_memory(memory_bytes)
    scrub_environment()  # a decoder fed a hostile file has no token to find


def worker_memory_bytes() -> int:
    """The configured address-space cap of one worker (VIDEO_JSON_WORKER_MEMORY_MB)."""
    return _memory_mb * MB


def _child_main(conn: Connection, lifeline: Connection, memory_bytes: int,
                target: Callable[..., Any], kwargs: dict[str, Any]) -> None:
    harden_child(lifeline, memory_bytes)

    def progress(fraction: float, message: str) -> None:
        conn.send(("progress", (fraction, message)))

    try:
        result = target(progress=progress, cancel=CancelToken(), **kwargs)
        conn.send(("result", result))
    except VideoJsonError as exc:
        conn.send(("error", (type(exc).__name__, exc.problem, exc.fix)))
    except MemoryError:
        conn.send(("memory", memory_bytes // MB))
    except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
        conn.send(("crash", f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=8)}"))
    finally:
        conn.close()


# -- the parent -------------------------------------------------------------------------------

def _exit_text(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"worker exit code {code}"


def run_in_worker(target: Callable[..., T], kwargs: dict[str, Any], *, progress: ProgressFn,
                  cancel: CancelToken, what: str = "the analysis", timeout_s: float | None = None) -> T:
    """Call ``target(progress=..., cancel=..., **kwargs)`` in a child process and return its result.

    ``target`` must be a module-level function; its arguments and result must pickle. ``what``
    names the work and its file in errors ("the extraction of 'a.mp4'"). Raises the target's
    VideoJsonError, MediaError on a crash, a blow-up or ``timeout_s``, Cancelled.
    """
    with QUEUE.slot(progress, cancel):
        return _run(target, kwargs, progress, cancel, what, timeout_s)


def _run(target: Callable[..., T], kwargs: dict[str, Any], progress: ProgressFn, cancel: CancelToken,
         what: str, timeout_s: float | None) -> T:
    receive, send = _CONTEXT.Pipe(duplex=False)
    keep_alive, lifeline = _CONTEXT.Pipe(duplex=False)  # the server holds the write end (never written)
    proc = _CONTEXT.Process(target=_child_main, args=(send, keep_alive, worker_memory_bytes(), target, kwargs),
                            daemon=True, name="video-json-ai-worker")
    proc.start()
    send.close()
    keep_alive.close()
    deadline = time.monotonic() + timeout_s if timeout_s else None
    try:
        while True:
            if cancel.cancelled:
                raise Cancelled("the job was cancelled")
            if deadline is not None and time.monotonic() > deadline:
                raise MediaError(f"{what.capitalize()} took longer than {timeout_s:.0f} s and was stopped",
                                 "The file may be damaged or crafted to make decoders hang; re-encode it to "
                                 "H.264 MP4 and try again.")
            if receive.poll(0.1):
                try:
                    kind, payload = receive.recv()
                except EOFError:  # the child is gone without a word
                    proc.join(timeout=5)
                    raise MediaError(f"{what.capitalize()} stopped unexpectedly ({_exit_text(proc.exitcode)})",
                                     "The file may be damaged or crafted to crash decoders; re-encode it to "
                                     "H.264 MP4 and try again.") from None
                if kind == "progress":
                    progress(*payload)
                elif kind == "result":
                    return payload  # type: ignore[no-any-return]
                else:
                    raise _failure(kind, payload, what)
    finally:
        _stop(proc)
        receive.close()
        lifeline.close()


def _failure(kind: str, payload: Any, what: str) -> Exception:
    if kind == "error":
        name, problem, fix = payload
        cls = getattr(errors, name, VideoJsonError)
        return cls(problem, fix) if isinstance(cls, type) and issubclass(cls, VideoJsonError) else VideoJsonError(problem, fix)
    if kind == "memory":
        return MediaError(f"{what.capitalize()} needed more than the {payload} MB of memory a worker may use",
                          "The file may be huge or crafted (e.g. enormous declared picture sizes); raise "
                          "VIDEO_JSON_WORKER_MEMORY_MB if it is genuine, or shrink it.")
    log.error("%s failed in the worker: %s", what, payload)
    return MediaError(f"{what.capitalize()} failed: {payload.splitlines()[0]}",
                      "The file may be damaged or unusual; try re-encoding it to H.264 MP4.")


def _stop(proc: Any) -> None:
    if proc.is_alive():
        proc.kill()
    proc.join(timeout=5)
