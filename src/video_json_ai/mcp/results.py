"""Shaping tool results: domain outcomes to tool models, scenes a page at a time, images beside the JSON."""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any, TypeVar

from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, ImageContent, TextContent

from video_json_ai.core.jobs import Job
from video_json_ai.errors import InvalidInput
from video_json_ai.models.batch import BatchSummary, IndexRow
from video_json_ai.models.outcomes import Extraction, UploadInfo
from video_json_ai.models.render import ExportInfo
from video_json_ai.models.report import Feature, Report
from video_json_ai.models.tools import ExportResult, ExtractResult, ThumbnailResult, UploadResult

CURSOR_PREFIX = "scenes:"
VIDEOS_PREFIX = "videos:"
ResultT = TypeVar("ResultT", UploadResult, ExtractResult, ExportResult)


def upload_result(info: UploadInfo) -> UploadResult:
    return UploadResult(status="completed", progress=1.0, **info.model_dump())


def extract_result(extraction: Extraction) -> ExtractResult:
    """The job's result: a report written to ``report_path`` is referred to, not copied (it is read
    back a page at a time, core/app.with_report)."""
    report = None if extraction.report_path else extraction.report
    total = len(extraction.report.scenes) if extraction.report and extraction.report.scenes is not None else None
    return ExtractResult(status="completed", progress=1.0, **extraction.model_dump(exclude={"report"}),
                         report=report, scenes_total=total)


def export_result(info: ExportInfo) -> ExportResult:
    message = f"Rendered to {info.path or info.url}"
    if info.warnings:
        message += f" ({len(info.warnings)} warning{'s' * (len(info.warnings) > 1)}: {' '.join(info.warnings)})"
    return ExportResult(status="completed", progress=1.0, message=message, export=info)


def job_outcome(job: Job, running: type[ResultT], **fields: Any) -> ResultT:
    """The job's result when it completed, a tool error when it failed or was cancelled, else the
    'still running' answer of type ``running`` that tells the caller to poll get_state."""
    if job.status in ("failed", "cancelled", "interrupted"):
        raise ToolError(job.error or f"The job {job.status}.")
    if job.status == "completed":
        return job.result  # type: ignore[return-value]
    message = (f"Still working ({job.progress:.0%}: {job.message}). The work continues in the background: "
               f"call get_state(job_id='{job.job_id}') to follow it and get the result.")
    return running(status="running", job_id=job.job_id, progress=job.progress, message=message, **fields)


def parse_cursor(cursor: str | None, prefix: str = CURSOR_PREFIX) -> int:
    if not cursor:
        return 0
    if not cursor.startswith(prefix) or not cursor[len(prefix):].isdigit():
        raise InvalidInput(f"'{cursor}' is not a cursor this server made", "Pass next_cursor exactly as a previous call returned it.")
    return int(cursor[len(prefix):])


SUBTITLE_CUES_IN_RESULT = 100
"""Cues per subtitle track in a tool result (a film's tracks hold thousands): the rest are in the report file."""


def _short_subtitles(report: Report) -> Report:
    if not report.subtitles or all(len(t.cues) <= SUBTITLE_CUES_IN_RESULT for t in report.subtitles):
        return report
    tracks = [t if len(t.cues) <= SUBTITLE_CUES_IN_RESULT else t.model_copy(update={
        "cues": t.cues[:SUBTITLE_CUES_IN_RESULT],
        "note": f"the first {SUBTITLE_CUES_IN_RESULT} of {len(t.cues)} cues; all of them are in the report file "
                f"(report_path, or the resource video://{report.video.video_id}/report)"}) for t in report.subtitles]
    return report.model_copy(update={"subtitles": tracks})


