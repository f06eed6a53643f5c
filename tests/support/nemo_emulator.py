"""An emulator of the NemoVideo cloud API (``../shared/spec/nemo-api.md``), written by us.

It serves the documented protocol over real HTTP (SSE included) on 127.0.0.1 with a free port,
keeps a log of every request it received (method, path, headers, JSON body or uploaded file),
and has switches for every error path: ``fail(endpoint, ...)`` queues a response with an error
code or HTTP status, or a dropped connection; ``sse_script`` scripts the agent's next stream.
Natural paths are real too: a client may hold one anonymous token per 7 days (429), tokens can be
expired (1001), sessions forgotten (1002), credits spent (2001), unreadable files (4001),
files over ``max_upload_bytes`` (4002), renders without attribution headers or on the free plan (402).

Fixtures for tests: ``nemo_emulator`` (a fresh emulator state per test, one server per run) and
``nemo_env`` (the environment that points the app at it, with tiny waits). Import them into a test
module (``from tests.support.nemo_emulator import nemo_emulator, nemo_env``) or list this module in
``pytest_plugins``.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

ENDPOINTS = ("token", "session", "upload", "run_sse", "credits", "state", "render", "render_poll", "download")
ATTRIBUTION = ("x-skill-source", "x-skill-version", "x-skill-platform")
SUPPORTED = ("mp4", "mov", "avi", "webm", "mkv", "jpg", "png", "gif", "webp", "mp3", "wav", "m4a", "aac")


@dataclass
class Logged:
    endpoint: str
    method: str
    path: str
    headers: dict[str, str]
    json: Any = None
    upload: dict[str, Any] | None = None
    peer: tuple[str, int] | None = None
    """The client's address and port: one port per TCP connection (shows connection reuse)."""


@dataclass
class Fault:
    status: int = 200
    code: int | None = None
    message: str = "error"
    drop: bool = False


@dataclass
class Session:
    session_id: str
    task_id: str
    owner: str
    language: str
    draft: dict[str, Any] = field(default_factory=lambda: {"d": 0, "t": []})
    video_infos: list[dict[str, Any]] = field(default_factory=list)
    generated_media: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)


