"""The parts of a report a caller can ask for (no pydantic here: the CLI reads this at start-up)."""

from __future__ import annotations

from typing import Literal, get_args

Feature = Literal["metadata", "scenes", "keyframes", "audio", "text", "transcript", "subtitles", "cues"]
ALL_FEATURES: tuple[Feature, ...] = get_args(Feature)
DEFAULT_FEATURES: tuple[Feature, ...] = ("metadata", "scenes", "keyframes", "audio", "subtitles", "cues")
