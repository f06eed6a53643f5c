"""``NemoBackend``: the Backend protocol over the NemoVideo cloud API."""

from __future__ import annotations

import logging
import time
import uuid
from pathlib import Path

import anyio
import httpx

from video_json_ai.backends.base import video_entries
from video_json_ai.backends.nemo.answer import compose_message, creep, find_json
from video_json_ai.backends.nemo.api import (
    Balance,
    CloudState,
    RenderJob,
    RenderOutput,
    RenderRequestBody,
    UrlUploadRequest,
    bind_id_of,
    file_id,
    state_of,
    unwrap,
    uploaded_files,
)
from video_json_ai.backends.nemo.auth import BIND_KEY, Credentials
from video_json_ai.backends.nemo.conversation import Agent, extract_message
from video_json_ai.backends.nemo.client import DEFAULT_BASE, DEFAULT_REGISTER_URL, ClientSettings, NemoClient
from video_json_ai.backends.nemo.draft import changes_between, timeline_from_draft
from video_json_ai.backends.nemo.errors import CloudError
from video_json_ai.backends.nemo.multipart import FileBody
from video_json_ai.backends.nemo.routing import Action, file_in_text, is_chinese, route
from video_json_ai.backends.nemo.wording import translate
from video_json_ai.config import Config
from video_json_ai.errors import InvalidInput
from video_json_ai.models.render import ExportInfo
from video_json_ai.models.requests import ExtractRequest, RenderRequest
from video_json_ai.models.state import SessionState
from video_json_ai.models.outcomes import Extraction, UploadInfo
from video_json_ai.models.tools import CloudAnswer, CreditsResult
from video_json_ai.util.progress import CancelToken, ProgressFn, scaled
from video_json_ai.backends.outputs import output_target
from video_json_ai.core.sources import check_local_video, is_url
from video_json_ai.core.store import Store
from video_json_ai.util.time import utc_now

log = logging.getLogger(__name__)

STATE_PATH = "/api/state/nemo_agent/me/{sid}/latest"
UPLOAD_PATH = "/api/upload-video/nemo_agent/me/{sid}"
CREDITS_PATH = "/api/credits/balance/simple"
RENDER_PATH = "/api/render/proxy/lambda"
DONE_STATUSES = ("completed", "complete", "succeeded", "success", "done", "finished")
FAILED_STATUSES = ("failed", "error", "cancelled", "canceled", "timeout")
RENDER_DEFAULTS = {"resolution": "source", "aspect": "source", "fit": "pad", "pad_style": "blur", "allow_upscale": False,
                   "start_s": None, "end_s": None, "scenes": None, "title": None, "video_id": None}
"""Render options the cloud does not take (it renders the session's draft as it is)."""
RENDER_OUTPUT = RenderOutput(format="mp4", quality="high")
"""The spec's render output, sent exactly: the cloud renders H.264 MP4 at "high" quality."""
UPLOAD_READ_TIMEOUT_S = 600.0
"""How long the service may take to answer once a (large) upload has been sent."""


ROUTED_TOOL: dict[str, str] = {"credits": "as check_credits", "state": "as get_state", "export": "as export_render",
                               "upload": "as upload_video"}


