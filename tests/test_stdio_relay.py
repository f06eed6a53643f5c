"""The stdio front: a session's first requests answered from the recording of an earlier start,
exactly as the SDK answers them, in both protocol eras; stale or broken recordings corrected.

These speak raw JSON-RPC lines to a real `video-json-ai serve` subprocess, so that what the relay
writes on the wire (and in what order) is seen byte for byte.
"""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from video_json_ai.handshake_cache import FILE_NAME, request_key

MODERN = "2026-07-28"
LEGACY = "2025-11-25"
FROM_RECORDING = "from the handshake recording"


class RawServer:
    """`video-json-ai -v serve` on pipes: send JSON-RPC messages, read the answers line by line."""

    def __init__(self, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "video_json_ai", "-v", "serve"],
                                     env={**os.environ, **env}, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self._selector = selectors.DefaultSelector()
        assert self.proc.stdout is not None
        self._selector.register(self.proc.stdout, selectors.EVENT_READ)
        self.received: list[dict[str, Any]] = []

    def send(self, message: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"jsonrpc": "2.0", **message}).encode() + b"\n")
        self.proc.stdin.flush()

    def read(self, timeout: float = 30.0) -> dict[str, Any]:
        assert self.proc.stdout is not None
        if not self._selector.select(timeout):
            raise AssertionError(f"no message from the server within {timeout} s")
        line = self.proc.stdout.readline()
        assert line, "the server closed its output"
        message = json.loads(line)
        self.received.append(message)
        return message

    def request(self, ident: int, method: str, params: dict[str, Any]) -> dict[str, Any]:
        self.send({"id": ident, "method": method, "params": params})
        while (message := self.read()).get("id") != ident:
            pass
        return message

    def close(self) -> str:
        """Close stdin (the end of the session) and return what the server logged."""
        _, err = self.proc.communicate(timeout=30)
        assert self.proc.returncode == 0, err.decode()
        return err.decode()


def _meta() -> dict[str, Any]:
    return {"_meta": {"io.modelcontextprotocol/protocolVersion": MODERN,
                      "io.modelcontextprotocol/clientInfo": {"name": "test", "version": "1"},
                      "io.modelcontextprotocol/clientCapabilities": {}}}


def _session(env: dict[str, str], era: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], str]:
    """One short session: handshake, tools/list, a tool call. Returns the three answers and the log."""
    server = RawServer(env)
    if era == "legacy":
        hello = server.request(1, "initialize", {"protocolVersion": LEGACY, "capabilities": {},
                                                 "clientInfo": {"name": "test", "version": "1"}})
        server.send({"method": "notifications/initialized"})
        listing = server.request(2, "tools/list", {})
        call = server.request(3, "tools/call", {"name": "check_credits", "arguments": {}})
    else:
        hello = server.request(1, "server/discover", _meta())
        listing = server.request(2, "tools/list", _meta())
        call = server.request(3, "tools/call", {"name": "check_credits", "arguments": {}, **_meta()})
    return hello, listing, call, server.close()


@pytest.mark.parametrize("era", ["legacy", "modern"])
def test_second_start_answers_the_handshake_from_the_recording(env: dict[str, str], era: str) -> None:
    hello1, listing1, call1, log1 = _session(env, era)
    assert FROM_RECORDING not in log1
    recorded = json.loads((Path(env["VIDEO_JSON_HOME"]) / FILE_NAME).read_text())
    version = LEGACY if era == "legacy" else MODERN
    handshake = "initialize" if era == "legacy" else "server/discover"
    assert set(recorded["answers"]) == {f"{handshake}|{version}", f"tools/list|{version}"}

    hello2, listing2, call2, log2 = _session(env, era)
    assert f"answered {handshake}|{version} {FROM_RECORDING}" in log2
    assert f"answered tools/list|{version} {FROM_RECORDING}" in log2
    assert "stale" not in log2
    # Byte for byte what the SDK itself answered on the first start.
    assert hello2 == hello1 and listing2 == listing1
    assert {t["name"] for t in listing2["result"]["tools"]} == {
        "upload_video", "extract_json", "get_state", "check_credits", "export_render"}
    # Everything after the recorded part is the real server's.
    assert call2["result"]["structuredContent"]["unlimited"] is True
    assert call2["result"] == call1["result"]


def test_a_stale_recording_is_replaced_and_the_client_told(env: dict[str, str]) -> None:
    _, true_listing, _, _ = _session(env, "modern")
    path = Path(env["VIDEO_JSON_HOME"]) / FILE_NAME
    recorded = json.loads(path.read_text())
    key = f"tools/list|{MODERN}"
    recorded["answers"][key]["tools"][0]["description"] = "an old description"
    path.write_text(json.dumps(recorded))

    server = RawServer(env)
    server.request(1, "server/discover", _meta())
    stale = server.request(2, "tools/list", _meta())
    assert stale["result"]["tools"][0]["description"] == "an old description"
    server.send({"id": 3, "method": "tools/call", "params": {"name": "check_credits", "arguments": {}, **_meta()}})
    deadline = time.monotonic() + 30
    while not ({m.get("id") for m in server.received} >= {3}
               and any(m.get("method") == "notifications/tools/list_changed" for m in server.received)):
        assert time.monotonic() < deadline, server.received
        server.read()
    log = server.close()
    assert f"recording of {key} was stale" in log
    assert json.loads(path.read_text())["answers"][key] == true_listing["result"]
    # No answer was sent twice.
    assert [m.get("id") for m in server.received if "id" in m] == [1, 2, 3]


def test_a_broken_recording_is_ignored_and_rewritten(env: dict[str, str]) -> None:
    path = Path(env["VIDEO_JSON_HOME"]) / FILE_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{not json")
    hello, listing, call, log = _session(env, "modern")
    assert "unreadable handshake recording" in log and FROM_RECORDING not in log
    assert "error" not in call and len(listing["result"]["tools"]) == 5
    assert set(json.loads(path.read_text())["answers"]) == {f"server/discover|{MODERN}", f"tools/list|{MODERN}"}


def test_only_answers_that_are_the_same_for_every_client_are_keyed() -> None:
    meta = _meta()
    assert request_key({"id": 1, "method": "initialize", "params": {"protocolVersion": LEGACY}}, None) == f"initialize|{LEGACY}"
    assert request_key({"id": 1, "method": "server/discover", "params": meta}, None) == f"server/discover|{MODERN}"
    assert request_key({"id": 2, "method": "tools/list", "params": meta}, None) == f"tools/list|{MODERN}"
    assert request_key({"id": 2, "method": "tools/list", "params": {}}, LEGACY) == f"tools/list|{LEGACY}"
    # Before a legacy handshake, a later page, a notification or any other request: never.
    assert request_key({"id": 2, "method": "tools/list", "params": {}}, None) is None
    assert request_key({"id": 2, "method": "tools/list", "params": {"cursor": "x", **meta}}, None) is None
    assert request_key({"method": "tools/list", "params": meta}, None) is None
    assert request_key({"id": 3, "method": "tools/call", "params": meta}, None) is None
