"""Load: 50 concurrent extract_json calls on distinct short clips over streamable HTTP, while
another client calls get_state every 100 ms (and tools/list every second).

All calls must complete (waiting their turn in the worker queue) with 0 errors; prints the
latency of get_state and tools/list (p50/p95/max) under load against the idle server's, the
server's own CPU use, the peak RSS of the server's process tree and its largest number of
processes. The 50 clients run in a child process (nice +5); the latency probe in this one.

    python bench/load.py [--calls 50] [--seconds 1.0]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import anyio

ROOT = Path(__file__).resolve().parents[1]
LOAD_NICENESS = 5
"""The load generator runs a little below the server and the latency probe, as other programs would."""
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from mcp import Client  # noqa: E402

from tests.support.clips import make_clip  # noqa: E402
from tests.support.serve import descendants, http_server_process, rss_mb  # noqa: E402


def _cpu_s(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _stats(values: list[float]) -> str:
    ms = sorted(v * 1000 for v in values)
    p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
    return f"p50 {statistics.median(ms):.0f} ms, p95 {p95:.0f} ms, max {ms[-1]:.0f} ms (n={len(ms)})"


async def _timed(client: Client, tool: str | None, args: dict | None = None) -> float:
    t = time.perf_counter()
    if tool is None:
        await client.list_tools()
    else:
        res = await client.call_tool(tool, args or {})
        if res.is_error:
            raise RuntimeError(res.content[0].text)
    return time.perf_counter() - t


async def _extract(url: str, clip: Path, errors: list[str], queued: list[int], ready: list[int],
                   go: anyio.Event, total: int) -> None:
    async with Client(url) as client:
        ready.append(1)
        if len(ready) == total:
            go.set()
        await go.wait()  # every client connected first: then all the calls at once
        places: set[str] = set()

        async def progress(done: float, total: float | None, message: str | None) -> None:
            if message and "queue" in message:
                places.add(message)

        res = await client.call_tool("extract_json", {"source": str(clip), "features": ["metadata", "scenes", "audio"],
                                                      "wait_seconds": 5}, progress_callback=progress)
        if res.is_error:
            errors.append(res.content[0].text)
            return
        data = res.structured_content
        while data["status"] == "running":
            await anyio.sleep(0.5)
            state = await client.call_tool("get_state", {"job_id": data["job_id"]})
            job = state.structured_content["job"]
            if "queue" in job["message"]:
                places.add(job["message"])
            data = {"status": job["status"], "job_id": data["job_id"], "error": job.get("error")}
        if data["status"] != "completed":
            errors.append(str(data.get("error") or data))
        if places:
            queued.append(1)


async def load_role(url: str, clips: list[str]) -> int:
    """The load itself, in its own process (as 50 other programs would be): every extraction at once."""
    errors: list[str] = []
    queued: list[int] = []
    ready: list[int] = []
    go = anyio.Event()
    async with anyio.create_task_group() as load:
        for clip in clips:
            load.start_soon(_extract, url, Path(clip), errors, queued, ready, go, len(clips))
    print(json.dumps({"errors": errors, "queued": len(queued)}))
    return 0


def _start_load(url: str, clips: list[Path]) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, __file__, "--role", "load", "--url", url, *map(str, clips)],
                            stdout=subprocess.PIPE, text=True, preexec_fn=lambda: os.nice(LOAD_NICENESS))


async def main_async(calls: int, seconds: float) -> int:
    work = Path(tempfile.mkdtemp(prefix="vja-load-"))
    media = work / "media"
    media.mkdir()
    clips = [make_clip(media / f"clip{i:02d}.mp4", seconds=seconds, width=160 + 2 * (i % 40), height=120,
                       fps=25) for i in range(calls)]
    env = {"HOME": str(work), "VIDEO_JSON_HOME": str(work / "data"), "VIDEO_JSON_ALLOWED_DIRS": str(media),
           "VIDEO_JSON_BACKEND": "local"}
    peak = {"mb": 0.0, "processes": 0}
    with http_server_process(env, log=work / "server.log") as (server, url):
        async with Client(url) as watcher:
            await _timed(watcher, "get_state")  # warm-up
            idle_state = [await _timed(watcher, "get_state") for _ in range(30)]
            idle_list = [await _timed(watcher, None) for _ in range(10)]
            busy_state: list[float] = []
            busy_list: list[float] = []
            done = threading.Event()

            def sample() -> None:
                while not done.is_set():
                    tree = {server.pid, *descendants(server.pid)}
                    peak["mb"] = max(peak["mb"], rss_mb(tree))
                    peak["processes"] = max(peak["processes"], len(tree))
                    time.sleep(0.05)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            t0 = time.perf_counter()
            cpu0 = _cpu_s(server.pid)
            load = _start_load(url, clips)
            n = 0
            while load.poll() is None:
                busy_state.append(await _timed(watcher, "get_state"))
                if n % 10 == 0:
                    busy_list.append(await _timed(watcher, None))
                n += 1
                await anyio.sleep(0.1)
            done.set()
            elapsed = time.perf_counter() - t0
            server_cpu = _cpu_s(server.pid) - cpu0
            sampler.join()
    outcome = json.loads((load.stdout.read() if load.stdout else "").strip().splitlines()[-1])
    errors = outcome["errors"]
    print(f"load: {calls} concurrent extract_json on distinct {seconds:g} s clips in {elapsed:.1f} s, "
          f"{calls - len(errors)} completed, {len(errors)} errors, {outcome['queued']} were told their place in the worker queue")
    print(f"get_state  idle: {_stats(idle_state)}")
    print(f"get_state  busy: {_stats(busy_state)}  (p50 x{statistics.median(busy_state) / statistics.median(idle_state):.1f} idle)")
    print(f"tools/list idle: {_stats(idle_list)}")
    print(f"tools/list busy: {_stats(busy_list)}")
    print(f"server process CPU: {server_cpu:.1f} s over {elapsed:.1f} s ({server_cpu / elapsed:.0%} of a core; "
          f"workers not counted)")
    print(f"server tree: peak {peak['mb']:.0f} MB RSS, at most {peak['processes']} processes "
          f"(server + fork server + workers)")
    for e in errors[:5]:
        print("  error:", e[:300])
    p95 = sorted(busy_state)[int(round(0.95 * (len(busy_state) - 1)))]
    return 1 if errors or p95 > 0.2 else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=1.0, help="length of each clip")
    parser.add_argument("--role", choices=("bench", "load"), default="bench", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("clips", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.role == "load":
        return anyio.run(load_role, args.url, args.clips)
    return anyio.run(main_async, args.calls, args.seconds)


if __name__ == "__main__":
    raise SystemExit(main())
