"""A small library of clips for the batch tests: 12 clips (one corrupt, two with the same stem in
different folders) among files a batch must leave out."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.clips import make_clip

CLIP_COUNT = 12
GOOD_COUNT = 11
CORRUPT = "broken.mp4"


def make_library(root: Path) -> Path:
    """Tiny clips (64x48, 10 fps, 1-2 s, a tone), each of its own length so no two share content."""
    places = ["c00.mp4", "c01.mp4", "c02.mp4", "c03.mp4", "c04.mp4", "c05.mp4", "sub/a/intro.mp4",
              "sub/b/intro.mp4", "deep/x/y/c06.mkv", "c07.mov", "c08.mp4"]
    for i, place in enumerate(places):
        path = root / place
        path.parent.mkdir(parents=True, exist_ok=True)
        make_clip(path, width=64, height=48, fps=10, seconds=1.0 + 0.1 * i)
    (root / CORRUPT).write_bytes(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00" + bytes(range(256)) * 40)
    # left out by a batch: hidden files and folders, other kinds of files
    make_clip(root / ".hidden.mp4", width=64, height=48, fps=10, seconds=1.0)
    (root / ".cache").mkdir()
    make_clip(root / ".cache" / "c99.mp4", width=64, height=48, fps=10, seconds=1.0)
    (root / "notes.txt").write_text("not a manifest inside a folder\n")
    (root / "cover.xyz").write_bytes(b"??")
    return root


@pytest.fixture(scope="session")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Made once per session; tests read it and never change it (a batch notices changed files)."""
    return make_library(tmp_path_factory.mktemp("library"))


def run_cli(*args: str, home: Path, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "VIDEO_JSON_HOME": str(home), "VIDEO_JSON_BACKEND": "local"}
    return subprocess.run([sys.executable, "-m", "video_json_ai", *args], capture_output=True, text=True, env=env,
                          timeout=timeout)


def index_lines(out_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (out_dir / "index.jsonl").read_text().splitlines() if line.strip()]


def comparable(report: dict, out_dir: Path) -> dict:
    """A report without what differs between two runs of the same work: creation time, timings,
    the analysis speed, and the batch folder keyframe paths start with."""
    report = json.loads(json.dumps(report))
    report.pop("created_at")
    report.pop("timings_s")
    if report.get("scenes_summary"):
        report["scenes_summary"].pop("analysis_fps", None)
    for scene in report.get("scenes") or []:
        if scene.get("keyframe") and scene["keyframe"].get("path"):
            scene["keyframe"]["path"] = str(Path(scene["keyframe"]["path"]).relative_to(out_dir))
    return report


@pytest.fixture(scope="session")
def local_run(library: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """The library through `video-json-ai batch --engine local --workers 2`, once per session."""
    out = tmp_path_factory.mktemp("batch-local") / "out"
    done = run_cli("batch", str(library), "-o", str(out), "--workers", "2", home=out.parent / "home")
    return out, done
