"""One message to the NemoVideo agent: sent over SSE, heartbeats turned into progress, the answer collected."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

import anyio
import httpx

from video_json_ai.backends.nemo.answer import creep
from video_json_ai.backends.nemo.api import RunSseRequest
from video_json_ai.backends.nemo.auth import Credentials
from video_json_ai.backends.nemo.client import NemoClient
from video_json_ai.backends.nemo.errors import BAD_TOKEN, SESSION_NOT_FOUND, CloudError, error_for
from video_json_ai.backends.nemo.sse import TextCollector, agent_events
from video_json_ai.util.progress import CancelToken, ProgressFn
from video_json_ai.models.state import Timeline

log = logging.getLogger(__name__)
SSE_PATH = "/run_sse"


@dataclass
class Conversation:
    """What one agent message produced."""

    collector: TextCollector = field(default_factory=TextCollector)
    heartbeats: int = 0
    tool_calls: int = 0
    cut: bool = False
    """The stream ended before the agent finished: dropped, or longer than the SSE limit."""
    timed_out: bool = False


class Agent:
    """Talks to the agent through ``client``; reports progress at least every ``still_working_s``."""

    def __init__(self, client: NemoClient, creds: Credentials, still_working_s: float) -> None:
        self.client = client
        self.creds = creds
        self.still_working_s = still_working_s

    async def converse(self, text: str, progress: ProgressFn, cancel: CancelToken) -> Conversation:
        """Send one agent message and read its stream; progress at least every ``still_working_s``."""
        conv = Conversation()
        started = time.monotonic()
        failure: BaseException | None = None

        def still_working(note: str = "") -> None:
            elapsed = time.monotonic() - started
            progress(creep(elapsed + 5 * conv.heartbeats, 0.0, 0.98),
                     f"NemoVideo is still working ({elapsed:.0f} s{note})")

        async with anyio.create_task_group() as tg:

            async def ticker() -> None:
                while True:
                    await anyio.sleep(self.still_working_s)
                    if cancel.cancelled:
                        tg.cancel_scope.cancel()
                        return
                    still_working()

            tg.start_soon(ticker)
            try:
                with anyio.move_on_after(self.client.settings.sse_read_timeout_s) as limit:
                    await self._read_stream(text, conv, still_working, cancel)
                if limit.cancelled_caught:  # heartbeats for longer than the stream may run
                    log.warning("the NemoVideo stream ran past %.0f s; reading the state instead",
                                self.client.settings.sse_read_timeout_s)
                    conv.cut = conv.timed_out = True
            except httpx.TransportError as exc:  # the stream was cut mid-way (read error, timeout, peer closed)
                log.warning("the NemoVideo stream was cut: %s", type(exc).__name__)
                conv.cut = True
            except BaseException as exc:  # noqa: BLE001 - re-raised outside the task group, unwrapped
                failure = exc
            tg.cancel_scope.cancel()
        if failure is not None:
            raise failure
        cancel.raise_if_cancelled()
        return conv

    async def _read_stream(self, text: str, conv: Conversation, still_working: Any, cancel: CancelToken) -> None:
        still_working(", sending the message")
        async with self.client.sse("send the message to the agent", path=lambda _: SSE_PATH,
                                   json=lambda sid: RunSseRequest.of(sid or "", text).model_dump()) as response:
            async for event in agent_events(response):
                cancel.raise_if_cancelled()
                if event.kind == "heartbeat":
                    conv.heartbeats += 1
                    still_working()
                elif event.kind == "text":
                    conv.collector.add(event)
                    still_working(", writing the answer")
                elif event.kind == "tool":
                    conv.tool_calls += 1  # internal: never shown, only counted
                    still_working(", editing")
                elif event.kind == "error":
                    if event.code == SESSION_NOT_FOUND:
                        self.creds.forget_session()
                    elif event.code == BAD_TOKEN and self.creds.anonymous:
                        self.creds.forget_token()
                    error = error_for(200, event.body, what="answer the message", register_url=self.client.register_url(),
                                      secret=self.creds.token())
                    raise error or CloudError("The NemoVideo agent reported an error", "Try again in a minute.")


def extract_message(answer: str, conv: Conversation, after: Timeline | None, changes: list[str],
                     warnings: list[str]) -> str:
    changed = ("The timeline changed: " + "; ".join(changes) + ". ") if changes else ""
    summary = f"{after.summary}" if after else ""
    if conv.cut:
        why = ("The agent did not finish within the stream's time limit (NEMO_SSE_TIMEOUT_S, 15 min by default)"
               if conv.timed_out else "The connection to NemoVideo dropped before the agent finished")
        warnings.append(f"{why}; the result shows what is known. Call get_state to see the timeline before "
                        "sending the request again (a repeated edit may be applied and charged twice).")
        known = "Partial answer received. " if answer else "No answer was received. "
        return f"The stream was cut before the agent finished. {known}{changed}{summary}".strip()
    if answer:
        return "The NemoVideo agent answered." + (f" {changed}" if changed else "")
    if changes:
        return f"The agent finished without a text answer. {changed}{summary}".strip()
    return ("The agent finished without a text answer and the timeline did not change. "
            f"{summary} Ask again with more detail, or call get_state.").strip()
