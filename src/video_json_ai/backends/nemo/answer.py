"""Turning the conversation into a structured answer: the message we send, JSON found in replies."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from video_json_ai.models.report import Feature

FEATURE_TEXT: dict[str, str] = {
    "metadata": "metadata (duration, resolution, frame rate, codecs, audio channels)",
    "scenes": "scenes/shots (start and end in seconds, a short description of each, the transition into it)",
    "keyframes": "a representative keyframe moment for each scene (seconds) and what it shows",
    "audio": "audio (music, speech, silences, loudness, with times in seconds)",
    "text": "on-screen text (what it says, when it appears, in seconds)",
    "transcript": "a transcript of what is said (segments with start/end seconds)",
    "subtitles": "the subtitle tracks the file carries (language, and each cue's start/end seconds and text)",
    "cues": "technical cues (black frames, colour bars, freeze frames, test tone, end credits; start/end seconds)",
}
DEFAULT_INSTRUCTIONS = "Analyse the video and describe it as structured JSON."
_FENCE = re.compile(r"```(?:json|JSON)?\s*\n(.*?)```", re.S)


def compose_message(instructions: str, features: list[Feature], video: str | None) -> str:
    """The agent message: the user's instructions, which video, and the features wanted as JSON."""
    lines = [instructions.strip() or DEFAULT_INSTRUCTIONS]
    if video:
        lines.append(f"Video: {video}.")
    if features:
        wanted = "; ".join(FEATURE_TEXT.get(f, f) for f in features)
        lines.append(f"Answer with one JSON object (in a ```json block) covering: {wanted}. Times in seconds.")
    return "\n\n".join(lines)


def _usable(value: Any) -> dict[str, Any] | list[dict[str, Any]] | None:
    if isinstance(value, dict):
        return value
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return value
    return None


def find_json(text: str) -> dict[str, Any] | list[dict[str, Any]] | None:
    """The first JSON object (or list of objects) in an answer: fenced blocks first, then inline."""
    for block in _FENCE.findall(text):
        try:
            found = _usable(json.loads(block))
        except ValueError:
            continue
        if found is not None:
            return found
    decoder = json.JSONDecoder()
    for match in re.finditer(r"[\[{]", text):
        try:
            value, _ = decoder.raw_decode(text, match.start())
        except ValueError:
            continue
        found = _usable(value)
        if found is not None:
            return found
    return None


def creep(elapsed_s: float, start: float = 0.1, end: float = 0.9, tau_s: float = 120.0) -> float:
    """Progress when the total is unknown: rises fast, then slows, never reaches ``end``."""
    return start + (end - start) * (1 - math.exp(-max(elapsed_s, 0.0) / tau_s))
