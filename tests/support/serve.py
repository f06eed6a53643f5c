"""`video-json-ai serve --transport http` as a real subprocess, and the processes it started."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def http_server_process(env: dict[str, str], *, log: Path | None = None, port: int | None = None
                        ) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """The server on a free port of 127.0.0.1; yields the process and its MCP URL."""
    port = port or free_port()
    full = {**os.environ, "PYTHONPATH": str(SRC), **env}
    errlog = log.open("ab") if log is not None else subprocess.DEVNULL
    proc = subprocess.Popen([sys.executable, "-m", "video_json_ai", "serve", "--transport", "http",
                             "--host", "127.0.0.1", "--port", str(port)],
                            env=full, stdout=subprocess.DEVNULL, stderr=errlog, cwd="/")
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not start (exit {proc.poll()})") from None
                time.sleep(0.1)
        yield proc, f"http://127.0.0.1:{port}/mcp"
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if log is not None:
            errlog.close()  # type: ignore[union-attr]


def _parents() -> dict[int, int]:
    out = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z":
                out[int(entry)] = int(fields[1])
    return out


def descendants(pid: int) -> set[int]:
    """Every live (not zombie) process below ``pid``."""
    parents = _parents()
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    return pid in _parents()


def rss_mb(pids: set[int]) -> float:
    """Resident memory of these processes together, MB."""
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def tree_rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and every process below it, MB."""
    return rss_mb({pid, *descendants(pid)})
