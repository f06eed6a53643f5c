"""The MCP server: registers the five tools. Tools validate and translate; the backend works."""

from __future__ import annotations

import base64
import inspect
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ToolError
from mcp.types import CallToolResult, ImageContent, TextContent, ToolAnnotations
from pydantic import Field

from video_json_ai import __version__
from video_json_ai.core.app import App
from video_json_ai.errors import VideoJsonError
from video_json_ai.core.features import resolve_features
from video_json_ai.core.jobs import Job
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
from video_json_ai.models.report import Feature, Report
from video_json_ai.models.requests import ExtractRequest, RenderRequest
from video_json_ai.models.scenes import SceneOptions
from video_json_ai.models.tools import (
    CreditsResult,
    ExportResult,
    ExtractResult,
    StateResult,
    UploadResult,
)
from video_json_ai.mcp.results import page_result

log = logging.getLogger(__name__)
ResultT = TypeVar("ResultT", UploadResult, ExtractResult, ExportResult)

WAIT_DEFAULT_S = 45.0
WaitSeconds = Annotated[
    float,
    Field(ge=0, le=600, description="Longest time to wait for the result, seconds. If the work takes longer, "
          "the call returns a job_id with status 'running'; poll get_state(job_id). Keep under 55 for Claude Desktop."),
]

INSTRUCTIONS = """\
Video JSON AI turns video files into structured JSON: metadata, scenes/shots with keyframes, audio
facts, on-screen text and speech. Typical flow: upload_video(path) -> extract_json(video_id,
instructions="scenes and metadata") -> export_render(...) for edits. Long work returns a job_id
after wait_seconds; poll get_state(job_id) until status is 'completed'."""


