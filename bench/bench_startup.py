"""Start-up benchmark: how long from spawning `video-json-ai serve` (stdio) to the answer of tools/list.

Run: .venv/bin/python bench/bench_startup.py [RUNS]

In a fresh data directory: the first start, then RUNS later starts. The handshake and tools/list
are answered from the recording shipped with the package (or made by an earlier start) while the
MCP SDK loads; for reference, the time to the first tool call's answer (which needs the SDK) and a
bare `python -c pass` spawn.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

import anyio
from mcp import Client, StdioServerParameters


async def _one_listing(home: str) -> tuple[float, float]:
    """Seconds from spawn to the tools/list answer, and to the first tool call's answer."""
    params = StdioServerParameters(command=sys.executable, args=["-m", "video_json_ai", "serve"],
                                   env={**os.environ, "VIDEO_JSON_HOME": home})
    started = time.perf_counter()
    async with Client(params) as client:
        tools = await client.list_tools()
        listed = time.perf_counter() - started
        await client.call_tool("check_credits", {})
        called = time.perf_counter() - started
    assert len(tools.tools) == 6, [t.name for t in tools.tools]
    return listed, called


def _bare_python() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - started


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    with tempfile.TemporaryDirectory() as home:
        cold, cold_call = anyio.run(_one_listing, home)
        warm = [anyio.run(_one_listing, home) for _ in range(runs)]
    listing, calls = [w[0] for w in warm], [w[1] for w in warm]
    bare = [_bare_python() for _ in range(runs)]
    med_l, med_b = statistics.median(listing), statistics.median(bare)
    print(f"first start, spawn -> tools/list answered: {cold:.3f} s (first tool call answered at {cold_call:.3f} s)")
    print(f"later starts, spawn -> tools/list answered: median {med_l:.3f} s "
          f"(min {min(listing):.3f}, max {max(listing):.3f}), {runs} runs")
    print(f"later starts, spawn -> first tool call answered: median {statistics.median(calls):.3f} s")
    print(f"bare python spawn: median {med_b:.3f} s")


if __name__ == "__main__":
    main()
