"""The embedded backend: everything runs on this machine, offline, through engine/."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from pathlib import Path

import anyio

from video_json_ai.backends.base import video_entries
from video_json_ai.backends.local import sidecars
from video_json_ai.backends.local.extraction import cache_key, report_for
from video_json_ai.backends.local.render_plan import name_extra, plan_spans, to_segments
from video_json_ai.backends.outputs import output_target
from video_json_ai.config import Config
from video_json_ai.util.atomic import temp_beside, write_text_atomic
from video_json_ai.engine.process import run_in_worker
from video_json_ai.errors import InvalidInput, NotFound
from video_json_ai.models.metadata import MetadataSummary
from video_json_ai.models.render import ExportInfo, RenderOptions
from video_json_ai.models.report import Report, VideoRef
from video_json_ai.models.requests import ExtractRequest, RenderRequest
from video_json_ai.models.scenes import Scene
from video_json_ai.models.state import Segment, SessionState, Timeline, Track, VideoEntry
from video_json_ai.models.outcomes import Extraction, UploadInfo
from video_json_ai.models.tools import CreditsResult
from video_json_ai.util.progress import CancelToken, ProgressFn, no_progress, scaled
from video_json_ai.core.cache import prune_cache, report_bytes
from video_json_ai.core.sources import is_url
from video_json_ai.backends.local.videos import VideoFiles
from video_json_ai.core.store import Store

SESSION_KEY = "local.session_id"
SECONDS_PER_MEDIA_SECOND = {"text": 12.0, "transcript": 12.0}
"""Worker time allowed per second of media, beyond the base, for the slow features (the rest: 4)."""


def extraction_time_limit(duration_s: float, features: list[str]) -> float:
    """How long an extraction may run in its worker before it counts as hung: scaled to the media."""
    per_second = 4.0 + sum(SECONDS_PER_MEDIA_SECOND.get(f, 0.0) for f in features)
    return 120.0 + per_second * max(duration_s, 0.0)



def timeline_for(videos: list[VideoEntry]) -> Timeline:
    """One video track, one segment per uploaded video, back to back."""
    segments: list[Segment] = []
    position = 0.0
    for v in videos:
        duration = (v.summary.duration_s if v.summary else None) or 0.0
        segments.append(Segment(name=v.file_name, video_id=v.video_id, start_s=position,
                                end_s=position + duration, source_in_s=0.0))
        position += duration
    parts = [f"{s.name} ({s.start_s:g}-{s.end_s:.1f}s)" for s in segments]
    if segments:
        summary = f"Timeline (1 track, {position:.1f}s): 1. Video: " + ", ".join(parts)
    else:
        summary = "Timeline is empty: upload a video to start."
    return Timeline(summary=summary, duration_s=round(position, 3),
                    tracks=[Track(index=0, type="video", segments=segments)] if segments else [])


def generated_media_entry(export: ExportInfo) -> dict[str, object]:
    """A finished render as the draft's generated media (the shape the cloud draft lists)."""
    kind = "audio" if export.width is None else "video"
    return {
        "type": kind, "source": "export_render", "export_id": export.export_id, "path": export.path,
        "name": Path(export.path).name if export.path else None, "format": export.format,
        "duration_s": export.duration_s, "width": export.width, "height": export.height,
        "video_codec": export.video_codec, "audio_codec": export.audio_codec, "size_bytes": export.size_bytes,
        "source_video_ids": export.source_video_ids, "created_at": export.created_at,
    }


