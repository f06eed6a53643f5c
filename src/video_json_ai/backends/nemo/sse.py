"""The agent's event stream: SSE lines → heartbeats, text, tool calls, errors.

Heartbeats are SSE comments (``: ping``), events named heartbeat/ping, empty ``data:`` lines or
``{"type": "heartbeat"}``. Text and tool calls follow the agent framework's event shape
(``content.parts[].text`` / ``functionCall`` / ``functionResponse``); a flat ``{"type": "text",
"text": ...}`` is read too. Line splitting and event assembly are httpx-sse's decoders; comments
are looked at before them because httpx-sse drops comments and a comment is a heartbeat.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Literal

import httpx
from httpx_sse import ServerSentEvent
from httpx_sse._decoders import SSEDecoder, SSELineDecoder

from video_json_ai.backends.nemo.errors import body_code

EventKind = Literal["heartbeat", "text", "tool", "error", "other"]
HEARTBEAT_NAMES = ("heartbeat", "ping", "keepalive", "keep-alive")
TOOL_TYPES = ("tool_call", "tool_result", "tool", "function_call", "function_response")


@dataclass(frozen=True)
class AgentEvent:
    kind: EventKind
    text: str = ""
    partial: bool = False
    code: int | None = None
    body: Any = None


def classify(sse: ServerSentEvent) -> AgentEvent:
    if sse.event.lower() in HEARTBEAT_NAMES or not sse.data.strip():
        return AgentEvent("heartbeat")
    try:
        body = json.loads(sse.data)
    except ValueError:
        return AgentEvent("text", text=sse.data)
    if not isinstance(body, dict):
        return AgentEvent("other", body=body)
    code = body_code(body)
    if code not in (None, 0) or (sse.event.lower() == "error") or ("error" in body and body.get("error")):
        return AgentEvent("error", code=code, body=body)
    kind = str(body.get("type") or "").lower()
    if kind in HEARTBEAT_NAMES:
        return AgentEvent("heartbeat")
    if kind in TOOL_TYPES:
        return AgentEvent("tool", body=body)
    partial = bool(body.get("partial"))
    content = body.get("content")
    if isinstance(content, dict):
        if content.get("role") == "user":
            return AgentEvent("other", body=body)
        parts = [p for p in content.get("parts") or [] if isinstance(p, dict)]
        texts = [p["text"] for p in parts if isinstance(p.get("text"), str) and not p.get("thought")]
        if texts:
            return AgentEvent("text", text="".join(texts), partial=partial)
        if any(k in p for p in parts for k in ("functionCall", "functionResponse", "function_call", "function_response")):
            return AgentEvent("tool", body=body)
        return AgentEvent("other", body=body)
    if isinstance(body.get("text"), str) and kind in ("", "text", "message"):
        return AgentEvent("text", text=body["text"], partial=partial)
    return AgentEvent("other", body=body)


async def agent_events(response: httpx.Response) -> AsyncIterator[AgentEvent]:
    """The events of an open ``text/event-stream`` response, as they arrive."""
    lines = SSELineDecoder()
    decoder = SSEDecoder()
    async for chunk in response.aiter_text():
        for line in lines.decode(chunk):
            if line.startswith(":"):
                yield AgentEvent("heartbeat")
                continue
            sse = decoder.decode(line)
            if sse is not None:
                yield classify(sse)
    for line in lines.flush():
        sse = decoder.decode(line)
        if sse is not None:
            yield classify(sse)
    sse = decoder.decode("")
    if sse is not None:
        yield classify(sse)


class TextCollector:
    """The agent's answer from text events: partial chunks, replaced by the final full text."""

    def __init__(self) -> None:
        self.final: list[str] = []
        self.partial: list[str] = []

    def add(self, event: AgentEvent) -> None:
        if event.partial:
            self.partial.append(event.text)
        else:
            self.final.append(event.text)
            self.partial.clear()

    @property
    def text(self) -> str:
        return "\n\n".join(t for t in [*self.final, "".join(self.partial)] if t.strip()).strip()
