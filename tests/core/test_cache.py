"""Bounded state: the report cache within VIDEO_JSON_CACHE_MB, finished jobs pruned, few kept in memory."""

from __future__ import annotations

from pathlib import Path

import pytest

from video_json_ai.core.cache import prune_cache, prune_jobs
from video_json_ai.core.jobs import KEEP_FINISHED, JobRunner
from video_json_ai.core.store import Store
from video_json_ai.models.tools import UploadResult

MB = 1024 * 1024


def _report(store: Store, folder: Path, key: str, mb: float) -> Path:
    path = folder / f"report-{key}.json"
    path.write_bytes(b"x" * int(mb * MB))
    keyframes = folder / f"keyframes-{key}"
    keyframes.mkdir()
    (keyframes / "scene_0000.jpg").write_bytes(b"j" * 1000)
    store.put_report(key, "vid", path, size_bytes=path.stat().st_size + 1000)
    return path


def test_least_recently_used_reports_go_first(tmp_path: Path) -> None:
    store = Store(tmp_path / "state.sqlite3")
    folder = tmp_path / "out"
    folder.mkdir()
    old, used, new = (_report(store, folder, k, 0.4) for k in ("aaaa", "bbbb", "cccc"))
    store.get_value("x")
    with store._connect() as db:  # an earlier use, then a later one (timestamps are in seconds)
        db.execute("UPDATE reports SET used_at = '2000-01-01' WHERE cache_key = 'aaaa'")
        db.execute("UPDATE reports SET used_at = '2000-01-02' WHERE cache_key = 'cccc'")
        db.execute("UPDATE reports SET used_at = '2000-01-03' WHERE cache_key = 'bbbb'")
    assert prune_cache(store, tmp_path / "downloads", limit_mb=1) > 0
    assert not old.exists() and not (folder / "keyframes-aaaa").exists()
    assert used.exists() and new.exists() and store.report_path("aaaa") is None
    assert prune_cache(store, tmp_path / "downloads", limit_mb=0) > 0
    assert [k for k, _, _ in store.reports_by_use()] == ["bbbb"]  # the newest (just used) stays


def test_downloads_count_and_go_after_reports(tmp_path: Path) -> None:
    store = Store(tmp_path / "state.sqlite3")
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    (downloads / "a.mp4").write_bytes(b"d" * 2 * MB)
    assert prune_cache(store, downloads, limit_mb=1) == 2 * MB and not (downloads / "a.mp4").exists()


def test_finished_jobs_are_pruned_by_count_and_age(tmp_path: Path) -> None:
    store = Store(tmp_path / "state.sqlite3")
    for i in range(30):
        store.save_job("local", f"job_{i:02d}", {"job_id": f"job_{i:02d}", "status": "completed"}, None)
    store.save_job("local", "job_running", {"job_id": "job_running", "status": "running"}, None)
    with store._connect() as db:
        db.execute("UPDATE jobs SET created_at = '2000-01-01' WHERE job_id = 'job_00'")
    assert prune_jobs(store, keep=20) == 11
    left = {j["job_id"] for j in store.job_infos("local", 100)}
    assert "job_running" in left and "job_00" not in left and len(left) == 20


@pytest.mark.anyio
async def test_only_the_newest_finished_jobs_stay_in_memory(tmp_path: Path) -> None:
    runner = JobRunner(Store(tmp_path / "state.sqlite3"))

    async def work(progress, cancel) -> UploadResult:  # noqa: ANN001
        return UploadResult(message="ok")

    try:
        jobs = [runner.start("upload", work) for _ in range(KEEP_FINISHED + 10)]
        for job in jobs:
            job.future.result(timeout=30)
        assert len(runner.jobs()) == KEEP_FINISHED and runner.get(jobs[0].job_id) is None
        assert runner.get(jobs[-1].job_id) is not None
    finally:
        runner.close()