class LocalBackend:
    name = "local"

    def __init__(self, config: Config, store: Store) -> None:
        self.config = config
        self.store = store
        session = store.get_value(SESSION_KEY)
        if session is None:
            session = "local"
            store.set_value(SESSION_KEY, session)
        self.session_id = session
        self._rendering: set[Path] = set()
        """Final paths of renders still running (not on disk yet): two renders never pick one name."""
        self._rendering_lock = threading.Lock()
        self.files = VideoFiles(config, store, session)

    # -- upload -----------------------------------------------------------------------------
    async def upload(self, source: str, *, progress: ProgressFn, cancel: CancelToken) -> UploadInfo:
        return await anyio.to_thread.run_sync(self._upload_sync, source, progress, cancel)

    def _upload_sync(self, source: str, progress: ProgressFn, cancel: CancelToken) -> UploadInfo:
        if is_url(source):
            return self.files.register_url(source.strip(), progress, cancel)
        return self.files.register_file(source, progress, cancel)

    # -- extract ----------------------------------------------------------------------------
    async def extract(self, request: ExtractRequest, *, progress: ProgressFn, cancel: CancelToken) -> Extraction:
        video_id = request.video_id
        if request.source:
            uploaded = await self.upload(request.source, progress=scaled(progress, 0.0, 0.05), cancel=cancel)
            video_id = uploaded.video_id
        if not video_id:
            raise InvalidInput("No video given", "Pass video_id (from upload_video) or source (a file path or URL).")
        report, path = await anyio.to_thread.run_sync(self._extract_sync, video_id, request,
                                                      scaled(progress, 0.05, 1.0), cancel)
        warnings = list(report.warnings)
        try:
            html, board = await anyio.to_thread.run_sync(sidecars.write_sidecars, report, path)
        except OSError as exc:  # the report itself is there: only the extras are missing
            html = board = None
            warnings.append(f"the report's page and storyboard were not written beside it ({exc})")
        return Extraction(
            message="extraction complete", video_id=video_id,
            features=report.features, report=report, report_path=str(path), warnings=warnings,
            report_html_path=str(html) if html else None, storyboard_path=str(board) if board else None,
        )

    def cache_key(self, sha256: str, request: ExtractRequest) -> str:
        return cache_key(sha256, request)

    def _extract_sync(self, video_id: str, request: ExtractRequest, progress: ProgressFn,
                      cancel: CancelToken) -> tuple[Report, Path]:
        """The report of the video's content: from the cache when the same content was analysed
        with the same settings, else made in a worker from a file whose identity was checked."""
        row, source, ident = self.files.locate(video_id, scaled(progress, 0.0, 0.05), cancel)
        key = self.cache_key(row["sha256"], request)
        cached = None if request.refresh else self.store.report_path(key)
        if cached is not None:
            progress(1.0, "cached report")
            return Report.model_validate_json(cached.read_text(encoding="utf-8")), cached
        out_dir = self.config.output_dir / row["video_id"]
        video = VideoRef(video_id=row["video_id"], file_name=row["file_name"], path=str(source),
                         size_bytes=ident.size, sha256=row["sha256"])
        keyframes_dir = out_dir / f"keyframes-{key[:8]}" if "keyframes" in request.features else None
        duration = float((row.get("summary") or {}).get("duration_s") or 0.0)
        report = run_in_worker(
            report_for,
            {"path": source, "video": video, "request": request, "keyframes_dir": keyframes_dir},
            progress=scaled(progress, 0.05, 1.0), cancel=cancel, what=f"the extraction of '{row['file_name']}'",
            timeout_s=extraction_time_limit(duration, request.features),
        )
        self.files.still_same(source, ident)
        path = out_dir / f"report-{key[:8]}.json"
        write_text_atomic(path, report.model_dump_json(indent=2))
        self.store.put_report(key, row["video_id"], path, has_scenes=report.scenes is not None,
                              size_bytes=report_bytes(path))
        prune_cache(self.store, self.files.downloads, self.config.cache_mb)
        return report, path

    def record(self, video: VideoRef, summary: MetadataSummary | None, key: str, report_path: Path, *,
               has_scenes: bool) -> None:
        """Register a video and a report made elsewhere (a batch): extract_json(video_id) and the
        resources then find them."""
        self.store.add_video(self.session_id, {
            "video_id": video.video_id, "file_name": video.file_name, "path": video.path,
            "size_bytes": video.size_bytes, "sha256": video.sha256,
            "summary": summary.model_dump(mode="json") if summary else None})
        self.store.put_report(key, video.video_id, report_path, has_scenes=has_scenes)

    # -- state, credits ---------------------------------------------------------------------
    def _report_files(self, video_id: str) -> dict[str, str | None]:
        """The newest report of a video and the page and storyboard beside it."""
        report = self.store.latest_report(video_id)
        html, board = sidecars.existing(report) if report else (None, None)
        return {"report_path": str(report) if report else None, "report_html_path": str(html) if html else None,
                "storyboard_path": str(board) if board else None}

    async def session_state(self) -> SessionState:
        videos = [v.model_copy(update=self._report_files(v.video_id))
                  for v in video_entries(self.store.videos(self.session_id))]
        exports = [ExportInfo.model_validate(e) for e in self.store.exports(self.session_id)]
        return SessionState(
            backend=self.name,
            session_id=self.session_id,
            videos=videos,
            timeline=timeline_for(videos),
            exports=exports,
            generated_media=[generated_media_entry(e) for e in exports],
        )

    async def credits(self) -> CreditsResult:
        return CreditsResult(
            backend=self.name,
            unlimited=True,
            message="Credits are unlimited: the local backend does all the work on this machine, offline, at no cost.",
        )

    # -- export -----------------------------------------------------------------------------
    async def export(self, request: RenderRequest, *, progress: ProgressFn, cancel: CancelToken) -> ExportInfo:
        if request.source:
            uploaded = await self.upload(request.source, progress=scaled(progress, 0.0, 0.05), cancel=cancel)
            request = request.model_copy(update={"video_id": uploaded.video_id, "source": None})
            progress = scaled(progress, 0.05, 1.0)
        work = asyncio.ensure_future(anyio.to_thread.run_sync(self._export_sync, request, progress, cancel))
        try:
            return await asyncio.shield(work)
        except asyncio.CancelledError:
            # Stop the worker and wait until it is gone and its temporary file deleted, so a job
            # that reads 'cancelled' has left nothing behind.
            cancel.cancel()
            with contextlib.suppress(BaseException):
                await work
            raise

    def _live_rows(self, video_id: str | None, cancel: CancelToken) -> list[dict]:
        """The session's videos, those to render with a path that holds their content now (None: gone)."""
        rows = self.store.videos(self.session_id)
        for row in rows:
            if video_id is None or row["video_id"] == video_id:
                try:
                    row["path"] = str(self.files.locate(row["video_id"], no_progress, cancel)[1])
                except NotFound:
                    row["path"] = None
        return rows

    def _scenes_of(self, video_id: str) -> list[Scene] | None:
        path = self.store.latest_report(video_id, with_scenes=True)
        return Report.model_validate_json(path.read_text(encoding="utf-8")).scenes if path else None

    def _export_sync(self, request: RenderRequest, progress: ProgressFn, cancel: CancelToken) -> ExportInfo:
        from video_json_ai.engine.render.output import default_output_name
        from video_json_ai.engine.render.renderer import render

        spans = plan_spans(request, self._live_rows(request.video_id, cancel), self._scenes_of)
        options = RenderOptions(
            format=request.format, quality=request.quality, resolution=request.resolution, aspect=request.aspect,
            fit=request.fit, pad_style=request.pad_style, allow_upscale=request.allow_upscale, title=request.title,
            title_position=request.title_position, title_duration_s=request.title_duration_s,
        )
        first = Path(spans[0].path).stem if len({s.video_id for s in spans}) == 1 else "timeline"
        name = default_output_name(first, options, name_extra(request))
        with self._rendering_lock:
            target = output_target(request.output_path, request.format, self.config, name, busy=self._rendering)
            self._rendering.add(target)
        temp = temp_beside(target)
        try:
            info = run_in_worker(
                render,
                {"segments": to_segments(spans), "options": options, "output_path": target, "temp_path": temp},
                progress=progress, cancel=cancel, what=f"the render of '{target.name}'",
                timeout_s=120.0 + 8.0 * sum(s.duration_s for s in spans),
            )
        finally:
            temp.unlink(missing_ok=True)  # a killed or crashed worker cannot remove its own
            with self._rendering_lock:
                self._rendering.discard(target)
        info = info.model_copy(update={
            "source_video_ids": list(dict.fromkeys(s.video_id for s in spans)),
            "settings": request.model_dump(mode="json", exclude_none=True, exclude={"download"}),
        })
        self.store.add_export(self.session_id, info.export_id, info.model_dump(mode="json"))
        return info

    async def aclose(self) -> None:
        return None
