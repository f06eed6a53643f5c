"""State survives restarts; jobs of a dead process are reported as interrupted."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from video_json_ai.core.app import App
from video_json_ai.util.progress import CancelToken, no_progress


def test_upload_survives_restart(env: dict[str, str], clip: Path) -> None:
    first = App()
    up = first.jobs.call_sync(first.backend.upload(str(clip), progress=no_progress, cancel=CancelToken()))
    job = first.jobs.start("upload", lambda p, c: first.backend.upload(str(clip), progress=p, cancel=c))
    first.jobs.submit(_noop()).result()
    job.future.result(timeout=30)
    first.close()

    second = App()
    try:
        state = second.jobs.call_sync(second.backend.session_state())
        assert [v.video_id for v in state.videos] == [up.video_id]
        detail = second.job_detail(job.job_id)
        assert detail is not None and detail.status == "completed"
        assert detail.result.video_id == up.video_id
        mode = stat.S_IMODE(Path(env["VIDEO_JSON_HOME"], "state.sqlite3").stat().st_mode)
        assert mode == 0o600
    finally:
        second.close()


async def _noop() -> None:
    return None


def test_running_job_of_dead_process_reads_as_interrupted(env: dict[str, str]) -> None:
    app = App()
    app.store.save_job("local", "job_dead", {
        "job_id": "job_dead", "kind": "extract", "status": "running", "progress": 0.3, "message": "decoding",
        "created_at": "2026-01-01T00:00:00+00:00"}, None)
    detail = app.job_detail("job_dead")
    assert detail is not None and detail.status == "interrupted" and "interrupted at 30%: decoding" == detail.message
    assert "restarted" in (detail.error or "") and "run the same request again" in (detail.error or "")
    assert detail.progress == 0.3 and detail.finished_at is not None
    app.close()


def test_unknown_backend_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    from video_json_ai.errors import InvalidInput

    monkeypatch.setenv("VIDEO_JSON_BACKEND", "cloudy")
    with pytest.raises(InvalidInput, match="VIDEO_JSON_BACKEND"):
        App()
