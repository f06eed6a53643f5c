"""`--engine ray` on a real local Ray instance (2 CPUs) gives the reports `--engine local` gives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.batch.conftest import CLIP_COUNT, GOOD_COUNT, comparable, index_lines, run_cli

pytest.importorskip("ray", reason="the ray extra is not installed (pip install 'video-json-ai[ray]')")
pytestmark = pytest.mark.slow


def test_ray_engine_reports_match_the_local_engine(library: Path, local_run, tmp_path: Path) -> None:  # noqa: ANN001
    local_out, _ = local_run
    out = tmp_path / "out"
    done = run_cli("batch", str(library), "-o", str(out), "--engine", "ray", "--workers", "2",
                   home=tmp_path / "home", timeout=300)
    assert done.returncode == 1, done.stderr  # the corrupt clip fails on Ray too
    assert f"{GOOD_COUNT} done, 0 skipped, 1 failed of {CLIP_COUNT} videos" in done.stdout
    assert "engine ray, 2 workers" in done.stdout
    ray_rows = {r["source"]: r for r in index_lines(out)}
    local_rows = {r["source"]: r for r in index_lines(local_out)}
    assert set(ray_rows) == set(local_rows)
    for source, row in ray_rows.items():
        theirs = local_rows[source]
        same = ("status", "video_id", "sha256", "duration_s", "scene_count", "loudness_lufs", "speech_share",
                "report", "cache_key", "options_key", "size_bytes")
        assert {k: row[k] for k in same} == {k: theirs[k] for k in same}, source
        if row["status"] == "failed":
            assert row["error"] == theirs["error"]
            continue
        ours = json.loads((out / row["report"]).read_text())
        local = json.loads((local_out / theirs["report"]).read_text())
        assert comparable(ours, out) == comparable(local, local_out), source
        for scene in ours["scenes"]:  # the driver wrote the keyframes the workers made
            kf = Path(scene["keyframe"]["path"])
            assert kf.read_bytes() == (local_out / kf.relative_to(out)).read_bytes()
