"""The HTTP client of the cloud API: one shared ``httpx.AsyncClient``, headers, and recovery.

Every call goes through ``NemoClient.call``, which applies the spec's error table:
1001 → new anonymous token, retry once; 1002 → new session, retry once; 429 → wait
``retry_wait_s``, retry once; HTTP 400 "missing X-Client-Id" → (new) client id, retry once;
5xx and dropped connections → bounded retries (``attempts`` tries in all) with exponential backoff,
for idempotent calls (GETs) only: a POST that may have reached the service is never sent twice.
Everything else becomes a ``CloudError``. The token only ever goes into the Authorization
header of requests to the API's own origin; it is never logged or put in a message.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterable, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, AsyncIterator

import anyio
import httpx

from video_json_ai.util.atomic import atomic_path
from video_json_ai.backends.nemo.api import SessionData, SessionRequest, TokenData, bind_id_of, unwrap
from video_json_ai.backends.nemo.auth import Credentials
from video_json_ai.backends.nemo.errors import CloudError, Retryable, classify, connection_error, error_for
from video_json_ai.backends.nemo.headers import attribution_headers
from video_json_ai.util.progress import CancelToken, ProgressFn

log = logging.getLogger(__name__)

DEFAULT_BASE = "https://mega-api-prod.nemovideo.ai"
DEFAULT_REGISTER_URL = "https://nemovideo.ai/register"
"""The spec names no registration page; this is the most plausible one (NEMO_REGISTER_URL overrides)."""

TOKEN_PATH = "/api/auth/anonymous-token"
SESSION_PATH = "/api/tasks/me/with-session/nemo_agent"

PathFn = Callable[[str | None], str]
BodyFn = Callable[[str | None], Any]


@dataclass(frozen=True)
class ClientSettings:
    base: str = DEFAULT_BASE
    retry_wait_s: float = 30.0
    backoff_s: float = 1.0
    attempts: int = 3
    """Tries of an idempotent call on 5xx or a dropped connection."""
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 60.0
    sse_read_timeout_s: float = 15 * 60.0
    language: str = "en"
    register_url: str = DEFAULT_REGISTER_URL
    platform: str | None = None


class NemoClient:
    def __init__(self, settings: ClientSettings, creds: Credentials) -> None:
        self.settings = settings
        self.creds = creds
        self.base = settings.base.rstrip("/")
        self._http: httpx.AsyncClient | None = None
        self._token_lock: asyncio.Lock | None = None
        self._session_lock: asyncio.Lock | None = None
        self._headers = attribution_headers(settings.platform)

    # -- the shared connection pool (created on the loop that uses it) --------------------------
    def http(self) -> httpx.AsyncClient:
        if self._http is None:
            timeout = httpx.Timeout(self.settings.read_timeout_s, connect=self.settings.connect_timeout_s)
            self._http = httpx.AsyncClient(base_url=self.base, timeout=timeout, headers=self._headers,
                                           follow_redirects=True, limits=httpx.Limits(max_connections=20))
        return self._http

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    def _locks(self) -> tuple[asyncio.Lock, asyncio.Lock]:
        if self._token_lock is None or self._session_lock is None:
            self._token_lock, self._session_lock = asyncio.Lock(), asyncio.Lock()
        return self._token_lock, self._session_lock

    def register_url(self) -> str | None:
        """The registration link with ``?bind=<id>`` for anonymous users; None for registered ones."""
        if not self.creds.anonymous:
            return None
        url = self.settings.register_url
        bind = self.creds.bind_id() or self.creds.client_id()
        return f"{url}{'&' if '?' in url else '?'}bind={bind}"

    # -- token and session ----------------------------------------------------------------------
    @staticmethod
    async def _once(lock: asyncio.Lock, saved: Callable[[], str | None], obtain: Callable[[], Awaitable[str]]) -> str:
        """The saved value, or one obtained by a single caller while the others wait for it."""
        if value := saved():
            return value
        async with lock:
            return saved() or await obtain()

    async def token(self) -> str:
        return await self._once(self._locks()[0], self.creds.token, self._new_token)

    async def _new_token(self) -> str:
        _, body = await self.call("POST", "get an anonymous token", path=lambda _: TOKEN_PATH, authed=False,
                                  client_id=True)
        data = TokenData.model_validate(unwrap(body))
        expiry = None
        if data.expires_in:
            expiry = datetime.now(timezone.utc) + timedelta(seconds=data.expires_in)
        elif data.expires_at:
            try:
                expiry = datetime.fromisoformat(data.expires_at.replace("Z", "+00:00"))
                expiry = expiry if expiry.tzinfo else expiry.replace(tzinfo=timezone.utc)
            except ValueError:
                expiry = None
        self.creds.save_token(data.token, expiry)
        log.info("obtained an anonymous NemoVideo token")
        return data.token

    async def session_id(self, language: str | None = None) -> str:
        return await self._once(self._locks()[1], self.creds.session_id, lambda: self._new_session(language))

    async def _new_session(self, language: str | None) -> str:
        body_model = SessionRequest(language=language or self.settings.language)
        _, body = await self.call("POST", "start a session", path=lambda _: SESSION_PATH,
                                  json=lambda _: body_model.model_dump())
        data = unwrap(body)
        session = SessionData.model_validate(data if isinstance(data, dict) else {})
        self.creds.save_session(session.session_id, session.task_id, bind_id_of(data))
        log.info("started NemoVideo session %s", session.session_id)
        return session.session_id

    # -- one call, with the spec's recovery -----------------------------------------------------
    async def call(
        self,
        method: str,
        what: str,
        *,
        path: PathFn,
        json: BodyFn | None = None,
        content: Callable[[], tuple[AsyncIterable[bytes], dict[str, str]]] | None = None,
        idempotent: bool = False,
        needs_session: bool = False,
        authed: bool = True,
        client_id: bool = False,
        stream: bool = False,
        timeout: httpx.Timeout | None = None,
    ) -> tuple[httpx.Response, Any]:
        """Send until success or a final error; returns the response and its JSON body.

        With ``stream=True`` a successful ``text/event-stream`` response is returned open (body
        None): the caller reads and closes it.
        """
        recovered: set[str] = set()
        failures = 0
        send_client_id = client_id
        while True:
            sid = await self.session_id() if needs_session else None
            headers: dict[str, str] = {}
            token = await self.token() if authed else None
            if token:
                headers["Authorization"] = f"Bearer {token}"
            if send_client_id:
                headers["X-Client-Id"] = self.creds.client_id()
            body_kw: dict[str, Any] = {}
            if json is not None:
                body_kw["json"] = json(sid)
            if content is not None:
                stream_body, extra = content()
                body_kw["content"] = stream_body
                headers.update(extra)
            if stream:
                headers["Accept"] = "text/event-stream"
            request = self.http().build_request(method, path(sid), headers=headers, timeout=timeout or httpx.USE_CLIENT_DEFAULT, **body_kw)
            try:
                response = await self.http().send(request, stream=True)
            except httpx.TransportError as exc:
                failures += 1
                reached = not isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout))
                if idempotent and await self._backoff(failures, what, type(exc).__name__):
                    continue
                raise connection_error(what, self.base, reached=reached, idempotent=idempotent) from None
            is_sse = "text/event-stream" in response.headers.get("content-type", "")
            if stream and is_sse and response.status_code == 200:
                return response, None
            try:
                raw = await response.aread()
            except httpx.TransportError as exc:
                failures += 1
                if idempotent and await self._backoff(failures, what, type(exc).__name__):
                    continue
                raise connection_error(what, self.base, reached=True, idempotent=idempotent) from None
            finally:
                await response.aclose()
            body = _json(raw)
            signal = classify(response.status_code, body)
            if signal is not None:
                retry = await self._recover(signal, recovered, what=what, needs_session=needs_session, authed=authed,
                                            idempotent=idempotent, failures=failures + (signal.kind == "server"))
                if signal.kind == "server":
                    failures += 1
                if retry:
                    if signal.kind == "client_id":
                        send_client_id = True
                    continue
                if signal.kind == "token" and self.creds.anonymous and "token" in recovered:
                    raise CloudError("NemoVideo refused a freshly issued anonymous token",
                                     "Try again later, or set NEMO_TOKEN to the token of your NemoVideo account.")
            error = error_for(response.status_code, body, what=what, register_url=self.register_url(), secret=token)
            if error is not None:
                raise error
            return response, body

    async def _backoff(self, failures: int, what: str, reason: str) -> bool:
        """Wait before try ``failures + 1`` (exponential backoff); False when the tries are used up."""
        if failures >= self.settings.attempts:
            return False
        delay = self.settings.backoff_s * 2 ** (failures - 1)
        log.warning("NemoVideo: %s failed (%s); try %d of %d in %.2f s", what, reason, failures + 1,
                    self.settings.attempts, delay)
        await anyio.sleep(delay)
        return True

    async def _recover(self, signal: Retryable, recovered: set[str], *, what: str, needs_session: bool, authed: bool,
                       idempotent: bool, failures: int) -> bool:
        """Do what the spec says for ``signal``; True when the call should be sent again."""
        kind = signal.kind
        if kind == "server":
            return idempotent and await self._backoff(failures, what, f"HTTP {signal.status}")
        if kind in recovered:
            return False
        if kind == "token":
            if not (authed and self.creds.anonymous):
                return False
            log.info("the NemoVideo token was refused; getting a new one")
            self.creds.forget_token()
        elif kind == "session":
            if not needs_session:
                return False
            log.info("the NemoVideo session was not found; starting a new one")
            self.creds.forget_session()
        elif kind == "rate_limit":
            log.info("rate limited by NemoVideo; retrying once in %.0f s", self.settings.retry_wait_s)
            await anyio.sleep(self.settings.retry_wait_s)
        elif kind == "client_id":
            log.info("NemoVideo asked for a client id; retrying with one")
            if not authed:
                self.creds.new_client_id()
        recovered.add(kind)
        return True

    @asynccontextmanager
    async def sse(self, what: str, *, path: PathFn, json: BodyFn) -> AsyncIterator[httpx.Response]:
        """An open event stream (read timeout: the SSE limit, 15 min by default)."""
        timeout = httpx.Timeout(self.settings.sse_read_timeout_s, connect=self.settings.connect_timeout_s)
        response, _ = await self.call("POST", what, path=path, json=json, needs_session=True, stream=True, timeout=timeout)
        try:
            yield response
        finally:
            await response.aclose()

    # -- downloads ------------------------------------------------------------------------------
    async def download(self, url: str, dest: Path, *, progress: ProgressFn, cancel: CancelToken) -> int:
        """Stream ``url`` into ``dest`` atomically (temp file beside it, then rename); the size."""
        same_origin = httpx.URL(url).join("/") == httpx.URL(self.base).join("/") or url.startswith("/")
        headers = {}
        if same_origin:
            headers["Authorization"] = f"Bearer {await self.token()}"  # never sent to another host
        failures = 0
        while True:
            try:
                return await self._download_once(url, dest, headers, progress, cancel)
            except httpx.TransportError:
                failures += 1
                if failures < self.settings.attempts:
                    await anyio.sleep(self.settings.backoff_s * 2 ** (failures - 1))
                    continue
                raise CloudError("The rendered file could not be downloaded (the connection dropped)",
                                 "Download it yourself from the URL in the result, or export again.") from None
            except _RetryStatus as exc:
                failures += 1
                if failures < self.settings.attempts:
                    await anyio.sleep(self.settings.backoff_s * 2 ** (failures - 1))
                    continue
                raise CloudError(f"The rendered file could not be downloaded (HTTP {exc.status})",
                                 "Download it yourself from the URL in the result, or export again.") from None

    async def _download_once(self, url: str, dest: Path, headers: dict[str, str], progress: ProgressFn,
                             cancel: CancelToken) -> int:
        dest.parent.mkdir(parents=True, exist_ok=True)
        async with self.http().stream("GET", url, headers=headers) as response:
            if response.status_code >= 500:
                raise _RetryStatus(response.status_code)
            if response.status_code >= 400:
                raise CloudError(f"The rendered file could not be downloaded (HTTP {response.status_code})",
                                 "The link may have expired: export again.")
            total = int(response.headers.get("content-length") or 0)
            done = 0
            with atomic_path(dest, suffix=".part", overwrite=False) as tmp:
                with open(tmp, "wb") as fh:
                    async for block in response.aiter_bytes(1 << 20):
                        cancel.raise_if_cancelled()
                        await anyio.to_thread.run_sync(fh.write, block)
                        done += len(block)
                        progress(done / total if total else 0.5, f"downloading: {done / 1e6:.1f} MB")
                    fh.flush()
                    os.fsync(fh.fileno())
            return done


class _RetryStatus(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def _json(raw: bytes) -> Any:
    import json

    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None
