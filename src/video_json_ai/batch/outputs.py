"""What the driver writes for a finished video: its keyframes, its report (atomically), its index row."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from video_json_ai.batch.naming import KEYFRAMES_DIR
from video_json_ai.batch.work import VideoOutcome
from video_json_ai.util.time import utc_now
from video_json_ai.errors import VideoJsonError
from video_json_ai.models.batch import IndexRow
from video_json_ai.models.report import Report
from video_json_ai.util.atomic import write_bytes_atomic, write_text_atomic


def _inside(out_dir: Path, relative: str) -> Path:
    """``out_dir / relative`` for a plain relative name a worker sent (nothing that climbs out)."""
    parts = PurePosixPath(relative).parts
    if not parts or PurePosixPath(relative).is_absolute() or any(p in ("..", ".", "") for p in parts):
        raise VideoJsonError(f"A worker sent an output name that is not a plain relative path ('{relative}')",
                             "This is a bug: report it with the batch's command line.")
    return out_dir.joinpath(*parts)


def remove_partials(out_dir: Path) -> int:
    """Delete the temporary files of writes a killed run left unfinished (never under a final name)."""
    partials = [*out_dir.glob(".*.tmp"), *out_dir.glob(f"{KEYFRAMES_DIR}/*/.*.tmp")]
    for path in partials:
        path.unlink(missing_ok=True)
    return len(partials)


def write_outputs(out_dir: Path, outcome: VideoOutcome) -> Report:
    """Write a done video's keyframes then its report; the report parsed back (validated)."""
    assert outcome.report_json is not None and outcome.report_name is not None
    report = Report.model_validate_json(outcome.report_json)
    try:
        targets = {_inside(out_dir, relative): data for relative, data in outcome.keyframes.items()}
        for target, data in targets.items():
            write_bytes_atomic(target, data)
        for folder in {t.parent for t in targets}:  # keyframes left by an earlier run with other options
            for old in folder.glob("scene_*.jpg"):
                if old not in targets:
                    old.unlink(missing_ok=True)
        write_text_atomic(_inside(out_dir, outcome.report_name), outcome.report_json)
    except OSError as exc:
        raise VideoJsonError(f"Could not write the outputs of '{outcome.source}' in '{out_dir}' ({exc.strerror or exc})",
                             "Check the free space and the permissions of the output folder, then run the "
                             "same command again: finished videos are kept.") from exc
    return report


def done_row(outcome: VideoOutcome, report: Report, options_key: str) -> IndexRow:
    return IndexRow(
        source=outcome.source, status="done", video_id=report.video.video_id, sha256=outcome.sha256,
        duration_s=report.summary.duration_s, scene_count=report.summary.scene_count,
        loudness_lufs=report.audio.integrated_lufs if report.audio is not None else None,
        speech_share=report.summary.speech_share, report=outcome.report_name, cache_key=outcome.cache_key,
        options_key=options_key, size_bytes=outcome.size_bytes, mtime_ns=outcome.mtime_ns,
        elapsed_s=round(outcome.elapsed_s, 3), finished_at=utc_now(),
    )


def failed_row(outcome: VideoOutcome, options_key: str) -> IndexRow:
    return IndexRow(source=outcome.source, status="failed", error=outcome.error, sha256=outcome.sha256,
                    options_key=options_key, size_bytes=outcome.size_bytes, mtime_ns=outcome.mtime_ns,
                    elapsed_s=round(outcome.elapsed_s, 3), finished_at=utc_now())


def same_content_row(outcome: VideoOutcome, existing: IndexRow) -> IndexRow:
    """A video whose content and options match a report the batch holds (the same file touched, or a copy)."""
    return existing.model_copy(update={
        "source": outcome.source, "size_bytes": outcome.size_bytes, "mtime_ns": outcome.mtime_ns,
        "elapsed_s": round(outcome.elapsed_s, 3), "finished_at": utc_now(),
    })
