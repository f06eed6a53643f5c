"""kill -9 of the server mid-extraction, then a restart on the same data directory."""

from __future__ import annotations

import json
import signal
import sqlite3
import time
from pathlib import Path

import anyio
import pytest
from mcp import Client

from tests.support.clips import make_clip
from tests.support.serve import alive, descendants, http_server_process

pytestmark = pytest.mark.anyio


async def _call(client: Client, tool: str, **args: object) -> dict:
    res = await client.call_tool(tool, args)
    assert not res.is_error, res.content[0].text
    return res.structured_content


def _saved_progress(data: Path, job_id: str) -> float:
    with sqlite3.connect(data / "state.sqlite3") as db:
        row = db.execute("SELECT info_json FROM jobs WHERE job_id = ?", (job_id,)).fetchone()
    return float(json.loads(row[0])["progress"]) if row else 0.0


async def test_sigkill_mid_extraction_then_restart(tmp_path: Path) -> None:
    media = tmp_path / "media"
    media.mkdir()
    env = {"HOME": str(tmp_path), "VIDEO_JSON_HOME": str(tmp_path / "data"), "VIDEO_JSON_ALLOWED_DIRS": str(media),
           "VIDEO_JSON_BACKEND": "local"}
    short = make_clip(media / "short.mp4", seconds=1.0, width=96, height=64)
    long = make_clip(media / "long.mp4", seconds=90.0, width=320, height=240, fps=25)
    with http_server_process(env, log=tmp_path / "first.log") as (server, url):
        async with Client(url) as client:
            done = await _call(client, "extract_json", source=str(short), features=["metadata", "scenes"])
            running = await _call(client, "extract_json", source=str(long), features=["metadata", "scenes", "audio"],
                                  wait_seconds=0)
            with anyio.fail_after(120):
                while _saved_progress(tmp_path / "data", running["job_id"]) < 0.1:  # saved every 2 s
                    job = (await _call(client, "get_state", job_id=running["job_id"]))["job"]
                    assert job["status"] == "running", job
                    await anyio.sleep(0.1)
            tree = descendants(server.pid)
            assert tree, "no worker process was running"
            server.send_signal(signal.SIGKILL)
            server.wait(10)
    deadline = time.monotonic() + 10
    while any(alive(p) for p in tree) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(p) for p in tree), "a worker (or the fork server) outlived the killed server"
    with http_server_process(env, log=tmp_path / "second.log") as (server, url):
        async with Client(url) as client:
            job = (await _call(client, "get_state", job_id=running["job_id"]))["job"]
            assert job["status"] == "interrupted" and job["finished_at"] and job["progress"] > 0.1
            assert "killed or restarted" in job["error"] and "run the same request again" in job["error"]
            assert job["message"].startswith("interrupted at")
            finished = (await _call(client, "get_state", job_id=done["job_id"]))["job"]
            assert finished["status"] == "completed"
            assert finished["result"]["report"]["scenes"] == done["report"]["scenes"]
            listed = {j["job_id"]: j["status"] for j in (await _call(client, "get_state"))["session"]["jobs"]}
            assert listed[running["job_id"]] == "interrupted" and listed[done["job_id"]] == "completed"
            again = await _call(client, "extract_json", source=str(long), features=["metadata", "scenes", "audio"],
                                wait_seconds=300)
            assert again["status"] == "completed" and again["scenes_total"] >= 1
            cached = await _call(client, "extract_json", source=str(short), features=["metadata", "scenes"])
            assert cached["report"]["created_at"] == done["report"]["created_at"]  # the finished result, intact
