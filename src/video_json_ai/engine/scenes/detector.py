"""Shot boundary detection: the interface a detector implements and the boundaries it reports.

A detector is fed one small luma frame at a time by the single decode pass and hands out
*settled* boundaries (``pop_settled``) as soon as they are final, so keyframes and per-scene facts
can be finished while decoding goes on. The default one (cuts, fades through black/white,
dissolves) is ``scenes/default.py``; its per-frame maths is ``scenes/signals.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np

BoundaryKind = Literal["cut", "fade", "dissolve"]


@dataclass(slots=True)
class Boundary:
    """The start of a new scene."""

    frame: int
    """First frame of the new scene."""
    kind: BoundaryKind
    span: tuple[int, int]
    """First and last frame of the transition (a cut: the new scene's first frame twice)."""
    through: Literal["black", "white"] | None = None
    strength: float = 1.0


class ShotDetector(Protocol):
    """The small interface a stronger detector can implement to replace the default one."""

    def push(self, index: int, time_s: float, luma: np.ndarray, skipped_before: int = 0) -> None:
        """The next analysed frame (``index`` counts analysed frames: 0, 1, 2...). ``skipped_before``:
        frames of the video left undecoded between the previous frame and this one, in a stretch
        the encoder coded as predictable, so no cut lies between the two."""

    def pop_settled(self) -> list[Boundary]:
        """Boundaries that are now final, in order (each returned once)."""

    def finish(self) -> list[Boundary]:
        """The remaining boundaries once the last frame was pushed."""


@dataclass(frozen=True, slots=True)
class DetectorParams:
    """Thresholds, derived from one ``sensitivity`` knob (0 strict .. 1 eager)."""

    cut_floor: float
    cut_ratio: float
    dissolve_min_diff: float
    dissolve_max_residual: float
    min_scene_s: float
    fps_hint: float

    @classmethod
    def from_sensitivity(cls, sensitivity: float, min_scene_s: float, fps_hint: float) -> "DetectorParams":
        s = min(max(sensitivity, 0.0), 1.0)
        f = 2.0 ** ((0.5 - s) * 2.0)  # 2x stricter at 0, 2x more eager at 1
        return cls(
            cut_floor=20.0 * f,
            cut_ratio=1.0 + 1.4 * f,
            dissolve_min_diff=26.0 * f,
            dissolve_max_residual=min(0.48, 0.4 / f),
            min_scene_s=min_scene_s,
            fps_hint=fps_hint if fps_hint and fps_hint > 0 else 30.0,
        )
