"""Shared fixtures: an isolated data directory, the app, an in-process MCP client."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.support.clips import make_clip
from tests.support.harness import mcp_client, running_app

SHARED_MEDIA = Path(__file__).resolve().parents[1].parent / "shared" / "media"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def shared_media() -> Path:
    if not (SHARED_MEDIA / "truth.json").is_file():
        pytest.skip(f"shared test media not found at {SHARED_MEDIA} (clone beside ../shared)")
    return SHARED_MEDIA


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """A private data dir; allowed dirs = the test's tmp dir and the shared media."""
    home = tmp_path / "home"
    media = tmp_path / "media"
    media.mkdir()
    values = {
        "VIDEO_JSON_HOME": str(home),
        "VIDEO_JSON_ALLOWED_DIRS": os.pathsep.join([str(media), str(SHARED_MEDIA)]),
        "VIDEO_JSON_BACKEND": "local",
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("VIDEO_JSON_OUTPUT_DIR", raising=False)
    yield values


@pytest.fixture
def config(tmp_path: Path) -> "Config":  # noqa: F821
    """A Config whose one allowed root is ``tmp_path/root`` (HOME: tmp_path), from no environment."""
    from video_json_ai.config import Config

    root = tmp_path / "root"
    root.mkdir()
    return Config.from_env({"HOME": str(tmp_path), "VIDEO_JSON_HOME": str(tmp_path / "data"),
                            "VIDEO_JSON_ALLOWED_DIRS": str(root)})


@pytest.fixture
def media_dir(env: dict[str, str]) -> Path:
    return Path(env["VIDEO_JSON_ALLOWED_DIRS"].split(os.pathsep)[0])


@pytest.fixture
def clip(media_dir: Path) -> Path:
    return make_clip(media_dir / "clip.mp4")


@pytest.fixture
def app(env: dict[str, str]) -> Iterator["App"]:  # noqa: F821
    with running_app() as application:
        yield application


@pytest.fixture
async def client(app) -> AsyncIterator["Client"]:  # noqa: F821, ANN001
    async with mcp_client(app) as c:
        yield c
