"""The batch as one job of the MCP server: a folder, a manifest or a list of sources, inside the
allowed roots, on the local engine. Each finished report is registered with the local backend, so
``extract_json(video_id)`` and ``video://{video_id}/report`` find it.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

import anyio

from video_json_ai.batch.inputs import expand_inputs, is_manifest
from video_json_ai.batch.naming import source_name
from video_json_ai.config import Config
from video_json_ai.util.progress import CancelToken, ProgressFn
from video_json_ai.core.sources import allowed_text, inside_allowed, is_url
from video_json_ai.errors import InvalidInput, NotAvailable
from video_json_ai.models.batch import BatchSummary, IndexRow
from video_json_ai.models.report import Report, VideoRef
from video_json_ai.models.requests import ExtractRequest

if TYPE_CHECKING:
    from video_json_ai.backends.local.backend import LocalBackend
    from video_json_ai.batch.runner import Tally
    from video_json_ai.core.app import App

BATCHES_DIR = "batches"


def _local_path(text: str) -> Path:
    path = Path(text.strip()).expanduser()  # '~' only: no environment variables
    return Path(os.path.abspath(path if path.is_absolute() else Path.cwd() / path))


def is_batch_source(source: str, config: Config) -> bool:
    """True for a folder or a manifest inside the allowed roots (one video file is not a batch)."""
    if not source.strip() or is_url(source):
        return False
    path = _local_path(source)
    return inside_allowed(path, config) and (path.is_dir() or (path.is_file() and is_manifest(path)))


def batch_sources(inputs: list[str], config: Config) -> list[str]:
    """Every source the inputs name; each input must be inside the allowed roots (and each video is
    checked again where it is read). URLs are kept: the worker downloads them through the checked fetch."""
    checked: list[str] = []
    for text in inputs:
        if is_url(text):
            checked.append(text)
            continue
        path = _local_path(text)
        if not inside_allowed(path, config):
            raise InvalidInput(f"'{path}' is outside the directories this server may read",
                               f"Use folders inside {allowed_text(config)}, or add one to VIDEO_JSON_ALLOWED_DIRS "
                               f"(separated by '{os.pathsep}') in the server's environment.")
        checked.append(str(path))
    sources = expand_inputs(checked)
    if not sources:
        raise InvalidInput("The folders and lists given hold no supported media file",
                           "Pass a folder with videos (mp4, mov, mkv, webm, avi...) or a list of video paths.")
    return sources


def batch_dir(config: Config, inputs: list[str]) -> Path:
    """The batch folder of these inputs: the same inputs resume the same batch."""
    digest = hashlib.sha256(json.dumps(sorted(inputs)).encode()).hexdigest()[:10]
    first = source_name(inputs[0]) if inputs else "batch"
    stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in Path(first).stem)[:40] or "batch"
    return config.output_dir / BATCHES_DIR / f"{stem}-{digest}"


class _Registrar:
    """Registers each report of the set with the local backend (once per cache key)."""

    def __init__(self, backend: LocalBackend, out_dir: Path) -> None:
        self.backend = backend
        self.out_dir = out_dir

    def __call__(self, row: IndexRow, report: Report | None) -> None:
        if not (row.cache_key and row.report and row.video_id and row.sha256):
            return
        path = self.out_dir / row.report
        if report is None and self.backend.store.report_path(row.cache_key) == path:
            return
        from video_json_ai.engine.probe import summarize

        video = report.video if report is not None else VideoRef(
            video_id=row.video_id, file_name=source_name(row.source), path=row.source,
            size_bytes=row.size_bytes or 0, sha256=row.sha256)
        summary = summarize(report.metadata) if report is not None and report.metadata is not None else None
        self.backend.record(video, summary, row.cache_key, path, has_scenes=row.scene_count is not None)


async def run_app_batch(app: App, inputs: list[str], request: ExtractRequest, *, retry_failed: bool,
                        progress: ProgressFn, cancel: CancelToken) -> tuple[BatchSummary, list[IndexRow]]:
    """Run the batch of ``inputs`` for the App's local backend; the summary and the set's index rows."""
    from video_json_ai.batch.runner import BatchRun, BatchSettings, default_workers  # loads the engine: not at start-up

    config = app.config
    if config.backend != "local":
        raise NotAvailable("Folders and lists of sources run on the local backend only",
                           "Pass one video at a time, or run the server with VIDEO_JSON_BACKEND=local.")
    absolute = [s if is_url(s) else str(_local_path(s)) for s in inputs]
    sources = await anyio.to_thread.run_sync(batch_sources, absolute, config)
    out_dir = batch_dir(config, absolute)
    settings = BatchSettings(out_dir=out_dir, request=request, workers=default_workers(), retry_failed=retry_failed,
                             refresh=request.refresh, allowed_dirs=config.allowed_dirs,
                             max_bytes=config.max_upload_bytes, allow_urls=True)

    def watch(tally: Tally) -> None:
        progress(tally.fraction(), tally.message())

    run = BatchRun(sources, settings, watch=watch, on_row=_Registrar(app.backend, out_dir))  # type: ignore[arg-type]
    summary = await anyio.to_thread.run_sync(run.run, cancel)
    rows = run.index.rows
    return summary, [rows[s] for s in sources if s in rows]
