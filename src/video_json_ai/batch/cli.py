"""``video-json-ai batch``: the run with a progress bar (tqdm) and the summary at the end."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from video_json_ai.batch.inputs import expand_inputs
from video_json_ai.batch.runner import BatchRun, BatchSettings, Tally, default_workers
from video_json_ai.config import Config
from video_json_ai.core.sources import is_url
from video_json_ai.errors import InvalidInput
from video_json_ai.models.batch import BatchSummary, IndexRow
from video_json_ai.models.requests import ExtractRequest

FAILURES_SHOWN = 10


class BatchBar:
    """Videos finished, rate and ETA on stderr (only on a terminal); the rate counts this run's work,
    not the videos skipped before it started."""

    def __init__(self) -> None:
        self.bar: Any = None

    def __call__(self, tally: Tally) -> None:
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=tally.total, initial=tally.finished, unit="video", file=sys.stderr, disable=None,
                            dynamic_ncols=True, smoothing=0.1)
        if tally.finished > self.bar.n:
            self.bar.update(tally.finished - self.bar.n)
            self.bar.set_postfix_str(f"{tally.done} done, {tally.skipped} skipped, {tally.failed} failed")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def summary_text(summary: BatchSummary, failures: list[IndexRow]) -> str:
    s = summary
    rate = f"{s.media_hours_per_hour:g} media-hours per hour" if s.media_hours_per_hour is not None else "n/a"
    earlier = f", {s.failed_earlier} failed before (left alone)" if s.failed_earlier else ""
    lines = [
        f"{s.done} done, {s.skipped} skipped, {s.failed} failed{earlier} of {s.total} videos in {s.wall_s:.1f} s "
        f"(engine {s.engine}, {s.workers} worker{'s' if s.workers != 1 else ''})",
        f"media: {s.media_hours:.4f} h analysed ({s.media_hours * 3600:.1f} s), {s.set_media_hours:.4f} h in the set; "
        f"throughput {rate}",
        f"reports in {s.out_dir}; index: {s.index_path}, {s.csv_path}",
    ]
    for row in failures[:FAILURES_SHOWN]:
        lines.append(f"failed: {row.source}: {row.error}")
    if len(failures) > FAILURES_SHOWN:
        lines.append(f"... and {len(failures) - FAILURES_SHOWN} more failures (status 'failed' in the index)")
    if s.failed_earlier:
        lines.append("videos that failed in an earlier run are left alone: add --retry-failed to run them again")
    return "\n".join(lines)


def settings_for(args: argparse.Namespace, request: ExtractRequest, sources: list[str]) -> BatchSettings:
    """The command line's settings: a person named these inputs, so their folders may be read."""
    if args.workers is not None and args.workers < 1:
        raise InvalidInput(f"--workers {args.workers} is not a number of workers", "Pass 1 or more.")
    config = Config.from_env()
    folders = {str(Path(s).parent) for s in sources if not is_url(s)}
    allowed = tuple(dict.fromkeys((*config.allowed_dirs, *(Path(f) for f in sorted(folders)))))
    return BatchSettings(
        out_dir=Path(args.out_dir).expanduser().absolute(), request=request, engine=args.engine,
        workers=args.workers or default_workers(), ray_address=args.ray_address, retry_failed=args.retry_failed,
        allowed_dirs=allowed, max_bytes=config.max_upload_bytes, allow_urls=True,
    )


def run_batch_command(args: argparse.Namespace, request: ExtractRequest) -> int:
    """Exit code 0 when no video failed in this run, 1 when some did (they are in the index)."""
    sources = expand_inputs(args.inputs)
    if not sources:
        raise InvalidInput("The inputs hold no supported media file",
                           "Pass folders with videos, media files, or a manifest listing them.")
    settings = settings_for(args, request, sources)
    bar = BatchBar()
    run = BatchRun(sources, settings, watch=bar)
    try:
        summary = run.run()
    finally:
        bar.close()
    rows = run.index.rows
    failures = [rows[s] for s in sources if s in rows and rows[s].status == "failed"]
    print(summary_text(summary, failures))
    return 1 if summary.failed else 0
