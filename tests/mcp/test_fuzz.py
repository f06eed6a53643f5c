"""Fuzz: mutated mp4/mov/webm/mkv/mp3 files through the MCP client (upload_video, extract_json).
Every case ends in a result or a clean error; nothing unhandled, nothing hangs, the server lives.
A few hundred cases here (VIDEO_JSON_FUZZ_CASES); bench/fuzz.py runs 10,000 over stdio."""

from __future__ import annotations

import os
from pathlib import Path

import anyio
import pytest

from tests.support.fuzzing import Tally, run_case
from tests.support.mutate import make_seeds, mutate

pytestmark = pytest.mark.anyio
CASES = int(os.environ.get("VIDEO_JSON_FUZZ_CASES", "250"))


async def test_mutated_files_end_in_results_or_clean_errors(client, media_dir: Path, tmp_path: Path) -> None:  # noqa: ANN001
    seeds = make_seeds(tmp_path / "seeds")
    tally = Tally()
    with anyio.fail_after(600):
        for number in range(CASES):
            case = mutate(number, seeds)
            outcome, text = await run_case(client, case, media_dir)
            tally.add(case, outcome, text)
    print(f"fuzz, {CASES} cases: {tally.line()}")
    assert tally.counts["unhandled"] == 0, tally.examples.get("unhandled")
    assert tally.counts["hang"] == 0, tally.examples.get("hang")
    assert tally.counts["success"] > CASES // 10 and tally.counts["clean error"] > CASES // 10, tally.line()
    state = await client.call_tool("get_state", {})
    assert not state.is_error  # still serving


FOUND_BY_BENCH = (325, 802, 1249, 1386, 1428)
"""bench/fuzz.py cases that once ended in an unhandled error (an MP3 whose damaged frame header
changes the sample format mid-stream: 'Frame does not match AudioResampler setup')."""


async def test_cases_the_long_fuzz_found(client, media_dir: Path, tmp_path: Path) -> None:  # noqa: ANN001
    seeds = make_seeds(tmp_path / "seeds")
    for number in FOUND_BY_BENCH:
        outcome, text = await run_case(client, mutate(number, seeds), media_dir)
        assert outcome in ("success", "clean error"), (number, text)
        if outcome == "success" and "stopped early" not in text:
            assert '"audio"' in text  # the stream decoded whole on this encoder's seed
