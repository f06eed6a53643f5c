"""`video-json-ai serve` on raw pipes: JSON-RPC lines in and out, seen byte for byte.

Used by the stdio relay tests and by ``scripts/record_handshake.py`` (which records the handshake
answers shipped with the package)."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from typing import Any

MODERN_VERSIONS = ("2026-07-28",)
LEGACY_VERSIONS = ("2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25")
"""The protocol versions whose handshake answers are recorded (the SDK's known versions)."""


class RawServer:
    """`video-json-ai -v serve` on pipes: send JSON-RPC messages, read the answers line by line."""

    def __init__(self, env: dict[str, str], *options: str) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "video_json_ai", "-v", "serve", *options],
                                     env={**os.environ, **env}, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self._lines: queue.Queue[bytes] = queue.Queue()
        self._log: list[bytes] = []
        threading.Thread(target=self._read_lines, daemon=True).start()
        self._log_reader = threading.Thread(target=lambda: self._log.extend(self.proc.stderr or ()), daemon=True)
        self._log_reader.start()
        self.received: list[dict[str, Any]] = []

    def _read_lines(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(line)
        self._lines.put(b"")

    def send(self, message: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"jsonrpc": "2.0", **message}).encode() + b"\n")
        self.proc.stdin.flush()

    def read(self, timeout: float = 30.0) -> dict[str, Any]:
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no message from the server within {timeout} s") from None
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
        """End the session (stdin closed) and return what the server logged."""
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)
        self._log_reader.join(timeout=10)
        log = b"".join(self._log).decode()
        assert self.proc.returncode == 0, log
        return log


def modern_meta(version: str = MODERN_VERSIONS[0]) -> dict[str, Any]:
    return {"_meta": {"io.modelcontextprotocol/protocolVersion": version,
                      "io.modelcontextprotocol/clientInfo": {"name": "test", "version": "1"},
                      "io.modelcontextprotocol/clientCapabilities": {}}}


CONNECT_LISTS = ("tools/list", "prompts/list", "resources/list", "resources/templates/list")
"""What clients such as Claude Desktop ask for as they connect."""


def handshake_session(env: dict[str, str], version: str, *options: str
                      ) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], str]:
    """One short session in ``version``: the handshake, the lists a client asks for as it connects,
    then a tool call (check_credits). Returns the handshake's answer, the answers to the lists by
    method, the tool call's answer, and the server's log; ``options`` go to ``serve``."""
    server = RawServer(env, *options)
    legacy = version in LEGACY_VERSIONS
    params = {} if legacy else modern_meta(version)
    try:
        if legacy:
            hello = server.request(1, "initialize", {"protocolVersion": version, "capabilities": {},
                                                     "clientInfo": {"name": "test", "version": "1"}})
            server.send({"method": "notifications/initialized"})
        else:
            hello = server.request(1, "server/discover", params)
        lists = {method: server.request(2 + i, method, params) for i, method in enumerate(CONNECT_LISTS)}
        call = server.request(9, "tools/call", {"name": "check_credits", "arguments": {}, **params})
    except BaseException:
        server.proc.kill()
        raise
    return hello, lists, call, server.close()
