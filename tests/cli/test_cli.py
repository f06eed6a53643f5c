"""The terminal commands, run as real subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def run_cli(*args: str, env: dict[str, str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "video_json_ai", *args], capture_output=True, text=True,
                          env={**os.environ, **env}, cwd=cwd, timeout=120)


def test_sample_then_extract_metadata_to_file(env: dict[str, str], tmp_path: Path) -> None:
    sample = tmp_path / "sample.mp4"
    done = run_cli("sample", str(sample), env=env)
    assert done.returncode == 0, done.stderr
    out = tmp_path / "r.json"
    done = run_cli("extract", str(sample), "--features", "metadata", "-o", str(out), env=env)
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text())
    assert report["metadata"]["video"][0]["frame_count"] == 150
    assert report["metadata"]["audio"][0]["channel_layout"] == "stereo"
    assert "\n  " in out.read_text()  # a file is written pretty


def test_piped_output_is_compact_json(env: dict[str, str], clip: Path) -> None:
    done = run_cli("extract", str(clip), "--features", "metadata", env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("\n") == 1
    assert json.loads(done.stdout)["features"] == ["metadata"]
    assert "[" not in done.stderr  # no progress bar when stderr is not a terminal


def test_errors_are_clear_and_exit_nonzero(env: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "nope.mp4"
    done = run_cli("extract", str(bad), env=env)
    assert done.returncode == 2
    assert "No file at" in done.stderr and "Traceback" not in done.stderr
    out_of_range = run_cli("extract", str(bad), "--sensitivity", "3", env=env)
    assert out_of_range.returncode == 2
    assert "sensitivity" in out_of_range.stderr and "Traceback" not in out_of_range.stderr


def test_schema_is_the_report_schema(env: dict[str, str]) -> None:
    done = run_cli("schema", env=env)
    schema = json.loads(done.stdout)
    assert schema["title"] == "Report"
    assert {"schema_version", "metadata", "scenes", "audio", "warnings"} <= set(schema["properties"])


def test_subtitle_tracks_written_per_track(env: dict[str, str], media_dir: Path) -> None:
    from tests.support.clips_subtitles import write_clip

    clip = write_clip(media_dir / "subs.mkv", ["ass", "subrip"], languages=["eng", "spa"])
    out = media_dir / "subs"
    done = run_cli("extract", str(clip), "--features", "metadata", "--subtitles-dir", str(out), env=env)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["features"] == ["metadata", "subtitles"]
    assert [(t["codec"], t["language"], t["cue_count"]) for t in report["subtitles"]] == [("ass", "eng", 4), ("subrip", "spa", 4)]
    assert sorted(p.name for p in out.iterdir()) == ["subs.1.eng.srt", "subs.1.eng.vtt", "subs.2.spa.srt", "subs.2.spa.vtt"]
    assert (out / "subs.2.spa.srt").read_text().startswith("1\n00:00:00,200 --> 00:00:01,000\nHello world\n")
