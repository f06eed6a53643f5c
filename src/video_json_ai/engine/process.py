"""Run heavy engine work in a child process.

A crash or a hang inside FFmpeg on a hostile file then cannot take the server down, and a
cancelled job really stops (the process is terminated). Progress comes back over a pipe.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from video_json_ai import errors
from video_json_ai.errors import Cancelled, MediaError, VideoJsonError
from video_json_ai.core.progress import CancelToken, ProgressFn

log = logging.getLogger(__name__)
T = TypeVar("T")
_CONTEXT = mp.get_context("spawn")  # no inherited threads or locks; same on every platform


def _child_main(conn: Connection, target: Callable[..., Any], kwargs: dict[str, Any]) -> None:
    def progress(fraction: float, message: str) -> None:
        conn.send(("progress", (fraction, message)))

    try:
        result = target(progress=progress, cancel=CancelToken(), **kwargs)
        conn.send(("result", result))
    except VideoJsonError as exc:
        conn.send(("error", (type(exc).__name__, exc.problem, exc.fix)))
    except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
        conn.send(("crash", f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=8)}"))
    finally:
        conn.close()


def run_in_worker(target: Callable[..., T], kwargs: dict[str, Any], *, progress: ProgressFn,
                  cancel: CancelToken, what: str = "the analysis") -> T:
    """Call ``target(progress=..., cancel=..., **kwargs)`` in a child process and return its result.

    ``target`` must be a module-level function; its arguments and result must pickle.
    """
    receive, send = _CONTEXT.Pipe(duplex=False)
    proc = _CONTEXT.Process(target=_child_main, args=(send, target, kwargs), daemon=True,
                            name="video-json-ai-worker")
    proc.start()
    send.close()
    try:
        while True:
            if cancel.cancelled:
                raise Cancelled("the job was cancelled")
            if receive.poll(0.1):
                try:
                    kind, payload = receive.recv()
                except EOFError:  # the child is gone without a word
                    proc.join(timeout=5)
                    raise MediaError(
                        f"{what.capitalize()} stopped unexpectedly (worker exit code {proc.exitcode})",
                        "The file may be damaged or crafted to crash decoders; re-encode it to H.264 MP4 and try again.",
                    ) from None
                if kind == "progress":
                    progress(*payload)
                elif kind == "result":
                    return payload  # type: ignore[no-any-return]
                elif kind == "error":
                    name, problem, fix = payload
                    cls = getattr(errors, name, VideoJsonError)
                    raise cls(problem, fix)
                else:
                    log.error("%s failed in the worker: %s", what, payload)
                    raise MediaError(f"{what.capitalize()} failed: {payload.splitlines()[0]}",
                                     "The file may be damaged or unusual; try re-encoding it to H.264 MP4.")
    finally:
        if proc.is_alive():
            proc.terminate()
        proc.join(timeout=5)
        if proc.is_alive():
            proc.kill()
            proc.join()
        receive.close()
