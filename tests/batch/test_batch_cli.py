"""`video-json-ai batch` as a person runs it: real subprocesses over a folder of real clips."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.batch.conftest import CLIP_COUNT, CORRUPT, GOOD_COUNT, index_lines, run_cli
from video_json_ai.models.batch import IndexRow
from video_json_ai.models.report import Report

SUMMARY = re.compile(r"(\d+) done, (\d+) skipped, (\d+) failed(?:, \d+ failed before \(left alone\))? of (\d+) videos")


def counts(stdout: str) -> tuple[int, int, int, int]:
    found = SUMMARY.search(stdout)
    assert found, stdout
    return tuple(int(g) for g in found.groups())  # type: ignore[return-value]


def reports_in(out: Path) -> list[Path]:
    return sorted(out.glob("*.json"))


def test_folder_gives_one_report_per_video_and_a_recorded_failure(library: Path, local_run) -> None:  # noqa: ANN001
    out, done = local_run
    assert done.returncode == 1, done.stderr  # a video failed: the exit code says so
    assert counts(done.stdout) == (GOOD_COUNT, 0, 1, CLIP_COUNT)
    assert "media-hours per hour" in done.stdout and "Traceback" not in done.stderr
    reports = reports_in(out)
    assert len(reports) == GOOD_COUNT
    names = {p.name for p in reports}
    assert len([n for n in names if n.startswith("intro-")]) == 2  # same stem, two reports
    rows = [IndexRow.model_validate(r) for r in index_lines(out)]
    assert len(rows) == CLIP_COUNT and len({r.source for r in rows}) == CLIP_COUNT
    assert not any(".hidden" in r.source or ".cache" in r.source for r in rows)
    failed = [r for r in rows if r.status == "failed"]
    assert [Path(r.source).name for r in failed] == [CORRUPT]
    assert "could not be opened" in (failed[0].error or "")
    for row in rows:
        if row.status == "done":
            report = Report.model_validate_json((out / str(row.report)).read_text())
            assert report.video.sha256 == row.sha256 and report.video.path == row.source
            assert row.duration_s == report.summary.duration_s and row.scene_count == len(report.scenes or [])
            assert row.loudness_lufs is not None and row.speech_share is not None
            assert all(Path(s.keyframe.path).is_file() and Path(s.keyframe.path).is_relative_to(out)
                       for s in report.scenes or [] if s.keyframe)
    csv_lines = (out / "index.csv").read_text().splitlines()
    assert csv_lines[0].startswith("source,status,video_id,sha256,error,duration_s,scene_count,loudness_lufs")
    assert len(csv_lines) == CLIP_COUNT + 1


def test_rerun_skips_and_retry_failed_runs_only_the_failure(library: Path, local_run) -> None:  # noqa: ANN001
    out, _ = local_run
    written = {p.name: p.stat().st_mtime_ns for p in reports_in(out)}
    again = run_cli("batch", str(library), "-o", str(out), "--workers", "2", home=out.parent / "home")
    assert again.returncode == 0, again.stderr
    assert counts(again.stdout) == (0, GOOD_COUNT, 0, CLIP_COUNT)
    assert "1 failed before (left alone)" in again.stdout and "--retry-failed" in again.stdout  # the earlier failure is left alone, and the way to retry is said
    retry = run_cli("batch", str(library), "-o", str(out), "--workers", "2", "--retry-failed", home=out.parent / "home")
    assert retry.returncode == 1
    assert counts(retry.stdout) == (0, GOOD_COUNT, 1, CLIP_COUNT)
    assert {p.name: p.stat().st_mtime_ns for p in reports_in(out)} == written  # no report written again
    lines = index_lines(out)
    assert len(lines) == CLIP_COUNT == len({r["source"] for r in lines})


def test_sigkill_mid_run_then_rerun_completes_the_set(library: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    env = {**os.environ, "VIDEO_JSON_HOME": str(tmp_path / "home")}
    proc = subprocess.Popen([sys.executable, "-m", "video_json_ai", "batch", str(library), "-o", str(out),
                             "--workers", "1"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    index = out / "index.jsonl"
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if index.is_file() and index.read_bytes().count(b"\n") >= 4:
                break
            time.sleep(0.01)
        assert proc.poll() is None, "the run ended before it could be killed"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the run and its worker processes, mid-way
        proc.communicate(timeout=30)
    assert not (out / "index.csv").exists()
    killed_rows = [line for line in index.read_text().splitlines() if line.strip()]
    assert 4 <= len(killed_rows) < CLIP_COUNT
    for path in reports_in(out):
        Report.model_validate_json(path.read_text())  # whatever is under a final name is whole

    again = run_cli("batch", str(library), "-o", str(out), "--workers", "2", home=tmp_path / "home")
    assert again.returncode in (0, 1), again.stderr
    done, skipped, failed, total = counts(again.stdout)
    assert total == CLIP_COUNT and done + skipped + failed <= CLIP_COUNT
    lines = index_lines(out)
    assert len(lines) == CLIP_COUNT == len({r["source"] for r in lines})  # no duplicate line
    assert sum(r["status"] == "done" for r in lines) == GOOD_COUNT
    assert len(reports_in(out)) == GOOD_COUNT
    for path in reports_in(out):
        Report.model_validate_json(path.read_text())
    assert not list(out.rglob("*.tmp"))


def test_csv_manifest_with_a_source_column(library: Path, tmp_path: Path) -> None:
    lists = tmp_path / "lists"
    lists.mkdir()
    chosen = [library / "c00.mp4", library / "sub" / "a" / "intro.mp4", library / "deep" / "x" / "y" / "c06.mkv"]
    relative = os.path.relpath(chosen[1], lists)
    (lists / "campaign.csv").write_text(
        "title,source,owner\n"
        f"first,{chosen[0]},ann\n"
        f"second,{relative},bob\n"
        f"third,{chosen[2]},cy\n"
        ",,\n")
    out = tmp_path / "out"
    done = run_cli("batch", str(lists / "campaign.csv"), "-o", str(out), "--features", "metadata,scenes",
                   home=tmp_path / "home")
    assert done.returncode == 0, done.stderr
    assert counts(done.stdout) == (3, 0, 0, 3)
    rows = index_lines(out)
    assert sorted(r["source"] for r in rows) == sorted(str(p) for p in chosen)
    report = json.loads((out / rows[0]["report"]).read_text())
    assert report["features"] == ["metadata", "scenes"] and report["audio"] is None

    (lists / "bad.csv").write_text("path\n/x.mp4\n")
    bad = run_cli("batch", str(lists / "bad.csv"), "-o", str(out), home=tmp_path / "home")
    assert bad.returncode == 2 and "no 'source' column" in bad.stderr and "Traceback" not in bad.stderr


def test_batch_and_extract_give_the_same_report_and_cache_key(library: Path, tmp_path: Path) -> None:
    clip = tmp_path / "one" / "c01.mp4"
    clip.parent.mkdir()
    shutil.copyfile(library / "c01.mp4", clip)
    home = tmp_path / "home"
    single = run_cli("extract", str(clip), "-o", str(tmp_path / "single.json"), home=home)
    assert single.returncode == 0, single.stderr
    out = tmp_path / "out"
    batch = run_cli("batch", str(clip.parent), "-o", str(out), home=home)
    assert batch.returncode == 0, batch.stderr
    (row,) = index_lines(out)
    from video_json_ai.core.store import Store

    cached = Store(home / "state.sqlite3").report_path(row["cache_key"])
    assert cached is not None, "the batch's cache key is not the key extract_json filed the report under"
    extracted = json.loads((tmp_path / "single.json").read_text())
    batched = json.loads((out / row["report"]).read_text())
    kept_apart = {"created_at", "timings_s", "scenes_summary"}  # when it was made, how long it took (and fps)
    assert {k: v for k, v in batched.items() if k not in kept_apart | {"scenes"}} == \
        {k: v for k, v in extracted.items() if k not in kept_apart | {"scenes"}}
    assert len(batched["scenes"]) == len(extracted["scenes"]) >= 1
    for ours, theirs in zip(batched["scenes"], extracted["scenes"]):
        assert Path(ours["keyframe"].pop("path")).read_bytes() == Path(theirs["keyframe"].pop("path")).read_bytes()
        assert ours == theirs


def test_a_folder_without_media_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    empty = run_cli("batch", str(tmp_path / "empty"), "-o", str(tmp_path / "out"), home=tmp_path / "home")
    assert empty.returncode == 2 and "no supported media file" in empty.stderr and "Traceback" not in empty.stderr
