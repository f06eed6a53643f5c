"""extract_json over a folder and over a list of sources, through the MCP SDK's real client."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import pytest

from tests.batch.conftest import CLIP_COUNT, GOOD_COUNT
from tests.support.harness import mcp_client, running_app

pytestmark = pytest.mark.anyio


@pytest.fixture
async def client(env: dict[str, str], library: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator:  # noqa: ANN001
    monkeypatch.setenv("VIDEO_JSON_ALLOWED_DIRS", os.pathsep.join([env["VIDEO_JSON_ALLOWED_DIRS"], str(library)]))
    with running_app() as app:
        async with mcp_client(app) as c:
            yield c


async def poll(client, job_id: str) -> tuple[dict, list[tuple[float, str]]]:  # noqa: ANN001
    seen: list[tuple[float, str]] = []
    with anyio.fail_after(180):
        while True:
            state = await client.call_tool("get_state", {"job_id": job_id})
            assert not state.is_error, state.content
            job = state.structured_content["job"]
            seen.append((job["progress"], job["message"]))
            if job["status"] != "running":
                return job, seen
            await anyio.sleep(0.2)


async def test_folder_is_one_job_whose_result_is_the_paged_index(client, library: Path) -> None:  # noqa: ANN001
    first = await client.call_tool("extract_json", {"source": str(library), "wait_seconds": 0.2, "page_size": 5})
    assert not first.is_error, first.content
    assert first.structured_content["status"] == "running"
    job, seen = await poll(client, first.structured_content["job_id"])
    assert job["status"] == "completed", job
    progress = [p for p, _ in seen]
    assert progress == sorted(progress) and any(0 < p < 1 for p in progress), seen
    assert any(f"/{CLIP_COUNT} videos" in m for _, m in seen)  # progress counts videos

    result = job["result"]
    assert result["batch"]["done"] == GOOD_COUNT and result["batch"]["failed"] == 1
    assert result["videos_total"] == CLIP_COUNT and len(result["videos"]) == 5
    rows = list(result["videos"])
    cursor = result["next_cursor"]
    while cursor:  # the next pages: the same batch again, every video skipped
        page = await client.call_tool("extract_json", {"source": str(library), "cursor": cursor, "page_size": 5})
        assert not page.is_error, page.content
        out = page.structured_content
        assert out["status"] == "completed" and out["batch"]["skipped"] == GOOD_COUNT and out["batch"]["done"] == 0
        rows += out["videos"]
        cursor = out["next_cursor"]
    assert len(rows) == CLIP_COUNT == len({r["source"] for r in rows})
    assert sum(r["status"] == "done" for r in rows) == GOOD_COUNT

    row = next(r for r in rows if r["status"] == "done" and "intro" in r["source"])
    resource = await client.read_resource(f"video://{row['video_id']}/report")
    report = json.loads(resource.contents[0].text)
    assert report["video"]["sha256"] == row["sha256"] and len(report["scenes"]) == row["scene_count"]
    by_id = await client.call_tool("extract_json", {"video_id": row["video_id"]})
    assert not by_id.is_error, by_id.content
    again = by_id.structured_content
    assert again["report_path"] == str(Path(result["batch"]["out_dir"]) / row["report"])  # the batch's report, cached
    assert again["report"]["created_at"] == report["created_at"]


async def test_a_list_of_sources_and_roots_are_enforced(client, library: Path, tmp_path: Path) -> None:  # noqa: ANN001
    chosen = [str(library / "c02.mp4"), str(library / "sub" / "b")]
    res = await client.call_tool("extract_json", {"sources": chosen, "features": ["metadata"], "wait_seconds": 120})
    assert not res.is_error, res.content
    out = res.structured_content
    assert out["status"] == "completed" and out["videos_total"] == 2 and out["batch"]["done"] == 2
    assert {Path(r["source"]).name for r in out["videos"]} == {"c02.mp4", "intro.mp4"}

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    refused = await client.call_tool("extract_json", {"sources": [str(outside)]})
    assert refused.is_error and "outside the directories" in refused.content[0].text
    url = await client.call_tool("extract_json", {"sources": ["http://127.0.0.1:9/a.mp4"], "wait_seconds": 60})
    assert not url.is_error
    (row,) = url.structured_content["videos"]
    assert row["status"] == "failed" and "127.0.0.1" in row["error"]  # a loopback address is refused (SSRF)