def _seconds(env: dict[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if value < 0:
        raise InvalidInput(f"{name}='{raw}' is not a number of seconds", f"Set {name} to a number ≥ 0 (default {default:g}).")
    return value


class NemoBackend:
    name = "nemo"

    def __init__(self, config: Config, store: Store) -> None:
        env = config.env
        self.config = config
        self.store = store
        self.creds = Credentials(store, env.get("NEMO_TOKEN"))
        base = (env.get("NEMO_API_BASE") or DEFAULT_BASE).strip().rstrip("/")
        if not is_url(base):
            raise InvalidInput(f"NEMO_API_BASE='{base}' is not an http(s) URL", f"Unset it or set it to e.g. {DEFAULT_BASE}.")
        self.client = NemoClient(
            ClientSettings(
                base=base,
                retry_wait_s=_seconds(env, "NEMO_RETRY_WAIT_S", 30.0),
                backoff_s=_seconds(env, "NEMO_RETRY_BACKOFF_S", 1.0),
                sse_read_timeout_s=_seconds(env, "NEMO_SSE_TIMEOUT_S", 15 * 60.0),
                language=(env.get("NEMO_LANGUAGE") or "en").strip() or "en",
                register_url=(env.get("NEMO_REGISTER_URL") or DEFAULT_REGISTER_URL).strip(),
            ),
            self.creds,
        )
        self.poll_s = _seconds(env, "NEMO_RENDER_POLL_S", 30.0)
        self.render_timeout_s = _seconds(env, "NEMO_RENDER_TIMEOUT_S", 30 * 60.0)
        self.agent = Agent(self.client, self.creds, min(_seconds(env, "NEMO_STILL_WORKING_S", 60.0), 120.0) or 60.0)

    # -- helpers ----------------------------------------------------------------------------------
    def _store_session(self) -> str:
        """Videos and exports are kept per cloud session."""
        return f"nemo:{self.creds.session_id() or '-'}"

    async def _cloud_state(self) -> CloudState:
        _, body = await self.client.call("GET", "read the session state", idempotent=True, needs_session=True,
                                         path=lambda sid: STATE_PATH.format(sid=sid))
        bind = bind_id_of(unwrap(body))
        if bind:
            self.store.set_value(BIND_KEY, bind)
        return state_of(body)

    # -- upload -----------------------------------------------------------------------------------
    async def upload(self, source: str, *, progress: ProgressFn, cancel: CancelToken) -> UploadInfo:
        source = (source or "").strip()
        await self.client.session_id()
        if is_url(source):
            progress(0.0, "sending the URL to NemoVideo")
            _, body = await self.client.call(
                "POST", "upload the video URL", needs_session=True,
                path=lambda sid: UPLOAD_PATH.format(sid=sid),
                json=lambda _: UrlUploadRequest(urls=[source]).model_dump())
            name, size, local = source.rstrip("/").rsplit("/", 1)[-1].split("?")[0] or source, None, None
        else:
            path = check_local_video(source, self.config)
            progress(0.0, f"uploading {path.name}")
            upload_progress = scaled(progress, 0.0, 0.95)

            def body() -> tuple[FileBody, dict[str, str]]:
                file_body = FileBody(path, field="files", progress=upload_progress, cancel=cancel)
                return file_body, file_body.headers

            _, body_json = await self.client.call("POST", f"upload {path.name}", needs_session=True,
                                                  path=lambda sid: UPLOAD_PATH.format(sid=sid), content=body,
                                                  timeout=httpx.Timeout(UPLOAD_READ_TIMEOUT_S,
                                                                        connect=self.client.settings.connect_timeout_s))
            body = body_json
            name, size, local = path.name, path.stat().st_size, str(path)
        files = uploaded_files(body)
        entry = files[0] if files else {}
        video_id = file_id(entry) or f"nemo_{uuid.uuid4().hex[:12]}"
        is_new = self.store.add_video(self._store_session(),
                                      {"video_id": video_id, "file_name": name, "path": local, "size_bytes": size})
        progress(1.0, "uploaded")
        return UploadInfo(
            video_id=video_id, file_name=name, size_bytes=size, path=local, backend=self.name,
            already_uploaded=not is_new,
            message=f"Uploaded {name} to NemoVideo as {video_id} (session {self.creds.session_id()}).",
        )

    # -- extract ----------------------------------------------------------------------------------
    async def extract(self, request: ExtractRequest, *, progress: ProgressFn, cancel: CancelToken) -> Extraction:
        """The instructions, routed as the spec's table says: credits / state / export / upload run
        directly (nothing is sent to the agent); anything else is sent to the agent over SSE."""
        action = route(request.instructions)
        if action != "message":
            return await self._routed(action, request, progress=progress, cancel=cancel)
        video_id = request.video_id
        if request.source:
            uploaded = await self.upload(request.source, progress=scaled(progress, 0.0, 0.1), cancel=cancel)
            video_id = uploaded.video_id
        await self.client.session_id(language="zh" if is_chinese(request.instructions) else None)
        row = self.store.video(self._store_session(), video_id) if video_id else None
        video = f"{row['file_name']} (id {video_id})" if row else (f"id {video_id}" if video_id else None)
        text = compose_message(request.instructions, list(request.features), video)
        progress(0.1, "reading the timeline")
        before = timeline_from_draft((await self._cloud_state()).draft)
        cancel.raise_if_cancelled()
        conversation = await self.agent.converse(text, scaled(progress, 0.1, 0.9), cancel)
        progress(0.92, "reading the session state")
        warnings: list[str] = []
        try:
            state = await self._cloud_state()
        except CloudError as exc:
            if not conversation.collector.text:
                raise
            warnings.append(f"The session state could not be read afterwards: {exc}")
            state = None
        after = timeline_from_draft(state.draft) if state else None
        changes = changes_between(before, after) if after else []
        answer = translate(conversation.collector.text)
        message = extract_message(answer, conversation, after, changes, warnings)
        progress(1.0, "done")
        return Extraction(
            message=message, video_id=video_id, features=list(request.features),
            cloud=CloudAnswer(
                text=answer or message, data=find_json(answer) if answer else None,
                video_infos=state.video_infos if state else None,
                timeline_summary=after.summary if after else None,
                state_changed=bool(changes) if after else None, changes=changes,
            ),
            warnings=warnings,
        )

    async def _routed(self, action: Action, request: ExtractRequest, *, progress: ProgressFn,
                      cancel: CancelToken) -> Extraction:
        """Do what the routing table sends ``action`` to, and say so in the result."""
        video_id = request.video_id
        source = request.source or (file_in_text(request.instructions) if action == "upload" else None)
        if action == "upload" and not source:
            raise InvalidInput("The instructions ask for an upload but name no file",
                               "Pass source=<file path or http(s) URL> (or call upload_video), then ask for the edit.")
        if source:
            last = action == "upload"
            uploaded = await self.upload(source, progress=scaled(progress, 0.0, 1.0 if last else 0.1), cancel=cancel)
            video_id = uploaded.video_id
            text, data = uploaded.message, uploaded.model_dump(mode="json", exclude_none=True)
        if action == "credits":
            credits = await self.credits()
            text, data = credits.message, credits.model_dump(mode="json", exclude_none=True)
        elif action == "state":
            state = await self.session_state()
            text = state.timeline.summary
            data = {"session_id": state.session_id, "timeline": state.timeline.model_dump(mode="json"),
                    "videos": [v.model_dump(mode="json", exclude_none=True) for v in state.videos]}
        elif action == "export":
            info = await self.export(RenderRequest(), progress=scaled(progress, 0.1 if source else 0.0, 1.0),
                                     cancel=cancel)
            text = f"Rendered the session's timeline to {info.path or info.url}."
            data = info.model_dump(mode="json", exclude_none=True)
        progress(1.0, "done")
        note = f"Handled as '{action}' ({ROUTED_TOOL[action]}): nothing was sent to the agent."
        return Extraction(
            message=f"{text} {note}", video_id=video_id, features=[],
            cloud=CloudAnswer(text=text, data={"action": action, **data}),
        )

    # -- state, credits -------------------------------------------------------------------------
    async def session_state(self) -> SessionState:
        if self.creds.session_id() is None:
            return SessionState(backend=self.name, session_id=None, timeline=timeline_from_draft(None))
        state = await self._cloud_state()
        return SessionState(
            backend=self.name,
            session_id=self.creds.session_id(),
            videos=video_entries(self.store.videos(self._store_session())),
            timeline=timeline_from_draft(state.draft),
            exports=[ExportInfo.model_validate(e) for e in self.store.exports(self._store_session())],
            video_infos=state.video_infos,
            generated_media=state.generated_media,
        )

    async def credits(self) -> CreditsResult:
        _, body = await self.client.call("GET", "read the credit balance", idempotent=True, path=lambda _: CREDITS_PATH)
        data = unwrap(body)
        balance = Balance.model_validate(data if isinstance(data, dict) else {})
        total = balance.total if balance.total is not None else balance.available + balance.frozen
        who = ("an anonymous token (100 free credits, valid 7 days)" if self.creds.anonymous
               else "your NemoVideo account (NEMO_TOKEN)")
        return CreditsResult(
            backend=self.name, unlimited=False, available=balance.available, frozen=balance.frozen, total=total,
            message=(f"{balance.available:g} credits available, {balance.frozen:g} frozen by running work, "
                     f"{total:g} in total, on {who}. Exports are free."),
        )

    # -- export -----------------------------------------------------------------------------------
    def _check_render(self, request: RenderRequest) -> None:
        if request.format != "mp4":
            raise InvalidInput(f"The cloud renders MP4 only, not {request.format}",
                               "Use format='mp4', or the local backend for other formats.")
        unsupported = [k for k, v in RENDER_DEFAULTS.items() if getattr(request, k, v) != v]
        if request.quality not in ("high", "max"):
            unsupported.insert(0, "quality")
        if unsupported:
            raise InvalidInput(
                f"The cloud render takes the session's timeline as it is; {', '.join(unsupported)} cannot be set here",
                "Describe the change (trim, resize, title, which video) in extract_json instructions first, "
                "then call export_render without these options.")

    def _destination(self, request: RenderRequest, render_id: str) -> Path:
        return output_target(request.output_path, "mp4", self.config, render_id, folder=self.config.output_dir)

    async def export(self, request: RenderRequest, *, progress: ProgressFn, cancel: CancelToken) -> ExportInfo:
        self._check_render(request)
        render_id = f"render_{int(time.time() * 1000)}"
        dest = self._destination(request, render_id) if request.download else None
        progress(0.0, "reading the session's draft")
        draft = (await self._cloud_state()).draft
        if not draft or not timeline_from_draft(draft).tracks:
            raise InvalidInput("Nothing to render: the session's timeline is empty",
                               "Upload a video and ask for an edit with extract_json first, then export.")
        output = RENDER_OUTPUT
        progress(0.02, "starting the render")
        _, body = await self.client.call(
            "POST", "start the render", needs_session=True, path=lambda _: RENDER_PATH,
            json=lambda sid: RenderRequestBody(id=render_id, session_id=sid or "", draft=draft,
                                               output=output).model_dump(by_alias=True))
        job = RenderJob.model_validate(unwrap(body) if isinstance(unwrap(body), dict) else {})
        url = await self._poll_render(render_id, job, scaled(progress, 0.05, 0.9 if dest else 1.0), cancel)
        url = str(httpx.URL(self.client.base).join(url))
        size = None
        if dest is not None:
            size = await self.client.download(url, dest, progress=scaled(progress, 0.9, 1.0), cancel=cancel)
        info = ExportInfo(
            export_id=render_id, path=str(dest) if dest else None, url=url, format="mp4", size_bytes=size,
            video_codec="h264", created_at=utc_now(),
            settings={"quality": output.quality, "session_id": self.creds.session_id(), "backend": self.name},
        )
        self.store.add_export(self._store_session(), render_id, info.model_dump(mode="json"))
        progress(1.0, "rendered")
        return info

    async def _poll_render(self, render_id: str, job: RenderJob, progress: ProgressFn, cancel: CancelToken) -> str:
        started = time.monotonic()
        while True:
            status = job.status.lower()
            if status in DONE_STATUSES and job.output and job.output.url:
                return job.output.url
            if status in FAILED_STATUSES:
                raise CloudError(f"NemoVideo could not render the video (render {render_id}: {status})",
                                 "Check the timeline with get_state, then export again.")
            elapsed = time.monotonic() - started
            if elapsed > self.render_timeout_s:
                raise CloudError(f"The render {render_id} did not finish within {self.render_timeout_s:.0f} s",
                                 "Export again later; renders usually take 30-90 s.")
            fraction = job.progress if job.progress is not None else None
            if fraction is not None and fraction > 1:
                fraction /= 100
            progress(fraction if fraction is not None else creep(elapsed, 0.0, 0.95, 60.0),
                     f"rendering ({status}, {elapsed:.0f} s)")
            await self._sleep(self.poll_s, cancel)
            _, body = await self.client.call("GET", "check the render", idempotent=True,
                                             path=lambda _: f"{RENDER_PATH}/{render_id}")
            data = unwrap(body)
            job = RenderJob.model_validate(data if isinstance(data, dict) else {})

    @staticmethod
    async def _sleep(seconds: float, cancel: CancelToken) -> None:
        end = time.monotonic() + seconds
        while True:
            cancel.raise_if_cancelled()
            left = end - time.monotonic()
            if left <= 0:
                return
            await anyio.sleep(min(left, 0.5))

    async def aclose(self) -> None:
        await self.client.aclose()


__all__ = ["NemoBackend"]
