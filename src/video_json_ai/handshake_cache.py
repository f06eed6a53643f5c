"""The server's recorded answers to the first requests of an MCP session, for a fast start.

A client's first requests (the handshake, ``initialize`` or ``server/discover``, then ``tools/list``)
get answers that depend only on this package, the SDK and the backend. The stdio relay records the
SDK's answers here and, on later starts, gives them before the SDK has even loaded. The recording
is keyed by what it depends on; a change of any of them starts a new one. Only the standard
library is imported here: this runs before anything heavy.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import sys
import threading
from pathlib import Path
from typing import Any

from video_json_ai import __version__
from video_json_ai.atomic import write_text_atomic

log = logging.getLogger(__name__)

FILE_NAME = "handshake-cache.json"
PROTOCOL_META = "io.modelcontextprotocol/protocolVersion"
"""Where a 2026-era request names its protocol version (in ``params._meta``)."""


def request_key(message: dict[str, Any], session_version: str | None) -> str | None:
    """The recording's key for a request whose answer is the same for every client, else None.

    ``initialize`` by the version asked; ``server/discover`` and the first page of ``tools/list``
    by the request's own protocol version, or, in a legacy session, the one ``initialize`` agreed
    (``session_version``)."""
    if "id" not in message:
        return None
    method, params = message.get("method"), message.get("params") or {}
    if not isinstance(params, dict):
        return None
    meta = params.get("_meta")
    version = meta.get(PROTOCOL_META) if isinstance(meta, dict) else None
    if method == "initialize":
        asked = params.get("protocolVersion")
        return f"initialize|{asked}" if isinstance(asked, str) else None
    if method == "server/discover":
        return f"server/discover|{version}" if isinstance(version, str) else None
    if method == "tools/list" and params.get("cursor") is None:
        version = version or session_version
        return f"tools/list|{version}" if isinstance(version, str) else None
    return None


def _installed(package: str) -> str:
    """Where ``package`` is installed and when, without importing it: changes when it is upgraded."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.origin:
        return f"{package} missing"
    return f"{package} {spec.origin} {os.stat(spec.origin).st_mtime_ns}"


def identity(backend: str) -> str:
    """What the recorded answers depend on."""
    parts = [f"video-json-ai {__version__}", _installed("video_json_ai.server"), _installed("mcp"),
             _installed("mcp_types"), f"backend {backend}", f"python {sys.version_info[0]}.{sys.version_info[1]}"]
    return "; ".join(parts)


class HandshakeCache:
    """Recorded answers (JSON-RPC ``result`` objects) by request key, kept in one JSON file."""

    def __init__(self, path: Path, identity: str) -> None:
        self.path, self.identity = path, identity
        self._answers: dict[str, Any] = {}
        self._lock = threading.Lock()
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            log.warning("ignoring the unreadable handshake recording %s (%s)", path, exc)
            return
        if isinstance(saved, dict) and saved.get("identity") == identity and isinstance(saved.get("answers"), dict):
            self._answers = saved["answers"]

    @classmethod
    def in_home(cls, home: Path, backend: str) -> HandshakeCache:
        return cls(home / FILE_NAME, identity(backend))

    def get(self, key: str) -> Any | None:
        with self._lock:
            return self._answers.get(key)

    def put(self, key: str, result: Any) -> None:
        """Record (or replace) an answer; the file is rewritten atomically when it changed."""
        with self._lock:
            if self._answers.get(key) == result:
                return
            self._answers[key] = result
            text = json.dumps({"identity": self.identity, "answers": self._answers}, ensure_ascii=False)
        try:
            write_text_atomic(self.path, text)
        except OSError as exc:  # a read-only data directory only costs the fast start
            log.warning("could not save the handshake recording %s (%s)", self.path, exc)