def page_result(result: ExtractResult, cursor: str | None, page_size: int) -> ExtractResult:
    """The result with one page of scenes; ``next_cursor`` when more remain. Long subtitle tracks
    are cut to their first cues (the report file has them all)."""
    if result.report is not None and result.report.subtitles:
        result = result.model_copy(update={"report": _short_subtitles(result.report)})
    report = result.report
    if report is None or report.scenes is None:
        return result
    offset = parse_cursor(cursor)
    total = len(report.scenes)
    if offset > total:
        raise InvalidInput(f"Cursor offset {offset} is past the last scene ({total})", "Start again without a cursor.")
    page = report.scenes[offset : offset + page_size]
    end = offset + len(page)
    return result.model_copy(update={
        "report": report.model_copy(update={"scenes": page}),
        "scenes_total": total,
        "next_cursor": f"{CURSOR_PREFIX}{end}" if end < total else None,
    })


def batch_result(summary: BatchSummary, rows: list[IndexRow], cursor: str | None, page_size: int,
                 features: list[Feature]) -> ExtractResult:
    """A finished batch: its summary and one page of its index rows; ``next_cursor`` when more remain."""
    offset = parse_cursor(cursor, VIDEOS_PREFIX)
    if offset > len(rows):
        raise InvalidInput(f"Cursor offset {offset} is past the last video ({len(rows)})", "Start again without a cursor.")
    page = rows[offset : offset + page_size]
    end = offset + len(page)
    s = summary
    message = (f"Batch of {s.total} videos: {s.done} done, {s.skipped} skipped, {s.failed} failed"
               + (f", {s.failed_earlier} failed before (retry_failed runs them again)" if s.failed_earlier else "")
               + f". Reports in {s.out_dir}; index in {s.index_path}.")
    return ExtractResult(status="completed", progress=1.0, message=message, features=features, batch=summary,
                         videos=page, videos_total=len(rows),
                         next_cursor=f"{VIDEOS_PREFIX}{end}" if end < len(rows) else None)


def call_result(result: ExtractResult, extra: list[TextContent | ImageContent],
                meta: dict[str, Any] | None = None) -> CallToolResult:
    """The result as JSON text and structured content, then ``extra`` (storyboard, keyframe images)."""
    text = TextContent(type="text", text=result.model_dump_json(exclude_none=True))
    return CallToolResult(content=[text, *extra], structured_content=result.model_dump(mode="json"), meta=meta)


def storyboard_content(result: ExtractResult) -> list[TextContent | ImageContent]:
    """The storyboard written beside the report, as a caption and an image (nothing when there is none)."""
    if not result.storyboard_path or not Path(result.storyboard_path).is_file():
        return []
    from video_json_ai.engine.storyboard import MAX_TILES, caption

    total = result.scenes_total or 0
    data = base64.b64encode(Path(result.storyboard_path).read_bytes()).decode("ascii")
    return [TextContent(type="text", text=caption(min(total, MAX_TILES), total)),
            ImageContent(type="image", data=data, mime_type="image/jpeg")]


def thumbnail_result(video_id: str, scene: int, path: Path, width: int) -> CallToolResult:
    """One keyframe as a small JPEG (blocking: run off the event loop)."""
    from PIL import Image

    from video_json_ai.engine.media import thumbnail

    jpeg = thumbnail(path, width)
    with Image.open(io.BytesIO(jpeg)) as picture:
        size = picture.size
    info = ThumbnailResult(video_id=video_id, scene=scene, width=size[0], height=size[1])
    return CallToolResult(content=[ImageContent(type="image", data=base64.b64encode(jpeg).decode("ascii"), mime_type="image/jpeg")],
                          structured_content=info.model_dump(mode="json"))


def keyframe_images(result: ExtractResult, limit: int) -> list[ImageContent]:
    """Small JPEGs of the first ``limit`` keyframes of the page (blocking: run off the event loop)."""
    from video_json_ai.engine.media import thumbnail  # the engine (PyAV, Pillow) is loaded only when images are asked for

    images: list[ImageContent] = []
    scenes = result.report.scenes if result.report and result.report.scenes else []
    for scene in scenes:
        if len(images) >= limit:
            break
        kf = scene.keyframe
        if kf is None or not kf.path or not Path(kf.path).is_file():
            continue
        data = base64.b64encode(thumbnail(Path(kf.path))).decode("ascii")
        images.append(ImageContent(type="image", data=data, mime_type="image/jpeg"))
    return images