class NemoEmulator:
    """The service's state and its HTTP app. ``reset()`` gives each test a clean service."""

    def __init__(self) -> None:
        self.base = ""
        self.app = Starlette(routes=[
            Route("/api/auth/anonymous-token", self.token, methods=["POST"]),
            Route("/api/tasks/me/with-session/nemo_agent", self.session, methods=["POST"]),
            Route("/api/upload-video/nemo_agent/me/{sid}", self.upload, methods=["POST"]),
            Route("/run_sse", self.run_sse, methods=["POST"]),
            Route("/api/credits/balance/simple", self.credits, methods=["GET"]),
            Route("/api/state/nemo_agent/me/{sid}/latest", self.state, methods=["GET"]),
            Route("/api/render/proxy/lambda", self.render, methods=["POST"]),
            Route("/api/render/proxy/lambda/{rid}", self.render_poll, methods=["GET"]),
            Route("/files/{name}", self.download, methods=["GET"]),
        ])
        self.reset()

    def reset(self) -> None:
        self.log: list[Logged] = []
        self.faults: dict[str, list[Fault]] = {e: [] for e in ENDPOINTS}
        self.tokens: dict[str, dict[str, Any]] = {}
        self.sessions: dict[str, Session] = {}
        self.renders: dict[str, dict[str, Any]] = {}
        self.credits_available = 100.0
        self.credits_frozen = 0.0
        self.message_cost = 2.0
        self.max_upload_bytes = 500 * 1024 * 1024
        self.free_plan = False
        self.render_polls = 2
        self.heartbeat_s = 0.002
        self.upload_delay_s = 0.0
        """Seconds the service 'processes' an upload before answering."""
        self.sse_script: list[tuple[Any, ...]] | None = None
        self.registered_tokens: set[str] = set()

    # -- switches and log for tests ----------------------------------------------------------
    def fail(self, endpoint: str, *, status: int = 200, code: int | None = None, message: str = "error",
             times: int = 1, drop: bool = False) -> None:
        """The next ``times`` requests to ``endpoint`` get this error (or a dropped connection)."""
        assert endpoint in ENDPOINTS, endpoint
        self.faults[endpoint].extend(Fault(status, code, message, drop) for _ in range(times))

    def register_token(self, token: str) -> None:
        """A registered user's token (as if set in NEMO_TOKEN)."""
        self.tokens[token] = {"client_id": None, "expires": datetime.now(timezone.utc) + timedelta(days=365)}
        self.registered_tokens.add(token)

    def expire_tokens(self) -> None:
        for info in self.tokens.values():
            info["expires"] = datetime.now(timezone.utc) - timedelta(seconds=1)

    def forget_sessions(self) -> None:
        self.sessions.clear()

    def issued_tokens(self) -> list[str]:
        """Every token this service knows (anonymous ones it issued, registered ones)."""
        return list(self.tokens)

    def requests(self, endpoint: str | None = None) -> list[Logged]:
        return [r for r in self.log if endpoint is None or r.endpoint == endpoint]

    # -- helpers -------------------------------------------------------------------------------
    def _record(self, endpoint: str, request: Request, body: Any = None, upload: dict[str, Any] | None = None) -> None:
        peer = (request.client.host, request.client.port) if request.client else None
        self.log.append(Logged(endpoint, request.method, request.url.path, {k.lower(): v for k, v in request.headers.items()},
                               body, upload, peer))

    def _fault(self, endpoint: str) -> Response | None:
        if not self.faults[endpoint]:
            return None
        fault = self.faults[endpoint].pop(0)
        if fault.drop:
            async def cut() -> AsyncIterator[bytes]:
                yield b'{"code": 0, "data": {"par'
                raise ConnectionResetError("emulated dropped connection")
            return StreamingResponse(cut(), media_type="application/json")
        return JSONResponse({"code": fault.code if fault.code is not None else fault.status, "message": fault.message},
                            status_code=fault.status)

    def _auth(self, request: Request) -> str | Response:
        header = request.headers.get("authorization", "")
        token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
        info = self.tokens.get(token)
        if info is None or info["expires"] <= datetime.now(timezone.utc):
            return JSONResponse({"code": 1001, "message": "token invalid or expired"}, status_code=401)
        return token

    def _admit(self, endpoint: str, request: Request, body: Any = None) -> str | Response:
        """Every authed endpoint's start: log the request, play a queued fault, check the token.
        Returns the token, or the response to send instead."""
        self._record(endpoint, request, body)
        if (fault := self._fault(endpoint)) is not None:
            return fault
        return self._auth(request)

    def _session(self, sid: str) -> Session | Response:
        session = self.sessions.get(sid)
        if session is None:
            return JSONResponse({"code": 1002, "message": "session not found"}, status_code=200)
        return session

    @staticmethod
    def _ok(data: Any) -> JSONResponse:
        return JSONResponse({"code": 0, "message": "success", "data": data})

    async def _json(self, request: Request) -> Any:
        try:
            return json.loads(await request.body())
        except ValueError:
            return None

    # -- endpoints -----------------------------------------------------------------------------
    async def token(self, request: Request) -> Response:
        self._record("token", request)
        if (fault := self._fault("token")) is not None:
            return fault
        client_id = request.headers.get("x-client-id", "").strip()
        if not client_id:
            return JSONResponse({"message": "missing X-Client-Id header"}, status_code=400)
        now = datetime.now(timezone.utc)
        for info in self.tokens.values():
            if info["client_id"] == client_id and info["expires"] > now:
                return JSONResponse({"code": 429, "message": "one token per client per 7 days"}, status_code=429)
        token = f"nemo_anon_{uuid.uuid4().hex}"
        self.tokens[token] = {"client_id": client_id, "expires": now + timedelta(days=7)}
        return self._ok({"token": token, "credits": 100})

    async def session(self, request: Request) -> Response:
        body = await self._json(request)
        if isinstance(auth := self._admit("session", request, body), Response):
            return auth
        if not isinstance(body, dict) or body.get("task_name") != "project" or not body.get("language"):
            return JSONResponse({"code": 400, "message": "task_name and language are required"}, status_code=400)
        sid, task = f"sess_{uuid.uuid4().hex[:10]}", f"task_{uuid.uuid4().hex[:10]}"
        owner = self.tokens[auth]["client_id"] or "registered"
        self.sessions[sid] = Session(sid, task, owner, body["language"])
        return self._ok({"task_id": task, "session_id": sid})

    async def upload(self, request: Request) -> Response:
        sid = request.path_params["sid"]
        ctype = request.headers.get("content-type", "")
        if ctype.startswith("multipart/form-data"):
            form = await request.form(max_part_size=self.max_upload_bytes + 1)
            item = form.get("files")
            if item is None or isinstance(item, str):
                self._record("upload", request, None, {"field_names": list(form.keys())})
                return JSONResponse({"code": 400, "message": "field 'files' is required"}, status_code=400)
            data = await item.read()
            info = {"field": "files", "filename": item.filename, "size": len(data),
                    "sha256": hashlib.sha256(data).hexdigest(), "content_type": item.content_type}
            self._record("upload", request, None, info)
            urls = None
        else:
            body = await self._json(request)
            self._record("upload", request, body)
            data, info = b"", None
            urls = body.get("urls") if isinstance(body, dict) and body.get("source_type") == "url" else None
            if not urls:
                return JSONResponse({"code": 400, "message": "send files or {urls, source_type: url}"}, status_code=400)
        if (fault := self._fault("upload")) is not None:
            return fault
        await asyncio.sleep(self.upload_delay_s)
        if isinstance(auth := self._auth(request), Response):
            return auth
        if isinstance(session := self._session(sid), Response):
            return session
        if info is not None:
            name = info["filename"] or "upload"
            if name.rsplit(".", 1)[-1].lower() not in SUPPORTED:
                return self._error(4001, "unsupported file")
            if len(data) > self.max_upload_bytes:
                return self._error(4002, "file too large")
            duration = _probe_duration(data)
            if duration is None:
                return self._error(4001, "unsupported file: cannot decode")
            entries = [(name, duration, data)]
        else:
            entries = [(u.rstrip("/").rsplit("/", 1)[-1] or "remote.mp4", 10.0, b"") for u in urls or []]
        files = []
        for name, duration, blob in entries:
            vid = f"v_{uuid.uuid4().hex[:10]}"
            session.files[vid] = blob
            start = session.draft["d"]
            video_track = next((t for t in session.draft["t"] if t["tt"] == 0), None)
            if video_track is None:
                video_track = {"tt": 0, "sg": []}
                session.draft["t"].insert(0, video_track)
            video_track["sg"].append({"s": start, "d": int(duration * 1000), "m": {"name": name, "video_id": vid}})
            session.draft["d"] = start + int(duration * 1000)
            session.video_infos.append({"id": vid, "name": name, "duration": duration, "size": len(blob)})
            files.append({"id": vid, "name": name, "duration": duration})
        return self._ok({"files": files})

    @staticmethod
    def _error(code: int, message: str) -> JSONResponse:
        return JSONResponse({"code": code, "message": message})

    async def credits(self, request: Request) -> Response:
        if isinstance(auth := self._admit("credits", request), Response):
            return auth
        return self._ok({"available": self.credits_available, "frozen": self.credits_frozen,
                         "total": self.credits_available + self.credits_frozen})

    async def state(self, request: Request) -> Response:
        if isinstance(auth := self._admit("state", request), Response):
            return auth
        if isinstance(session := self._session(request.path_params["sid"]), Response):
            return session
        return self._ok({"task_id": session.task_id, "state": {
            "draft": json.loads(json.dumps(session.draft)), "video_infos": list(session.video_infos),
            "generated_media": list(session.generated_media)}})

    # -- the agent -------------------------------------------------------------------------------
    async def run_sse(self, request: Request) -> Response:
        body = await self._json(request)
        if isinstance(auth := self._admit("run_sse", request, body), Response):
            return auth
        if "text/event-stream" not in request.headers.get("accept", ""):
            return JSONResponse({"code": 406, "message": "Accept: text/event-stream required"}, status_code=406)
        ok = (isinstance(body, dict) and body.get("app_name") == "nemo_agent" and body.get("user_id") == "me"
              and isinstance(body.get("new_message"), dict) and isinstance(body["new_message"].get("parts"), list))
        if not ok:
            return JSONResponse({"code": 400, "message": "bad run_sse body"}, status_code=400)
        if isinstance(session := self._session(body.get("session_id", "")), Response):
            return session
        if self.credits_available < self.message_cost:
            return self._error(2001, "insufficient credits")
        text = " ".join(p.get("text", "") for p in body["new_message"]["parts"] if isinstance(p, dict))
        script, self.sse_script = self.sse_script or self._default_script(text, session), None
        self.credits_available -= self.message_cost
        self.credits_frozen += self.message_cost

        async def stream() -> AsyncIterator[bytes]:
            try:
                for step in script:
                    await asyncio.sleep(self.heartbeat_s)
                    kind = step[0]
                    if kind == "comment":
                        yield b": ping\n\n"
                    elif kind == "empty":
                        yield b"data:\n\n"
                    elif kind == "heartbeat":
                        yield b'event: heartbeat\ndata: {"type": "heartbeat"}\n\n'
                    elif kind == "text":
                        partial = len(step) > 2 and step[2]
                        event = {"author": "nemo_agent", "partial": partial,
                                 "content": {"role": "model", "parts": [{"text": step[1]}]}}
                        yield f"data: {json.dumps(event)}\n\n".encode()
                    elif kind == "tool":
                        _apply_tool(session, step[1], step[2])
                        for part in ({"functionCall": {"name": step[1], "args": step[2]}},
                                     {"functionResponse": {"name": step[1], "response": {"ok": True}}}):
                            yield f"data: {json.dumps({'content': {'role': 'model', 'parts': [part]}})}\n\n".encode()
                    elif kind == "error":
                        yield f"data: {json.dumps({'code': step[1], 'message': 'agent error'})}\n\n".encode()
                    elif kind == "sleep":
                        await asyncio.sleep(step[1])
                    elif kind == "cut":
                        raise ConnectionResetError("emulated cut stream")
            finally:
                self.credits_frozen -= self.message_cost

        return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})

    def _default_script(self, text: str, session: Session) -> list[tuple[Any, ...]]:
        """The agent: music → an edit with no text (the spec's ~30% case); title → an edit and a
        GUI-worded answer; anything else → a JSON description of the session's videos."""
        lowered = text.lower()
        beats: list[tuple[Any, ...]] = [("comment",), ("empty",), ("heartbeat",)]
        if "music" in lowered or "音乐" in text:
            return [*beats, ("tool", "add_bgm", {"name": "Lo-fi", "volume": 0.35}), ("empty",)]
        if "title" in lowered:
            return [*beats, ("tool", "add_title", {"text": "Urban Dreams", "d": 3000}),
                    ("text", "Added the title. Preview in timeline to check it, then click Export.")]
        videos = [{"video": v["name"], "duration_s": v["duration"],
                   "scenes": [{"index": 0, "start_s": 0.0, "end_s": v["duration"], "description": "one continuous shot"}]}
                  for v in session.video_infos]
        answer = json.dumps({"videos": videos}, indent=1)
        return [*beats, ("text", "Here is the JSON ", True), ("text", "so far", True),
                ("text", f"Here is the JSON:\n```json\n{answer}\n```\nClick Export to render it.")]

    # -- render ------------------------------------------------------------------------------------
    async def render(self, request: Request) -> Response:
        body = await self._json(request)
        if isinstance(auth := self._admit("render", request, body), Response):
            return auth
        if any(not request.headers.get(h) for h in ATTRIBUTION) or self.free_plan:
            return JSONResponse({"message": "free plan cannot export"}, status_code=402)
        ok = (isinstance(body, dict) and str(body.get("id", "")).startswith("render_") and body.get("draft")
              and body.get("output") == {"format": "mp4", "quality": body.get("output", {}).get("quality")})
        if not ok:
            return JSONResponse({"code": 400, "message": "bad render body"}, status_code=400)
        if isinstance(session := self._session(body.get("sessionId", "")), Response):
            return session
        self.renders[body["id"]] = {"session": session.session_id, "polls_left": self.render_polls}
        return self._ok({"id": body["id"], "status": "queued"})

    async def render_poll(self, request: Request) -> Response:
        if isinstance(auth := self._admit("render_poll", request), Response):
            return auth
        job = self.renders.get(request.path_params["rid"])
        if job is None:
            return JSONResponse({"code": 404, "message": "render not found"}, status_code=404)
        job["polls_left"] -= 1
        if job["polls_left"] > 0:
            return JSONResponse({"id": request.path_params["rid"], "status": "processing",
                                 "progress": round(1 - job["polls_left"] / (self.render_polls + 1), 2)})
        url = f"{self.base}/files/{request.path_params['rid']}.mp4"
        return JSONResponse({"id": request.path_params["rid"], "status": "completed", "output": {"url": url}})

    async def download(self, request: Request) -> Response:
        self._record("download", request)
        if (fault := self._fault("download")) is not None:
            return fault
        rid = request.path_params["name"].removesuffix(".mp4")
        job = self.renders.get(rid)
        if job is None:
            return Response(status_code=404)
        session = self.sessions.get(job["session"])
        blob = next((b for b in (session.files.values() if session else []) if b), b"\x00\x00\x00\x18ftypmp42")
        return Response(blob, media_type="video/mp4")


