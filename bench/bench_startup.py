"""Start-up benchmark: how long from spawning `video-json-ai serve` (stdio) to the answer of tools/list.

Run: .venv/bin/python bench/bench_startup.py [RUNS]
Reference in the same run: a bare `python -c pass` spawn, so the figure shows what our server adds
on top of starting Python at all.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

import anyio
from mcp import Client, StdioServerParameters


async def _one_listing() -> float:
    params = StdioServerParameters(command=sys.executable, args=["-m", "video_json_ai", "serve"])
    started = time.perf_counter()
    async with Client(params) as client:
        tools = await client.list_tools()
        elapsed = time.perf_counter() - started
    assert len(tools.tools) == 5, [t.name for t in tools.tools]
    return elapsed


def _bare_python() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - started


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    listing = [anyio.run(_one_listing) for _ in range(runs)]
    bare = [_bare_python() for _ in range(runs)]
    med_l, med_b = statistics.median(listing), statistics.median(bare)
    print(f"spawn -> tools/list answered: median {med_l:.3f} s (min {min(listing):.3f}, max {max(listing):.3f}), {runs} runs")
    print(f"bare python spawn:            median {med_b:.3f} s")
    print(f"server start-up on top of Python: {med_l - med_b:.3f} s")


if __name__ == "__main__":
    main()
