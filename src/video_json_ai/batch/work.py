"""One video of a batch, as a worker process runs it (a local pool worker or a Ray worker).

The worker reads the video (a path it can reach, or a URL it downloads), hashes it, and builds the
report with the local backend's own per-video function (``backends/local/extraction.py``). It writes
nothing where the batch's outputs go: the report and the keyframe JPEGs come back in the outcome and
the driver writes them.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from pydantic import Field

from video_json_ai.backends.local.extraction import cache_key, report_for
from video_json_ai.batch.naming import keyframes_folder, report_name, source_name
from video_json_ai.config import Config
from video_json_ai.util.progress import CancelToken, ProgressFn, scaled
from video_json_ai.core.sources import check_local_video, is_url, sha256_file, video_id_for
from video_json_ai.errors import Cancelled, VideoJsonError
from video_json_ai.models.common import Model
from video_json_ai.models.report import Report, VideoRef
from video_json_ai.models.requests import ExtractRequest

log = logging.getLogger(__name__)
OutcomeStatus = Literal["done", "skipped", "failed"]


class VideoTask(Model):
    """What a worker needs for one video; nothing from the driver's environment."""

    index: int = Field(description="Position in the batch's list of sources.")
    source: str
    request: ExtractRequest
    out_dir: str = Field(description="The batch folder (the driver's): keyframe paths in the report point there.")
    allowed_dirs: list[str]
    max_bytes: int
    allow_urls: bool = False


class VideoOutcome(Model):
    index: int
    source: str
    status: OutcomeStatus
    error: str | None = None
    sha256: str | None = None
    cache_key: str | None = None
    size_bytes: int | None = None
    mtime_ns: int | None = None
    report_name: str | None = None
    report_json: str | None = None
    keyframes: dict[str, bytes] = Field(default_factory=dict, description="Path inside the batch folder -> JPEG.")
    elapsed_s: float = 0.0


def failed(task: VideoTask, error: str, elapsed_s: float = 0.0) -> VideoOutcome:
    return VideoOutcome(index=task.index, source=task.source, status="failed", error=error, elapsed_s=elapsed_s)


def process_video(task: VideoTask, known_keys: Mapping[str, str], *, progress: ProgressFn,
                  cancel: CancelToken) -> VideoOutcome:
    """The outcome of one video: 'skipped' when its cache key is in ``known_keys`` (the batch holds
    that report already), else 'done' with the report, or 'failed' with the reason."""
    started = time.perf_counter()
    try:
        with _readable(task, scaled(progress, 0.0, 0.05), cancel) as (path, mtime_ns):
            outcome = _analyse(task, path, mtime_ns, known_keys, progress, cancel)
    except Cancelled:
        raise
    except VideoJsonError as exc:
        return failed(task, str(exc), time.perf_counter() - started)
    except Exception as exc:  # noqa: BLE001 - a video fails alone, with its reason
        log.exception("batch: %s failed", task.source)
        return failed(task, f"Unexpected error: {type(exc).__name__}: {exc}", time.perf_counter() - started)
    return outcome.model_copy(update={"elapsed_s": round(time.perf_counter() - started, 4)})


@contextmanager
def _readable(task: VideoTask, progress: ProgressFn, cancel: CancelToken) -> Iterator[tuple[Path, int | None]]:
    """The local file to read, and its modification time (None for a download)."""
    if is_url(task.source) and task.allow_urls:
        from video_json_ai.batch.fetch import downloaded

        with downloaded(task.source, task.max_bytes, progress, cancel) as path:
            yield path, None
        return
    out_dir = Path(task.out_dir)
    config = Config(home=out_dir, output_dir=out_dir, allowed_dirs=tuple(Path(d) for d in task.allowed_dirs),
                    backend="local", max_upload_bytes=task.max_bytes)
    path = check_local_video(task.source, config)
    yield path, path.stat().st_mtime_ns


def _analyse(task: VideoTask, path: Path, mtime_ns: int | None, known_keys: Mapping[str, str],
             progress: ProgressFn, cancel: CancelToken) -> VideoOutcome:
    size = path.stat().st_size
    sha = sha256_file(path, scaled(progress, 0.05, 0.1), cancel)
    key = cache_key(sha, task.request)
    common = {"index": task.index, "source": task.source, "sha256": sha, "cache_key": key,
              "size_bytes": size, "mtime_ns": mtime_ns}
    if key in known_keys:
        progress(1.0, "report exists")
        return VideoOutcome(status="skipped", report_name=known_keys[key], **common)
    video = VideoRef(video_id=video_id_for(sha), file_name=source_name(task.source),
                     path=task.source if is_url(task.source) else str(path), size_bytes=size, sha256=sha)
    with tempfile.TemporaryDirectory(prefix="video-json-keyframes-") as scratch:
        report = report_for(path, video, task.request, Path(scratch), progress=scaled(progress, 0.1, 1.0),
                            cancel=cancel)
        keyframes = _collect_keyframes(report, Path(task.out_dir), keyframes_folder(task.source, sha))
    return VideoOutcome(status="done", report_name=report_name(task.source, sha),
                        report_json=report.model_dump_json(indent=2), keyframes=keyframes, **common)


def _collect_keyframes(report: Report, out_dir: Path, folder: str) -> dict[str, bytes]:
    """Read the JPEGs written to the scratch folder; point the report at their place in the batch folder."""
    files: dict[str, bytes] = {}
    for scene in report.scenes or []:
        keyframe = scene.keyframe
        if keyframe is None or not keyframe.path:
            continue
        relative = f"{folder}/{Path(keyframe.path).name}"
        files[relative] = Path(keyframe.path).read_bytes()
        keyframe.path = str(out_dir / relative)
    return files
