"""The server's recorded answers to the first requests of an MCP session, for a fast start.

A client's first requests (the handshake, ``initialize`` or ``server/discover``, then the lists of
tools, prompts, resources and resource templates) get answers that depend only on this package, the SDK and the backend. The stdio relay gives them
from a recording before the SDK has even loaded, and records the SDK's answers it did not have.
A recording is tied to what it depends on (``identity``); a change of any of them starts a new one.
Only the standard library is imported here: this runs before anything heavy.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import threading
from pathlib import Path
from typing import Any

from video_json_ai import __version__
from video_json_ai.util.atomic import write_text_atomic

log = logging.getLogger(__name__)

FILE_NAME = "handshake-cache.json"
PACKAGED_DIR = Path(__file__).with_name("recordings")
LISTS = {
    "tools/list": "notifications/tools/list_changed",
    "prompts/list": "notifications/prompts/list_changed",
    "resources/list": "notifications/resources/list_changed",
    "resources/templates/list": "notifications/resources/list_changed",
}
"""The lists a client asks for as it connects (first page only), and what tells it one changed."""
PROTOCOL_META = "io.modelcontextprotocol/protocolVersion"
"""Where a 2026-era request names its protocol version (in ``params._meta``)."""


def request_key(message: dict[str, Any], session_version: str | None) -> str | None:
    """The recording's key for a request whose answer is the same for every client, else None.

    ``initialize`` by the version asked; ``server/discover`` and the first page of each of the
    ``LISTS`` by the request's own protocol version, or, in a legacy session, the one
    ``initialize`` agreed (``session_version``). Our lists are fixed by the code: tools, resource
    templates, no prompts and no concrete resources."""
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
    if method in LISTS and params.get("cursor") is None:
        version = version or session_version
        return f"{method}|{version}" if isinstance(version, str) else None
    return None


def _dist_version(package: str) -> str:
    """The installed version of ``package`` from its ``.dist-info`` folder, without importing it
    (``importlib.metadata`` alone costs ~0.1 s)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.origin:
        return "missing"
    site = Path(spec.origin).parent.parent
    prefix = f"{package}-"
    found = sorted(n[len(prefix):-len(".dist-info")] for n in os.listdir(site)
                   if n.startswith(prefix) and n.endswith(".dist-info") and n[len(prefix):][:1].isdigit())
    return found[-1] if found else "unknown"


def identity(backend: str) -> str:
    """What the recorded answers depend on."""
    return (f"video-json-ai {__version__}; mcp {_dist_version('mcp')}; "
            f"mcp_types {_dist_version('mcp_types')}; backend {backend}")


class Recording:
    """Recorded answers (JSON-RPC ``result`` objects) by request key, in one JSON file; answers
    that are the same for several keys (e.g. tools/list in several protocol versions) stored once."""

    def __init__(self, path: Path, identity: str) -> None:
        self.path, self.identity = path, identity
        self.answers: dict[str, str] = {}
        self.results: dict[str, Any] = {}
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            log.warning("ignoring the unreadable handshake recording %s (%s)", path, exc)
            return
        if isinstance(saved, dict) and saved.get("identity") == identity \
                and isinstance(saved.get("answers"), dict) and isinstance(saved.get("results"), dict):
            self.answers, self.results = saved["answers"], saved["results"]

    def get(self, key: str) -> Any | None:
        digest = self.answers.get(key)
        return self.results.get(digest) if digest else None

    def put(self, key: str, result: Any) -> None:
        """Record (or replace) an answer and rewrite the file atomically."""
        text = json.dumps(result, sort_keys=True, ensure_ascii=False)
        digest = hashlib.sha256(text.encode()).hexdigest()[:16]
        self.answers[key] = digest
        self.results[digest] = result
        used = set(self.answers.values())
        self.results = {d: r for d, r in self.results.items() if d in used}
        write_text_atomic(self.path, json.dumps(
            {"identity": self.identity, "answers": self.answers, "results": self.results},
            ensure_ascii=False, indent=None, sort_keys=True) + "\n")


class HandshakeCache:
    """The answers recorded in the data directory on earlier starts, over those shipped with the
    package (recorded by ``make handshake`` for the pinned SDK, checked by the tests), so that even
    the first start is fast. Only the data directory's recording is ever written."""

    def __init__(self, home: Path, backend: str) -> None:
        ident = identity(backend)
        self.home = Recording(home / FILE_NAME, ident)
        shipped = PACKAGED_DIR / f"{backend}.json" if backend.isalnum() else PACKAGED_DIR / "none"
        self.packaged = Recording(shipped, ident)
        self._lock = threading.Lock()

    def get(self, key: str) -> Any | None:
        with self._lock:
            found = self.home.get(key)
            return found if found is not None else self.packaged.get(key)

    def put(self, key: str, result: Any) -> None:
        with self._lock:
            if result == (self.home.get(key) or self.packaged.get(key)):
                return
            try:
                self.home.put(key, result)
            except OSError as exc:  # a read-only data directory only costs the fast start
                log.warning("could not save the handshake recording %s (%s)", self.home.path, exc)
