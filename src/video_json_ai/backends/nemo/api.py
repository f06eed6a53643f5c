"""Typed request and response bodies of the cloud API, exactly as the spec names them.

Responses are read leniently (unknown fields kept, envelope optional): the spec gives the key
fields, not full schemas. ``unwrap`` takes the ``data`` of a ``{"code", "message", "data"}``
envelope, or the body itself when there is no envelope.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

APP_NAME = "nemo_agent"
USER_ID = "me"


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class _In(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


# -- requests ---------------------------------------------------------------------------------
class SessionRequest(_Out):
    task_name: str = "project"
    language: str = "en"


class Part(_Out):
    text: str


class NewMessage(_Out):
    parts: list[Part]


class RunSseRequest(_Out):
    app_name: str = APP_NAME
    user_id: str = USER_ID
    session_id: str
    new_message: NewMessage

    @classmethod
    def of(cls, session_id: str, text: str) -> "RunSseRequest":
        return cls(session_id=session_id, new_message=NewMessage(parts=[Part(text=text)]))


class UrlUploadRequest(_Out):
    urls: list[str]
    source_type: str = "url"


class RenderOutput(_Out):
    format: str = "mp4"
    quality: str = "high"


class RenderRequestBody(_Out):
    id: str
    session_id: str = Field(serialization_alias="sessionId")
    draft: Any
    output: RenderOutput


# -- responses --------------------------------------------------------------------------------
class TokenData(_In):
    token: str
    expires_at: str | None = None
    expires_in: float | None = None


class SessionData(_In):
    session_id: str
    task_id: str | None = None


class Balance(_In):
    available: float = 0.0
    frozen: float = 0.0
    total: float | None = None


class CloudState(_In):
    draft: Any = None
    video_infos: list[dict[str, Any]] | None = None
    generated_media: list[dict[str, Any]] | None = None


class RenderOutputInfo(_In):
    url: str | None = None


class RenderJob(_In):
    id: str | None = None
    status: str = "pending"
    progress: float | None = None
    output: RenderOutputInfo | None = None
    error: Any = None


def unwrap(body: Any) -> Any:
    if isinstance(body, dict) and "data" in body and ("code" in body or "message" in body or len(body) == 1):
        return body["data"]
    return body


def state_of(body: Any) -> CloudState:
    """``data.state`` of the session-state response."""
    data = unwrap(body)
    state = data.get("state", data) if isinstance(data, dict) else {}
    return CloudState.model_validate(state if isinstance(state, dict) else {})


def uploaded_files(body: Any) -> list[dict[str, Any]]:
    """The file entries of an upload response, wherever the service puts them."""
    data = unwrap(body)
    if isinstance(data, list):
        return [f for f in data if isinstance(f, dict)]
    if isinstance(data, dict):
        for key in ("files", "videos", "items", "uploads", "video_infos", "results"):
            value = data.get(key)
            if isinstance(value, list):
                return [f for f in value if isinstance(f, dict)]
        return [data] if data else []
    return []


def file_id(entry: dict[str, Any]) -> str | None:
    for key in ("video_id", "file_id", "media_id", "id"):
        if entry.get(key) not in (None, ""):
            return str(entry[key])
    return None


BIND_FIELDS = ("bind_id", "user_id", "uid", "anonymous_id")
"""Where the id for the registration link (``?bind=<id>``) may appear; the task id is the fallback."""


def bind_id_of(data: Any) -> str | None:
    if isinstance(data, dict):
        for key in BIND_FIELDS:
            if data.get(key) not in (None, ""):
                return str(data[key])
    return None
