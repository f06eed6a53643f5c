"""The stdio transport's front: answers a session's first requests while the MCP SDK loads.

Importing the ``mcp`` SDK (its pydantic protocol types) takes about a second on a small machine, so
a client's handshake and first lists (tools, prompts, resources) would wait for it. Instead:

1. The server builds itself (SDK import, App, tools) on a thread, while this module reads the client.
2. Requests whose answers were recorded on an earlier start (``handshake_cache``) are answered at
   once; everything the client sends is kept, in order.
3. Once the server is built, it is handed every kept message, then the live stream, through a pipe,
   and runs exactly as it would on the process's own stdin and stdout. Its answers to requests
   already answered are compared with what was sent and dropped; should a recording have been stale,
   it is replaced, and for a list the client is sent its ``list_changed`` notification.
   Its answers to requests worth recording are recorded for the next start.

The client's stdin and stdout are moved to private descriptors first; fd 0 then reads /dev/null and
fd 1 writes to stderr, so stray output (ours or a child process's) can never corrupt the protocol.
"""

from __future__ import annotations

import io
import json
import logging
import os
import queue
import sys
import threading
from collections.abc import Callable
from typing import Any, BinaryIO, Protocol

from video_json_ai.mcp.stdio.handshake import LISTS, HandshakeCache, request_key

log = logging.getLogger(__name__)



class StdioServer(Protocol):
    def run(self, transport: str) -> None: ...


def _claim_wire() -> tuple[BinaryIO, BinaryIO]:
    """The client's stdin and stdout on private descriptors; fd 0 <- /dev/null, fd 1 -> stderr."""
    wire_in = os.fdopen(os.dup(0), "rb", buffering=0)
    wire_out = os.fdopen(os.dup(1), "wb", buffering=0)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)
    return wire_in, wire_out


def _parse(line: bytes) -> dict[str, Any] | None:
    try:
        message = json.loads(line)
    except ValueError:
        return None
    return message if isinstance(message, dict) else None


class _Session:
    """What the relay knows of the session: which requests it answered, which answers to record."""

    def __init__(self, cache: HandshakeCache, wire_out: BinaryIO) -> None:
        self.cache, self.wire_out = cache, wire_out
        self.version: str | None = None
        """The protocol version a legacy ``initialize`` agreed on."""
        self.answered: dict[str, tuple[str, Any]] = {}
        self.asked: dict[str, str] = {}
        self._lock = threading.Lock()

    def send(self, data: bytes) -> None:
        try:
            self.wire_out.write(data)
        except OSError as exc:  # the client has gone; the server stops when stdin closes
            log.debug("client output closed: %s", exc)

    def early(self, line: bytes) -> None:
        """Before the server is built: answer ``line`` from the recording if it can be."""
        message = _parse(line)
        key = request_key(message, self.version) if message else None
        if message is None or key is None:
            return
        ident = json.dumps(message["id"])
        result = self.cache.get(key)
        if result is None:
            self.asked[ident] = key
            return
        self.answered[ident] = (key, result)
        if message.get("method") == "initialize" and isinstance(result, dict):
            self.version = result.get("protocolVersion")
        self.send(json.dumps({"jsonrpc": "2.0", "id": message["id"], "result": result}).encode() + b"\n")
        log.debug("answered %s from the handshake recording", key)

    def to_server(self, line: bytes) -> None:
        """A request on its way to the server: note it if its answer is worth recording."""
        message = _parse(line)
        key = request_key(message, self.version) if message else None
        if message is not None and key is not None:
            with self._lock:
                self.asked[json.dumps(message["id"])] = key

    def from_server(self, line: bytes) -> None:
        """The server's message: dropped if the relay answered it already, else sent on."""
        message = _parse(line)
        if message is None or "method" in message or "id" not in message:
            self.send(line)
            return
        ident = json.dumps(message["id"])
        with self._lock:
            done, key = self.answered.pop(ident, None), self.asked.pop(ident, None)
        result = message.get("result")
        if done is not None:
            key, sent = done
            if result is None:
                log.warning("the server answered %s with an error after it was answered from the recording", key)
            elif result != sent:
                log.info("the handshake recording of %s was stale; replaced", key)
                self.cache.put(key, result)
                changed = LISTS.get(key.split("|", 1)[0])
                if changed:
                    self.send(json.dumps({"jsonrpc": "2.0", "method": changed}).encode() + b"\n")
            return
        if key is not None and result is not None:
            self.cache.put(key, result)
            if key.startswith("initialize|") and isinstance(result, dict):
                self.version = result.get("protocolVersion")
        self.send(line)


_BUILT = object()
"""Put on the line queue when the server is built (or failed to build)."""


def _build_in_thread(build: Callable[[], StdioServer], lines: queue.Queue[Any]) -> list[Any]:
    outcome: list[Any] = []

    def work() -> None:
        try:
            outcome.append(build())
        except BaseException as exc:  # handed to the main thread, which raises it
            outcome.append(exc)
        finally:
            lines.put(_BUILT)

    threading.Thread(target=work, name="server-load", daemon=True).start()
    return outcome


def _read_lines(wire_in: BinaryIO, lines: queue.Queue[Any]) -> None:
    try:
        for line in io.BufferedReader(wire_in):  # type: ignore[arg-type]
            if line.strip():
                lines.put(line if line.endswith(b"\n") else line + b"\n")
    except (OSError, ValueError) as exc:
        log.debug("stdin closed: %s", exc)
    lines.put(None)


def serve_stdio(build: Callable[[], StdioServer], cache: HandshakeCache) -> None:
    """Serve one MCP session on stdio; ``build`` makes the server (on a thread, while the first
    requests are answered from ``cache``). Returns when the client closes stdin."""
    wire_in, wire_out = _claim_wire()
    session = _Session(cache, wire_out)
    lines: queue.Queue[Any] = queue.Queue()
    threading.Thread(target=_read_lines, args=(wire_in, lines), name="stdio-in", daemon=True).start()
    outcome = _build_in_thread(build, lines)

    kept: list[bytes | None] = []
    while (line := lines.get()) is not _BUILT:
        kept.append(line)
        if line is not None:
            session.early(line)
    server = outcome[0]
    if isinstance(server, BaseException):
        raise server

    server_in, relay_in = os.pipe()
    relay_out, server_out = os.pipe()

    def feed() -> None:
        try:
            with os.fdopen(relay_in, "wb", buffering=0) as pipe:
                for line in kept:
                    if line is None:
                        return
                    pipe.write(line)
                while (line := lines.get()) is not None:
                    session.to_server(line)
                    pipe.write(line)
        except OSError as exc:  # the server stopped reading: it has ended
            log.debug("server input closed: %s", exc)

    def relay() -> None:
        with os.fdopen(relay_out, "rb") as pipe:
            for line in pipe:
                session.from_server(line)

    feeder = threading.Thread(target=feed, name="stdio-feed", daemon=True)
    relayer = threading.Thread(target=relay, name="stdio-relay", daemon=True)
    feeder.start()
    relayer.start()
    sys.stdin = io.TextIOWrapper(os.fdopen(server_in, "rb"), encoding="utf-8")
    sys.stdout = io.TextIOWrapper(os.fdopen(server_out, "wb"), encoding="utf-8", write_through=True)
    try:
        server.run("stdio")
    finally:
        sys.stdout.close()
        relayer.join(timeout=5)
        sys.stdout = sys.__stderr__ or io.TextIOWrapper(os.fdopen(os.dup(2), "wb"), encoding="utf-8")
