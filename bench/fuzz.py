"""Fuzz the real server over stdio: mutated mp4/mov/webm/mkv/mp3 files through upload_video and
extract_json (tests/support/mutate.py, tests/support/fuzzing.py).

Prints cases, successes, clean errors, worker crashes (clean errors too), hangs, unhandled
errors, server deaths (must be 0) and the peak RSS of the server's process tree, against the
idle server's RSS measured in the same run. A server death restarts the server and is counted.

    python bench/fuzz.py --cases 10000
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import anyio

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from mcp import Client, StdioServerParameters  # noqa: E402
from mcp.client.stdio import stdio_client  # noqa: E402

from tests.support.fuzzing import Tally, run_case  # noqa: E402
from tests.support.mutate import make_seeds, mutate  # noqa: E402
from tests.support.serve import descendants, rss_mb  # noqa: E402


class Peak:
    """Samples the RSS of the process tree under this one (the server and its workers)."""

    def __init__(self) -> None:
        self.mb = 0.0
        self.processes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.is_set():
            tree = descendants(me)
            self.processes = max(self.processes, len(tree))
            self.mb = max(self.mb, rss_mb(tree))
            time.sleep(0.05)

    def __enter__(self) -> "Peak":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _params(home: Path, media: Path) -> StdioServerParameters:
    env = {**os.environ, "HOME": str(home), "VIDEO_JSON_HOME": str(home / "data"), "VIDEO_JSON_ALLOWED_DIRS": str(media),
           "VIDEO_JSON_BACKEND": "local", "PYTHONPATH": str(ROOT / "src"), "VIDEO_JSON_CACHE_MB": "200"}
    return StdioServerParameters(command=sys.executable, args=["-m", "video_json_ai", "serve"], env=env, cwd="/")


async def _session(params: StdioServerParameters, cases: range, seeds: dict[str, bytes], media: Path,
                   tally: Tally, log) -> int:  # noqa: ANN001
    """Run cases until done or the server dies; the next case number."""
    number = cases.start
    async with Client(stdio_client(params, errlog=log)) as client:
        for number in cases:
            case = mutate(number, seeds)
            try:
                with anyio.fail_after(300):
                    outcome, text = await run_case(client, case, media)
            except Exception as exc:  # noqa: BLE001 - the connection broke: the server died
                tally.add(case, "server death", f"{type(exc).__name__}: {exc}")
                return number + 1
            tally.add(case, outcome, text)
            if (number + 1) % 500 == 0:
                print(f"  {number + 1} cases: {tally.line()}", flush=True)
    return cases.stop


async def main_async(count: int, start: int) -> int:
    work = Path(tempfile.mkdtemp(prefix="vja-fuzz-"))
    media = work / "media"
    media.mkdir()
    seeds = make_seeds(work / "seeds")
    params = _params(work / "home", media)
    tally = Tally()
    t0 = time.perf_counter()
    with (work / "server.log").open("w") as log, Peak() as peak:
        async with Client(stdio_client(params, errlog=log)) as client:  # the reference: an idle server
            await client.call_tool("get_state", {})
            await anyio.sleep(0.5)
            idle = rss_mb(descendants(os.getpid()))
        number = start
        while number < start + count:
            number = await _session(params, range(number, start + count), seeds, media, tally, log)
    elapsed = time.perf_counter() - t0
    print(f"fuzz: {count} cases in {elapsed:.0f} s ({count / elapsed:.1f}/s): {tally.line()}")
    print(f"server tree: idle {idle:.0f} MB, peak {peak.mb:.0f} MB (x{peak.mb / max(idle, 1):.1f}), "
          f"at most {peak.processes} processes")
    for kind, examples in tally.examples.items():
        print(f"{kind}: {len(examples)}")
        for line in examples[:5]:
            print("   ", line)
    print(f"logs and seeds in {work}")
    return 1 if tally.counts["server death"] or tally.counts["unhandled"] or tally.counts["hang"] else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--start", type=int, default=0, help="first case number (cases are reproducible)")
    args = parser.parse_args()
    return anyio.run(main_async, args.cases, args.start)


if __name__ == "__main__":
    raise SystemExit(main())
