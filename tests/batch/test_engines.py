"""The engines and the worker's reading: a crashed worker fails one video; URLs are downloaded."""

from __future__ import annotations

import functools
import hashlib
import http.server
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.clips import make_clip
from video_json_ai.batch.engines.base import Progress
from video_json_ai.batch.engines.local import LocalEngine
from video_json_ai.batch.runner import BatchSettings, run_batch
from video_json_ai.batch.work import VideoOutcome, VideoTask
from video_json_ai.util.progress import CancelToken
from video_json_ai.models.requests import ExtractRequest

REQUEST = ExtractRequest(features=["metadata", "scenes", "audio"])


def task(index: int, path: Path, out: Path) -> VideoTask:
    return VideoTask(index=index, source=str(path), request=REQUEST, out_dir=str(out), allowed_dirs=[str(path.parent)],
                     max_bytes=1 << 30)


def test_a_worker_that_dies_fails_only_its_video(library: Path, tmp_path: Path) -> None:
    long_clip = make_clip(tmp_path / "long.mp4", width=64, height=48, fps=5, seconds=40.0)
    tasks = [task(0, library / "c00.mp4", tmp_path), task(1, long_clip, tmp_path), task(2, library / "c01.mp4", tmp_path)]
    outcomes: dict[int, VideoOutcome] = {}
    killed = False
    for event in LocalEngine(workers=1).run(tasks, {}, CancelToken()):
        if isinstance(event, Progress) and event.index == 1 and not killed:
            (worker,) = [p for p in multiprocessing.active_children() if p.name == "video-json-ai-batch-worker"]
            os.kill(worker.pid, signal.SIGKILL)  # as a decoder crash would end it
            killed = True
        elif isinstance(event, VideoOutcome):
            outcomes[event.index] = event
    assert killed
    assert [outcomes[i].status for i in range(3)] == ["done", "failed", "done"]
    assert "worker exit code -9" in (outcomes[1].error or "")
    assert not [p for p in multiprocessing.active_children() if p.name == "video-json-ai-batch-worker"]


@pytest.fixture
def http_root(library: Path) -> Iterator[str]:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(library))
    handler.log_message = lambda *args: None  # type: ignore[method-assign]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_urls_are_downloaded_by_the_worker_when_allowed(library: Path, tmp_path: Path, http_root: str,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIDEO_JSON_ALLOW_PRIVATE_URLS", "1")  # the test server is on loopback
    good, missing = f"{http_root}/c03.mp4", f"{http_root}/gone.mp4"
    settings = BatchSettings(out_dir=tmp_path / "out", request=REQUEST, workers=1, allow_urls=True)
    summary = run_batch([good, missing], settings)
    assert (summary.done, summary.failed) == (1, 1)
    from video_json_ai.batch.index import BatchIndex

    rows = BatchIndex(settings.out_dir).load()
    sha = hashlib.sha256((library / "c03.mp4").read_bytes()).hexdigest()
    assert rows[good].sha256 == sha and rows[good].video_id == f"vid_{sha[:16]}"
    assert rows[good].report == f"c03-{sha[:12]}.json" and rows[good].mtime_ns is None
    assert "HTTP 404" in (rows[missing].error or "")
    again = run_batch([good], settings)  # a URL whose report exists is not fetched again
    assert (again.done, again.skipped) == (0, 1)


def test_the_ray_engine_without_ray_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from video_json_ai.batch.engines import make_engine
    from video_json_ai.errors import NotAvailable

    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` fails as it does where the extra is missing
    engine = make_engine("ray", workers=2)  # choosing the engine does not import Ray
    with pytest.raises(NotAvailable, match=r"pip install 'video-json-ai\[ray\]'"):
        next(iter(engine.run([task(0, tmp_path / "a.mp4", tmp_path)], {}, CancelToken())))


def test_a_worker_that_goes_quiet_is_stopped_and_its_video_fails(library: Path, tmp_path: Path) -> None:
    # A worker's start (spawn, imports) is far longer than 50 ms of silence: the guard fires as it
    # would on a decoder stuck in a loop, and the next video gets a new worker.
    engine = LocalEngine(workers=1, stall_s=0.05)
    outcomes = [e for e in engine.run([task(0, library / "c00.mp4", tmp_path)], {}, CancelToken())
                if isinstance(e, VideoOutcome)]
    assert [o.status for o in outcomes] == ["failed"]
    assert "no progress for 0.05 s" in (outcomes[0].error or "")
    assert not [p for p in multiprocessing.active_children() if p.name == "video-json-ai-batch-worker"]
