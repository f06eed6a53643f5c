"""The tools. Each validates its arguments, calls the App, and shapes the result; no media work here.

The parameters' annotations are the tools' input schemas; the return types are their output schemas.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import anyio
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult
from pydantic import BaseModel, Field

from video_json_ai.batch.service import is_batch_source, run_app_batch
from video_json_ai.core.app import App
from video_json_ai.core.features import resolve_features
from video_json_ai.core.jobs import Job
from video_json_ai.core.redact import redact
from video_json_ai.core.roots import client_roots_scope
from video_json_ai.mcp.client_roots import ClientRoots
from video_json_ai.errors import VideoJsonError
from video_json_ai.mcp import apps, results
from video_json_ai.models.audio import AudioOptions
from video_json_ai.models.render import (
    PadStyle,
    RenderAspect,
    RenderFit,
    RenderFormat,
    RenderQuality,
    RenderResolution,
    TitlePosition,
)
from video_json_ai.models.report import Feature
from video_json_ai.models.requests import ExtractRequest, RenderRequest
from video_json_ai.models.scenes import SceneOptions
from video_json_ai.models.tools import (
    CreditsResult,
    ExportResult,
    ExtractResult,
    StateResult,
    ThumbnailResult,
    UploadResult,
)

WAIT_DEFAULT_S = 45.0
WaitSeconds = Annotated[
    float,
    Field(ge=0, le=600, description="Longest time to wait for the result, seconds. If the work takes longer, "
          "the call returns a job_id with status 'running'; poll get_state(job_id). Keep under 55 for Claude Desktop."),
]
Work = Callable[[Any, Any], Awaitable[BaseModel]]


class VideoTools:
    """The tool bodies, bound to one App. ``mcp/server.py`` registers them."""

    def __init__(self, app: App, client_roots: ClientRoots | None = None) -> None:
        self.app = app
        self.client_roots = client_roots or ClientRoots(app.config.allow_any_dir)

    async def _run(self, ctx: Context, kind: str, work: Work, wait_seconds: float, *,
                   video_id: str | None = None) -> Job:
        """Start ``work`` as a job within the client's roots, relay its progress to the client,
        wait at most ``wait_seconds``."""
        roots = await self.client_roots.for_request(ctx.session)

        async def scoped(p: Any, c: Any) -> BaseModel:
            with client_roots_scope(roots):
                return await work(p, c)

        job = self.app.jobs.start(kind, scoped, video_id=video_id)  # type: ignore[arg-type]

        async def relay(fraction: float, message: str) -> None:
            await ctx.report_progress(fraction, 1.0, redact(message))

        try:
            await self.app.jobs.wait(job, wait_seconds, relay)
        except BaseException:
            self.app.jobs.cancel(job.job_id)  # the client gave up on this request: stop the work too
            raise
        return job

    async def upload_video(
        self,
        source: Annotated[str, Field(min_length=1, max_length=4096,
                                     description="Path of a video file inside the folders this server may read "
                                     "(absolute is safest), or an http(s) URL. Formats: mp4, mov, avi, webm, mkv "
                                     "(also jpg/png/gif/webp, mp3/wav/m4a/aac). Max 500 MB.")],
        ctx: Context,
        wait_seconds: WaitSeconds = WAIT_DEFAULT_S,
    ) -> UploadResult:
        """Register a video so other tools can use it by video_id.

        Checks the file (allowed folder, supported format, 500 MB limit) or downloads the http(s) URL
        (public addresses only), reads its metadata and returns video_id, file name, size and a
        metadata summary. The same content always gets the same video_id. Local backend: free,
        about a second per 500 MB. Cloud backend: sends the file (or the URL).
        """
        async def work(p: Any, c: Any) -> UploadResult:
            return results.upload_result(await self.app.backend.upload(source, progress=p, cancel=c))

        try:
            job = await self._run(ctx, "upload", work, wait_seconds)
        except VideoJsonError as exc:
            raise ToolError(str(exc)) from exc
        return results.job_outcome(job, UploadResult)

    async def extract_json(
        self,
        ctx: Context,
        video_id: Annotated[str | None, Field(max_length=200, description="Id from upload_video.")] = None,
        source: Annotated[str | None, Field(max_length=4096, description="A file path or http(s) URL instead of video_id: uploads it first. "
                                            "A folder (or a .txt/.csv list of paths) runs a batch over its videos.")] = None,
        sources: Annotated[list[Annotated[str, Field(min_length=1, max_length=4096)]] | None,
                           Field(max_length=1000, description="Several videos, folders or lists, run as one batch job: "
                                 "the result is the batch index (a row per video), paged with cursor.")] = None,
        instructions: Annotated[str, Field(max_length=4000, description="What you want, in plain words (English or Chinese), "
                                           "e.g. 'scenes and metadata', '场景和音频'. Picks the features when 'features' is omitted.")] = "",
        features: Annotated[list[Feature] | None, Field(max_length=8, description="Parts of the report: metadata, scenes, keyframes, "
                                                        "audio, text, transcript, subtitles (the file's subtitle tracks), cues (black, colour bars, "
                                                        "freeze, test tone, end credits). Default: read from instructions, else "
                                                        "metadata+scenes+keyframes+audio+subtitles+cues.")] = None,
        wait_seconds: WaitSeconds = WAIT_DEFAULT_S,
        include_images: Annotated[bool, Field(description="Also return small keyframe images (needs 'keyframes').")] = False,
        max_images: Annotated[int, Field(ge=1, le=20, description="Most keyframe images returned.")] = 6,
        storyboard: Annotated[bool, Field(description="With scenes and keyframes: also return one storyboard image, "
                                          "up to 30 keyframes labelled '#index start' (about 1,500 tokens), on the first page.")] = True,
        cursor: Annotated[str | None, Field(max_length=100, description="next_cursor of a previous call: the next page of scenes.")] = None,
        page_size: Annotated[int, Field(ge=1, le=200, description="Scenes per page.")] = 50,
        sensitivity: Annotated[float, Field(ge=0, le=1, description="Shot detection: 0 only the clearest cuts, 1 every likely cut.")] = 0.5,
        min_scene_s: Annotated[float, Field(ge=0, le=60, description="Shortest scene reported, seconds.")] = 0.4,
        silence_db: Annotated[float, Field(ge=-120, le=0, description="Audio quieter than this (dBFS) counts as silence.")] = -50.0,
        silence_min_s: Annotated[float, Field(gt=0, le=600, description="Shortest silence reported, seconds.")] = 0.5,
        refresh: Annotated[bool, Field(description="Ignore the cached report and analyse again.")] = False,
        retry_failed: Annotated[bool, Field(description="Batch: analyse again the videos that failed before.")] = False,
    ) -> Annotated[CallToolResult, ExtractResult]:
        """Turn a video into structured JSON: metadata, scenes/shots with keyframes, audio, on-screen text, transcript.

        Local backend: free and offline; roughly real time or faster (a 2-minute 1080p video takes
        about 10-15 s). Results are cached: asking again is instant. Long videos return a job_id
        after wait_seconds; poll get_state(job_id). Scenes are paged (cursor/next_cursor); the full
        report is written to report_path (and as a page that opens offline, report_html_path); with
        keyframes, one storyboard image shows the whole video. A folder or a list of sources is one batch
        job over its videos (resumable: finished videos are skipped when asked again); its result is the
        index, paged. Cloud backend: the instructions go to the NemoVideo agent
        (video_id optional); asking for credits, status, an export or an upload runs that directly.
        """
        try:
            chosen = resolve_features(features, instructions)
            request = ExtractRequest(  # a cursor pages the report already made: never a fresh analysis per page
                video_id=video_id, source=source, instructions=instructions, features=chosen,
                refresh=refresh and not cursor,
                scene_options=SceneOptions(sensitivity=sensitivity, min_scene_s=min_scene_s),
                audio_options=AudioOptions(silence_threshold_db=silence_db, silence_min_s=silence_min_s),
            )
            if sources or (source and is_batch_source(source, self.app.config)):
                return await self._extract_batch(ctx, sources or [str(source)], request, retry_failed, cursor,
                                                 page_size, wait_seconds)

            async def work(p: Any, c: Any) -> ExtractResult:
                return results.extract_result(await self.app.backend.extract(request, progress=p, cancel=c))

            job = await self._run(ctx, "extract", work, wait_seconds, video_id=video_id)
            result = results.job_outcome(job, ExtractResult, video_id=video_id, features=chosen)
            if result.status == "running":
                return results.call_result(result, [])
            loaded = await anyio.to_thread.run_sync(self.app.with_report, result.model_copy(update={"job_id": job.job_id}))
            result = results.page_result(loaded, cursor, page_size)
        except VideoJsonError as exc:
            raise ToolError(str(exc)) from exc
        board = results.storyboard_content(result) if storyboard and cursor is None else []
        images = await anyio.to_thread.run_sync(results.keyframe_images, result, max_images) if include_images else []
        return results.call_result(result, [*board, *images], meta=apps.view_meta(ctx, result))

    async def keyframe_thumbnail(
        self,
        video_id: Annotated[str, Field(min_length=1, max_length=200, description="Id of an extracted video.")],
        scene: Annotated[int, Field(ge=0, le=1_000_000, description="0-based scene index.")],
        width: Annotated[int, Field(ge=64, le=640, description="Thumbnail width, pixels.")] = 240,
    ) -> Annotated[CallToolResult, ThumbnailResult]:
        """For the report view only: one scene's keyframe (newest report of the video) as a small JPEG."""
        try:
            path = self.app.keyframe_file(video_id, scene)
        except VideoJsonError as exc:
            raise ToolError(str(exc)) from exc
        return await anyio.to_thread.run_sync(results.thumbnail_result, video_id, scene, path, width)

    async def _extract_batch(self, ctx: Context, inputs: list[str], request: ExtractRequest, retry_failed: bool,
                             cursor: str | None, page_size: int, wait_seconds: float) -> CallToolResult:
        """A batch as one job; its result is one page of the index."""
        results.parse_cursor(cursor, results.VIDEOS_PREFIX)

        async def work(p: Any, c: Any) -> ExtractResult:
            summary, rows = await run_app_batch(self.app, inputs, request, retry_failed=retry_failed, progress=p, cancel=c)
            return results.batch_result(summary, rows, cursor, page_size, request.features)

        job = await self._run(ctx, "extract", work, wait_seconds)
        result = results.job_outcome(job, ExtractResult, features=request.features)
        return results.call_result(result.model_copy(update={"job_id": job.job_id}), [])

    async def get_state(
        self,
        job_id: Annotated[str | None, Field(max_length=100, description="A job id to follow; omit for the whole session.")] = None,
        cursor: Annotated[str | None, Field(max_length=100, description="A finished extraction's next_cursor: its next page of scenes.")] = None,
        page_size: Annotated[int, Field(ge=1, le=200, description="Scenes per page of a finished extraction.")] = 50,
    ) -> StateResult:
        """Without job_id: uploaded videos, the draft timeline, running and finished jobs, exports.
        With job_id: that job's status (running/completed/failed/cancelled/interrupted), progress 0..1, message,
        and its result or error; a finished extraction's scenes are paged like extract_json's. Instant and free."""
        try:
            if job_id:
                detail = self.app.job_detail(job_id)
                if isinstance(detail.result, ExtractResult):
                    loaded = await anyio.to_thread.run_sync(self.app.with_report, detail.result)
                    paged = results.page_result(loaded, cursor, page_size)
                    detail = detail.model_copy(update={"result": paged})
                return StateResult(backend=self.app.config.backend, job=detail)
            return StateResult(backend=self.app.config.backend, session=await self.app.session_state())
        except VideoJsonError as exc:
            raise ToolError(str(exc)) from exc

    async def check_credits(self) -> CreditsResult:
        """How many credits are left. Local backend: unlimited, everything runs on this machine.
        Cloud backend: available, frozen and total NemoVideo credits. Instant and free."""
        try:
            return await self.app.jobs.call(self.app.backend.credits())
        except VideoJsonError as exc:
            raise ToolError(str(exc)) from exc

    async def export_render(
        self,
        ctx: Context,
        video_id: Annotated[str | None, Field(max_length=200, description="Render this video only; omit for the whole timeline.")] = None,
        source: Annotated[str | None, Field(max_length=4096, description="A file path or http(s) URL instead of video_id: uploads it first, then renders it.")] = None,
        format: Annotated[RenderFormat, Field(description="mp4 (H.264+AAC), webm (VP9+Opus), gif, mp3 or wav.")] = "mp4",
        quality: Annotated[RenderQuality, Field(description="low, medium, high or max.")] = "high",
        resolution: Annotated[RenderResolution, Field(description="2160p, 1080p, 720p, 480p (met even above the source's, with a warning) or source (never upscaled).")] = "source",
        aspect: Annotated[RenderAspect, Field(description="16:9, 9:16, 1:1, 4:5 or source.")] = "source",
        fit: Annotated[RenderFit, Field(description="How to reach the aspect: pad (bars) or crop (centre).")] = "pad",
        pad_style: Annotated[PadStyle, Field(description="Bars when fit is pad: blur (the picture, blurred) or black.")] = "blur",
        upscale: Annotated[bool, Field(description="True: upscaling to a resolution above the source's is intended, so no warning.")] = False,
        start_s: Annotated[float | None, Field(ge=0, description="Trim: start, seconds.")] = None,
        end_s: Annotated[float | None, Field(gt=0, description="Trim: end, seconds.")] = None,
        scenes: Annotated[list[int] | None, Field(max_length=500, description="Scene indices (from extract_json) to keep, in order.")] = None,
        title: Annotated[str | None, Field(max_length=200, description="Text drawn over the first seconds.")] = None,
        title_position: Annotated[TitlePosition, Field(description="top, center or bottom.")] = "bottom",
        title_duration_s: Annotated[float, Field(gt=0, le=60, description="How long the title shows, seconds.")] = 3.0,
        output_path: Annotated[str | None, Field(max_length=4096, description="Where to write the file (inside an allowed folder). "
                                                 "Default: the output folder, named after the source and settings.")] = None,
        wait_seconds: WaitSeconds = WAIT_DEFAULT_S,
    ) -> ExportResult:
        """Render the timeline (all uploaded videos in order) or one video to a platform-ready file:
        MP4 (H.264+AAC), WebM, GIF, or MP3/WAV sound only; trims, scene selection (indices from
        extract_json's scenes: extract them first), resizing, 9:16/1:1/4:5 versions, a title. Free.
        Takes about as long as the video plays or less; long renders return a job_id after
        wait_seconds (poll get_state). Never overwrites an existing file; get_state lists exports."""
        try:
            request = RenderRequest(
                video_id=video_id, source=source, format=format, quality=quality, resolution=resolution, aspect=aspect, fit=fit,
                pad_style=pad_style, allow_upscale=upscale, start_s=start_s, end_s=end_s, scenes=scenes, title=title,
                title_position=title_position, title_duration_s=title_duration_s, output_path=output_path,
            )

            async def work(p: Any, c: Any) -> ExportResult:
                return results.export_result(await self.app.backend.export(request, progress=p, cancel=c))

            job = await self._run(ctx, "export", work, wait_seconds, video_id=video_id)
        except VideoJsonError as exc:
            raise ToolError(str(exc)) from exc
        return results.job_outcome(job, ExportResult)
