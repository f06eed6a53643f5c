"""The app and an in-process MCP client over it, for fixtures of any backend."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mcp import Client

    from video_json_ai.core.app import App


@contextmanager
def running_app() -> Iterator[App]:
    """An App configured from the environment, closed afterwards."""
    from video_json_ai.core.app import App

    application = App()
    try:
        yield application
    finally:
        application.close()


@asynccontextmanager
async def mcp_client(app: App) -> AsyncIterator[Client]:
    """The SDK's client talking to our server in-process."""
    from mcp import Client

    from video_json_ai.mcp.server import create_server

    async with Client(create_server(app)) as client:
        yield client
