"""The Ray engine: each video is a Ray task; the driver (this process) writes every output.

``ray.init(address=...)`` gets the address from ``--ray-address`` or ``RAY_ADDRESS``; without one a
local Ray instance starts with ``workers`` CPUs and stops at the end. Every node needs
video-json-ai installed (``pip install 'video-json-ai[ray]'``) and must reach the videos by the
path or URL the batch names. Ray is imported only here, when a run starts.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping
from typing import Any

from video_json_ai.batch.engines.base import Event
from video_json_ai.batch.work import VideoOutcome, VideoTask, failed, process_video
from video_json_ai.util.progress import CancelToken, no_progress
from video_json_ai.errors import Cancelled, NotAvailable

WAIT_S = 0.2


def import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise NotAvailable("The 'ray' engine needs Ray, which is not installed",
                           "Install it with: pip install 'video-json-ai[ray]' (or run with --engine local).") from None
    return ray


def _ray_video(task: VideoTask, known_keys: Mapping[str, str]) -> VideoOutcome:
    """The Ray task: the same per-video work as a local worker's, in a Ray worker process."""
    return process_video(task, known_keys, progress=no_progress, cancel=CancelToken())


class RayEngine:
    name = "ray"

    def __init__(self, *, address: str | None, workers: int) -> None:
        self.address = address or os.environ.get("RAY_ADDRESS") or None
        self.workers = max(1, workers)

    def _connect(self, ray: Any) -> bool:
        """Join the cluster (or start a local instance); True when this call started Ray."""
        if ray.is_initialized():
            return False
        options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False,
                                   "logging_level": logging.WARNING}
        try:
            if self.address:
                ray.init(address=self.address, **options)
            else:
                ray.init(num_cpus=self.workers, **options)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            where = f"the Ray cluster at '{self.address}'" if self.address else "a local Ray instance"
            raise NotAvailable(f"Could not start or reach {where} ({exc})",
                               "Check --ray-address / RAY_ADDRESS (e.g. 'auto' on a cluster node, or "
                               "ray://<head>:10001), or run without one for a local instance.") from exc
        return True

    def run(self, tasks: list[VideoTask], known_keys: Mapping[str, str], cancel: CancelToken) -> Iterator[Event]:
        ray = import_ray()
        started = self._connect(ray)
        try:
            yield from self._run(ray, tasks, known_keys, cancel)
        finally:
            if started:
                ray.shutdown()

    def _run(self, ray: Any, tasks: list[VideoTask], known_keys: Mapping[str, str],
             cancel: CancelToken) -> Iterator[Event]:
        remote = ray.remote(num_cpus=1, max_retries=1)(_ray_video)
        keys_ref = ray.put(dict(known_keys))
        window = max(2, 2 * int(ray.cluster_resources().get("CPU", 1)))  # the driver holds few results at once
        waiting = iter(tasks)
        pending: dict[Any, VideoTask] = {}
        try:
            while True:
                while len(pending) < window and (task := next(waiting, None)) is not None:
                    pending[remote.remote(task, keys_ref)] = task
                if not pending:
                    return
                ready, _ = ray.wait(list(pending), num_returns=1, timeout=WAIT_S)
                if cancel.cancelled:
                    raise Cancelled("the batch was cancelled")
                for ref in ready:
                    yield self._outcome(ray, ref, pending.pop(ref))
        finally:
            for ref in pending:
                ray.cancel(ref, force=True)

    @staticmethod
    def _outcome(ray: Any, ref: Any, task: VideoTask) -> VideoOutcome:
        try:
            return ray.get(ref)  # type: ignore[no-any-return]
        except ray.exceptions.RayError as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            return failed(task, f"The Ray worker failed on this video ({type(exc).__name__}: {first[:300]})")