def _apply_tool(session: Session, name: str, args: dict[str, Any]) -> None:
    """What the agent's tool calls do to the draft."""
    total = session.draft["d"] or 10000
    if name == "add_bgm":
        session.draft["t"].append({"tt": 1, "m": {"type": "bgm"},
                                   "sg": [{"s": 0, "d": total, "m": {"name": args["name"], "volume": args["volume"]}}]})
    elif name == "add_title":
        session.draft["t"].append({"tt": 7, "m": {"type": "title"},
                                   "sg": [{"s": 0, "d": args["d"], "m": {"text": args["text"]}}]})


def _probe_duration(data: bytes) -> float | None:
    """Seconds of media in ``data`` (PyAV), or None when it cannot be decoded."""
    import av

    try:
        with av.open(io.BytesIO(data)) as container:
            if container.duration:
                return round(container.duration / 1_000_000, 3)
            return 0.0
    except (av.FFmpegError, ValueError, OSError):
        return None


# -- the server ------------------------------------------------------------------------------------
class EmulatorServer:
    """Uvicorn on 127.0.0.1 with a free port, in a background thread."""

    def __init__(self, emulator: NemoEmulator) -> None:
        self.emulator = emulator
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        emulator.base = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(emulator.app, log_level="critical", lifespan="off", access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> NemoEmulator:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the NemoVideo emulator did not start")
            time.sleep(0.01)
        return self.emulator

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=5)
        self.sock.close()


@pytest.fixture(scope="session")
def nemo_emulator_server() -> Iterator[NemoEmulator]:
    with EmulatorServer(NemoEmulator()) as emulator:
        yield emulator


@pytest.fixture
def nemo_emulator(nemo_emulator_server: NemoEmulator) -> Iterator[NemoEmulator]:
    """The emulator with a clean state (no tokens, sessions, faults or log)."""
    nemo_emulator_server.reset()
    yield nemo_emulator_server
    nemo_emulator_server.reset()


@pytest.fixture
def nemo_env(env: dict[str, str], nemo_emulator: NemoEmulator, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The app's environment for the nemo backend against the emulator, with tiny waits."""
    values = {
        "VIDEO_JSON_BACKEND": "nemo",
        "NEMO_API_BASE": nemo_emulator.base,
        "NEMO_RENDER_POLL_S": "0.01",
        "NEMO_RETRY_WAIT_S": "0.01",
        "NEMO_RETRY_BACKOFF_S": "0.01",
        "NEMO_STILL_WORKING_S": "0.05",
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("NEMO_TOKEN", raising=False)
    return {**env, **values}
