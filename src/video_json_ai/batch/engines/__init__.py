"""Where a batch's videos run: ``local`` (a process pool on this machine) or ``ray`` (a Ray cluster)."""

from __future__ import annotations

from video_json_ai.batch.engines.base import Engine, Event, Progress
from video_json_ai.errors import InvalidInput

ENGINES = ("local", "ray")


def make_engine(name: str, *, workers: int, ray_address: str | None = None) -> Engine:
    if name == "local":
        from video_json_ai.batch.engines.local import LocalEngine

        return LocalEngine(workers)
    if name == "ray":
        from video_json_ai.batch.engines.ray import RayEngine  # Ray itself is imported only when the run starts

        return RayEngine(address=ray_address, workers=workers)
    raise InvalidInput(f"Unknown engine '{name}'", f"Pick one of: {', '.join(ENGINES)}.")


__all__ = ["ENGINES", "Engine", "Event", "Progress", "make_engine"]
