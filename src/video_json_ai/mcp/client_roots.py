"""The MCP client's roots: asked with ``roots/list`` when the client offers them, asked again after
its ``notifications/roots/list_changed``. They replace VIDEO_JSON_ALLOWED_DIRS for that client's
requests (core/roots.py); a client that offers none keeps the configured roots."""

from __future__ import annotations

import logging
import warnings
from typing import Any

import anyio

from video_json_ai.core.roots import ClientRootsCache, Roots

log = logging.getLogger(__name__)
ASK_TIMEOUT_S = 5.0
LIST_CHANGED = "notifications/roots/list_changed"


def _connection(session: Any) -> object:
    """What stays the same across a client's requests (the SDK makes a session object per request)."""
    return getattr(session, "_connection", None) or session


class ClientRoots:
    def __init__(self, allow_any: bool) -> None:
        self.cache = ClientRootsCache(allow_any)

    async def for_request(self, session: Any) -> Roots | None:
        """The roots the client of ``session`` offers, or None when it offers none (or cannot be asked)."""
        capabilities = getattr(session, "client_capabilities", None)
        if capabilities is None or getattr(capabilities, "roots", None) is None:
            return None

        async def ask() -> list[str]:
            with anyio.fail_after(ASK_TIMEOUT_S), warnings.catch_warnings():
                warnings.simplefilter("ignore")  # roots are deprecated in the 2026 protocol, alive before it
                result = await session.list_roots()
            return [str(root.uri) for root in result.roots]

        try:
            roots = await self.cache.get(_connection(session), ask)
        except Exception as exc:  # noqa: BLE001 - no back-channel, a timeout, a bad answer: keep the configured roots
            log.info("could not ask the client for its roots (%s); using the configured ones", type(exc).__name__)
            return None
        for refused in self.cache.skipped:
            log.warning("client root refused: %s", refused)
        return roots

    async def middleware(self, ctx: Any, call_next: Any) -> Any:
        """Server middleware: forget a client's roots when it says they changed."""
        if getattr(ctx, "method", None) == LIST_CHANGED:
            self.cache.invalidate(_connection(ctx.session))
        return await call_next(ctx)
