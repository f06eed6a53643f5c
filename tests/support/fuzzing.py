"""Feeding mutated files (tests/support/mutate.py) through the MCP client: upload_video, then
extract_json when the upload was accepted. Used by tests/mcp/test_fuzz.py and bench/fuzz.py."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from tests.support.mutate import Case

FEATURES = ["metadata", "scenes", "keyframes", "audio"]
UNHANDLED = ("Unexpected error", "Traceback", "AttributeError", "TypeError", "KeyError", "IndexError",
             "ValueError", "NameError", "AssertionError")
"""Words that give away an error nobody handled (a clean error names the file and what to do)."""


def classify(text: str, is_error: bool) -> str:
    if not is_error:
        return "success"
    if any(word in text for word in UNHANDLED) or " failed: " in text:
        return "unhandled"
    if "took longer than" in text:
        return "hang"
    if "stopped unexpectedly" in text:
        return "worker crash"
    return "clean error"


async def run_case(client: Any, case: Case, folder: Path) -> tuple[str, str]:
    """The case's outcome (worst of its calls) and the text that decided it."""
    path = folder / case.name
    path.write_bytes(case.data)
    try:
        up = await client.call_tool("upload_video", {"source": str(path)})
        text = up.content[0].text if up.content else ""
        outcome = classify(text, bool(up.is_error))
        if outcome == "success":
            vid = up.structured_content["video_id"]
            got = await client.call_tool("extract_json", {"video_id": vid, "features": FEATURES, "wait_seconds": 120})
            text = got.content[0].text if got.content else ""
            outcome = classify(text, bool(got.is_error))
        return outcome, text
    finally:
        path.unlink(missing_ok=True)


class Tally:
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.examples: dict[str, list[str]] = {}

    def add(self, case: Case, outcome: str, text: str) -> None:
        self.counts[outcome] += 1
        if outcome in ("unhandled", "hang", "worker crash", "server death"):
            self.examples.setdefault(outcome, []).append(f"{case.name}: {text[:300]}")

    def line(self) -> str:
        order = ("success", "clean error", "worker crash", "hang", "unhandled", "server death")
        return ", ".join(f"{name}: {self.counts.get(name, 0)}" for name in order)