def _tool(server: MCPServer, **options: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a tool whose description is its docstring, without the indentation."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        server.add_tool(fn, description=inspect.cleandoc(fn.__doc__ or ""), **options)
        return fn

    return register


def _tool_error(exc: VideoJsonError) -> ToolError:
    return ToolError(str(exc))


def create_server(app: App | None = None) -> MCPServer:
    app = app or App()
    cloud = app.config.backend == "nemo"
    server = MCPServer(
        name="video-json-ai",
        title="Video JSON AI",
        version=__version__,
        instructions=INSTRUCTIONS,
    )

    async def run_job(
        ctx: Context,
        kind: str,
        work: Callable[..., Awaitable[Any]],
        wait_seconds: float,
        *,
        video_id: str | None = None,
    ) -> Job:
        job = app.jobs.start(kind, work, video_id=video_id)  # type: ignore[arg-type]

        async def relay(fraction: float, message: str) -> None:
            await ctx.report_progress(fraction, 1.0, message)

        try:
            await app.jobs.wait(job, wait_seconds, relay)
        except BaseException:
            # The client gave up on this request (cancelled it): stop the work too.
            app.jobs.cancel(job.job_id)
            raise
        return job

    def outcome(job: Job, running: type[ResultT], **fields: Any) -> ResultT:
        """The job's result when it completed, a tool error when it failed or was cancelled, else the
        'still running' answer of type ``running`` that tells the caller to poll get_state."""
        if job.status in ("failed", "cancelled"):
            raise ToolError(job.error or f"The job {job.status}.")
        if job.status == "completed":
            return job.result  # type: ignore[return-value]
        message = (f"Still working ({job.progress:.0%}: {job.message}). The work continues in the background: "
                   f"call get_state(job_id='{job.job_id}') to follow it and get the result.")
        return running(status="running", job_id=job.job_id, progress=job.progress, message=message, **fields)

    # -- upload_video ----------------------------------------------------------------------------
    @_tool(server,
        title="Upload a video",
        annotations=ToolAnnotations(title="Upload a video", readOnlyHint=False, destructiveHint=False,
                                    idempotentHint=True, openWorldHint=cloud),
    )
    async def upload_video(
        source: Annotated[str, Field(min_length=1, max_length=4096,
                                     description="Path of a local video file (absolute is safest). "
                                     "Formats: mp4, mov, avi, webm, mkv (also jpg/png/gif/webp, mp3/wav/m4a/aac). Max 500 MB.")],
        ctx: Context,
        wait_seconds: WaitSeconds = WAIT_DEFAULT_S,
    ) -> UploadResult:
        """Register a video so other tools can use it by video_id.

        Checks the file (allowed folder, supported format, 500 MB limit), reads its metadata and
        returns video_id, file name, size and a metadata summary. The same content always gets the
        same video_id. Local backend: free, about a second per 500 MB. Cloud backend: sends the file.
        """
        try:
            job = await run_job(ctx, "upload", lambda p, c: app.backend.upload(source, progress=p, cancel=c), wait_seconds)
        except VideoJsonError as exc:
            raise _tool_error(exc) from exc
        return outcome(job, UploadResult)

    # -- extract_json ----------------------------------------------------------------------------
    @_tool(server,
        title="Extract video JSON",
        annotations=ToolAnnotations(title="Extract video JSON", readOnlyHint=True, destructiveHint=False,
                                    idempotentHint=True, openWorldHint=cloud),
    )
    async def extract_json(
        ctx: Context,
        video_id: Annotated[str | None, Field(max_length=200, description="Id from upload_video.")] = None,
        source: Annotated[str | None, Field(max_length=4096, description="A file path instead of video_id: uploads it first.")] = None,
        instructions: Annotated[str, Field(max_length=4000, description="What you want, in plain words (English or Chinese), "
                                           "e.g. 'scenes and metadata', '场景和音频'. Picks the features when 'features' is omitted.")] = "",
        features: Annotated[list[Feature] | None, Field(max_length=6, description="Parts of the report: metadata, scenes, keyframes, "
                                                        "audio, text, transcript. Default: read from instructions, else metadata+scenes+keyframes+audio.")] = None,
        wait_seconds: WaitSeconds = WAIT_DEFAULT_S,
        include_images: Annotated[bool, Field(description="Also return small keyframe images (needs 'keyframes').")] = False,
        max_images: Annotated[int, Field(ge=1, le=20, description="Most keyframe images returned.")] = 6,
        cursor: Annotated[str | None, Field(max_length=100, description="next_cursor of a previous call: the next page of scenes.")] = None,
        page_size: Annotated[int, Field(ge=1, le=200, description="Scenes per page.")] = 50,
        sensitivity: Annotated[float, Field(ge=0, le=1, description="Shot detection: 0 only the clearest cuts, 1 every likely cut.")] = 0.5,
        min_scene_s: Annotated[float, Field(ge=0, le=60, description="Shortest scene reported, seconds.")] = 0.4,
        silence_db: Annotated[float, Field(ge=-120, le=0, description="Audio quieter than this (dBFS) counts as silence.")] = -50.0,
        silence_min_s: Annotated[float, Field(gt=0, le=600, description="Shortest silence reported, seconds.")] = 0.5,
        refresh: Annotated[bool, Field(description="Ignore the cached report and analyse again.")] = False,
    ) -> Annotated[CallToolResult, ExtractResult]:
        """Turn a video into structured JSON: metadata, scenes/shots with keyframes, audio, on-screen text, transcript.

        Local backend: free and offline; roughly real time or faster (a 2-minute 1080p video takes
        about 10-15 s). Results are cached: asking again is instant. Long videos return a job_id
        after wait_seconds; poll get_state(job_id). Scenes are paged (cursor/next_cursor); the full
        report is written to report_path. Cloud backend: the instructions go to the NemoVideo agent
        (video_id optional); asking for credits, status, an export or an upload runs that directly.
        """
        try:
            chosen = resolve_features(features, instructions)
            request = ExtractRequest(
                video_id=video_id, source=source, instructions=instructions, features=chosen, refresh=refresh,
                scene_options=SceneOptions(sensitivity=sensitivity, min_scene_s=min_scene_s),
                audio_options=AudioOptions(silence_threshold_db=silence_db, silence_min_s=silence_min_s),
            )
            if not video_id and not source and not cloud:  # cloud: the session holds the videos; text is routed
                raise VideoJsonError("No video given", "Pass video_id (from upload_video) or source (a file path).")
            job = await run_job(ctx, "extract", lambda p, c: app.backend.extract(request, progress=p, cancel=c),
                                wait_seconds, video_id=video_id)
            result = outcome(job, ExtractResult, video_id=video_id, features=chosen)
            if result.status == "running":
                return _call_result(result, [])
            result = page_result(result.model_copy(update={"job_id": job.job_id}), cursor, page_size)
        except VideoJsonError as exc:
            raise _tool_error(exc) from exc
        images = _keyframe_images(result, max_images) if include_images else []
        return _call_result(result, images)

    # -- get_state -------------------------------------------------------------------------------
    @_tool(server,
        title="Get session or job state",
        annotations=ToolAnnotations(title="Get session or job state", readOnlyHint=True, destructiveHint=False,
                                    idempotentHint=True, openWorldHint=cloud),
    )
    async def get_state(
        job_id: Annotated[str | None, Field(max_length=100, description="A job id to follow; omit for the whole session.")] = None,
    ) -> StateResult:
        """Without job_id: uploaded videos, the draft timeline, running and finished jobs, exports.
        With job_id: that job's status (running/completed/failed/cancelled), progress 0..1, message, and its
        result or error. Instant and free."""
        try:
            if job_id:
                detail = app.job_detail(job_id)
                if detail is None:
                    raise VideoJsonError(f"No job with id '{job_id}'", "Use a job_id returned by a tool, or call get_state() to list jobs.")
                return StateResult(backend=app.config.backend, job=detail)
            session = await app.jobs.call(app.backend.session_state())
            known = {j.job_id for j in app.jobs.jobs()}
            saved = [j for j in (app.job_detail(i["job_id"]) for i, _ in app.store.jobs(app.config.backend)) if j]
            live = [app.job_detail(j) for j in known]
            jobs = sorted([j for j in live if j] + [j for j in saved if j.job_id not in known],
                          key=lambda j: j.created_at, reverse=True)
            session.jobs = [j.model_copy(update={"result": None}) for j in jobs][:50]  # type: ignore[misc]
            return StateResult(backend=app.config.backend, session=session)
        except VideoJsonError as exc:
            raise _tool_error(exc) from exc

    # -- check_credits ---------------------------------------------------------------------------
    @_tool(server,
        title="Check credits",
        annotations=ToolAnnotations(title="Check credits", readOnlyHint=True, destructiveHint=False,
                                    idempotentHint=True, openWorldHint=cloud),
    )
    async def check_credits() -> CreditsResult:
        """How many credits are left. Local backend: unlimited, everything runs on this machine.
        Cloud backend: available, frozen and total NemoVideo credits. Instant and free."""
        try:
            return await app.jobs.call(app.backend.credits())
        except VideoJsonError as exc:
            raise _tool_error(exc) from exc

    # -- export_render ---------------------------------------------------------------------------
    @_tool(server,
        title="Render an MP4",
        annotations=ToolAnnotations(title="Render an MP4", readOnlyHint=False, destructiveHint=False,
                                    idempotentHint=False, openWorldHint=cloud),
    )
    async def export_render(
        ctx: Context,
        video_id: Annotated[str | None, Field(max_length=200, description="Render this video only; omit for the whole timeline.")] = None,
        format: Annotated[RenderFormat, Field(description="mp4 (H.264+AAC), webm (VP9+Opus), gif, mp3 or wav.")] = "mp4",
        quality: Annotated[RenderQuality, Field(description="low, medium, high or max.")] = "high",
        resolution: Annotated[RenderResolution, Field(description="2160p, 1080p, 720p, 480p or source (never upscaled unless upscale is true).")] = "source",
        aspect: Annotated[RenderAspect, Field(description="16:9, 9:16, 1:1, 4:5 or source.")] = "source",
        fit: Annotated[RenderFit, Field(description="How to reach the aspect: pad (bars) or crop (centre).")] = "pad",
        pad_style: Annotated[PadStyle, Field(description="Bars when fit is pad: blur (the picture, blurred) or black.")] = "blur",
        upscale: Annotated[bool, Field(description="Allow a resolution above the largest source's (off: never upscaled).")] = False,
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
                video_id=video_id, format=format, quality=quality, resolution=resolution, aspect=aspect, fit=fit,
                pad_style=pad_style, allow_upscale=upscale, start_s=start_s, end_s=end_s, scenes=scenes, title=title, title_position=title_position,
                title_duration_s=title_duration_s, output_path=output_path,
            )
            if start_s is not None and end_s is not None and end_s <= start_s:
                raise VideoJsonError(f"end_s ({end_s}) must be after start_s ({start_s})", "Pick an end time later than the start.")
            job = await run_job(ctx, "export", lambda p, c: _export(app, request, p, c), wait_seconds, video_id=video_id)
        except VideoJsonError as exc:
            raise _tool_error(exc) from exc
        return outcome(job, ExportResult)

    # -- resources: the full report and keyframes ------------------------------------------------
    def _report_for(video_id: str) -> Report:
        path = app.store.latest_report(video_id)
        if path is None:
            raise ResourceError(f"No report for '{video_id}' yet: call extract_json(video_id='{video_id}') first.")
        return Report.model_validate_json(path.read_text(encoding="utf-8"))

    @server.resource("video://{video_id}/report", name="report", mime_type="application/json",
                     description="The newest full extraction report of a video (all scenes, no paging).")
    def video_report(video_id: str) -> str:
        return _report_for(video_id).model_dump_json(indent=1)

    @server.resource("video://{video_id}/keyframes/{n}", name="keyframe", mime_type="image/jpeg",
                     description="The keyframe JPEG of scene n (0-based) of a video's newest report.")
    def video_keyframe(video_id: str, n: str) -> bytes:
        report = _report_for(video_id)
        scenes = report.scenes or []
        if not n.isdigit() or int(n) >= len(scenes):
            raise ResourceError(f"Scene {n} does not exist: the report has {len(scenes)} scenes (0-based).")
        kf = scenes[int(n)].keyframe
        if kf is None or not kf.path or not Path(kf.path).is_file():
            raise ResourceError(f"Scene {n} has no keyframe file: extract with the 'keyframes' feature.")
        return Path(kf.path).read_bytes()

    return server


async def _export(app: App, request: RenderRequest, progress: Any, cancel: Any) -> ExportResult:
    info = await app.backend.export(request, progress=progress, cancel=cancel)
    where = info.path or info.url
    return ExportResult(status="completed", progress=1.0, message=f"Rendered to {where}", export=info)


def _call_result(result: ExtractResult, images: list[ImageContent]) -> CallToolResult:
    text = TextContent(type="text", text=result.model_dump_json(exclude_none=True))
    return CallToolResult(content=[text, *images], structured_content=result.model_dump(mode="json"))


def _keyframe_images(result: ExtractResult, limit: int) -> list[ImageContent]:
    images: list[ImageContent] = []
    scenes = result.report.scenes if result.report and result.report.scenes else []
    for scene in scenes:
        if len(images) >= limit:
            break
        kf = scene.keyframe
        if kf is None or not kf.path or not Path(kf.path).is_file():
            continue
        data = base64.b64encode(_thumbnail(Path(kf.path))).decode("ascii")
        images.append(ImageContent(type="image", data=data, mime_type="image/jpeg"))
    return images


def _thumbnail(path: Path, width: int = 320) -> bytes:
    """A small JPEG of a keyframe (FFmpeg scales it), to keep tool results light."""
    import io

    import av

    with av.open(str(path)) as container:
        frame = next(container.decode(video=0))
    if frame.width > width:
        frame = frame.reformat(width=width, height=max(2, round(frame.height * width / frame.width / 2) * 2))
    buf = io.BytesIO()
    with av.open(buf, "w", format="mjpeg") as out:
        stream = out.add_stream("mjpeg", rate=1)
        stream.width, stream.height, stream.pix_fmt = frame.width, frame.height, "yuvj420p"
        for packet in stream.encode(frame.reformat(format="yuvj420p")):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buf.getvalue()
