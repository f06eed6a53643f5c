"""A 10-minute 1080p video through the MCP job path, without blocking the other tools."""

from __future__ import annotations

import os
import tempfile
from fractions import Fraction
from pathlib import Path

import anyio
import av
import numpy as np
import pytest

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

SHOT_S = 30
MINUTES = 10


def make_long_1080p(path: Path, fps: int = 1, minutes: int = MINUTES) -> list[float]:
    """10 minutes of 1080p H.264 at 1 fps (cheap to write): a new still picture every SHOT_S
    seconds. Returns the times of the cuts."""
    rng = np.random.default_rng(5)
    frames = minutes * 60 * fps
    fd, tmp = tempfile.mkstemp(suffix=".mp4", dir=path.parent)
    os.close(fd)
    with av.open(tmp, "w", format="mp4") as out:
        v = out.add_stream("libx264", rate=fps)
        v.width, v.height, v.pix_fmt = 1920, 1080, "yuv420p"
        v.options = {"preset": "ultrafast", "crf": "30", "g": "60"}
        picture = None
        for i in range(frames):
            if i % (SHOT_S * fps) == 0:  # a new still picture (cheap to encode and to make)
                coarse = rng.integers(0, 256, (18, 32, 3), dtype=np.uint8)
                picture = av.VideoFrame.from_ndarray(coarse, format="rgb24").reformat(
                    width=1920, height=1080, format="yuv420p", interpolation="BICUBIC")
            assert picture is not None
            picture.pts, picture.time_base = i, Fraction(1, fps)
            for packet in v.encode(picture):
                out.mux(packet)
        for packet in v.encode(None):
            out.mux(packet)
    os.replace(tmp, path)
    return [float(t) for t in range(SHOT_S, minutes * 60, SHOT_S)]


async def test_ten_minute_1080p_through_job_path(client, media_dir: Path) -> None:  # noqa: ANN001
    path = media_dir / "long_1080p.mp4"
    cuts = make_long_1080p(path)

    res = await client.call_tool("extract_json", {"source": str(path), "wait_seconds": 0.2})
    assert not res.is_error, res.content
    out = res.structured_content
    assert out["status"] == "running" and out["job_id"], out
    job_id = out["job_id"]

    answered_while_running = 0
    progress: list[float] = []
    job: dict = {}
    with anyio.fail_after(120):
        while True:
            credits = await client.call_tool("check_credits", {})  # other tools answer meanwhile
            session = await client.call_tool("get_state", {})
            assert not credits.is_error and not session.is_error
            st = await client.call_tool("get_state", {"job_id": job_id})
            assert not st.is_error, st.content
            job = st.structured_content["job"]
            assert job["status"] in ("running", "completed"), job
            progress.append(job["progress"])
            if job["status"] == "completed":
                break
            answered_while_running += 1
            await anyio.sleep(0.2)

    assert answered_while_running >= 1, "the job finished before any other call could be made"
    assert progress == sorted(progress) and any(0 < p < 1 for p in progress), progress
    report = job["result"]["report"]
    assert report["metadata"]["video"][0]["width"] == 1920
    assert report["summary"]["duration_s"] == pytest.approx(MINUTES * 60, abs=1.5)
    assert report["scenes_summary"]["count"] == len(cuts) + 1  # every scene, whatever the page
    scenes = report["scenes"]
    assert scenes, "no scenes in the first page"
    page_cuts = [s["start_s"] for s in scenes[1:]]
    for got, want in zip(page_cuts, cuts):
        assert got == pytest.approx(want, abs=1.01)  # one frame at 1 fps
    assert Path(job["result"]["report_path"]).is_file()
