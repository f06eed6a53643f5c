"""Helpers for the nemo backend tests: a backend on the emulator, progress recorders, the app and
the in-process MCP client on the nemo backend, and the token scan."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.harness import mcp_client, running_app
from tests.support.nemo_emulator import NemoEmulator
from video_json_ai.backends.nemo.auth import TOKEN_KEY
from video_json_ai.backends.nemo.backend import NemoBackend
from video_json_ai.config import Config
from video_json_ai.core.store import Store


class Recorder:
    """A ProgressFn that keeps every call."""

    def __init__(self) -> None:
        self.calls: list[tuple[float, str]] = []

    def __call__(self, fraction: float, message: str) -> None:
        assert 0.0 <= fraction <= 1.0, fraction
        self.calls.append((fraction, message))

    def messages(self, word: str) -> list[str]:
        return [m for _, m in self.calls if word in m]


def make_backend(**env: str) -> NemoBackend:
    config = Config.from_env({**os.environ, **env})
    return NemoBackend(config, Store(config.db_path))


def stored_token(backend: NemoBackend) -> str | None:
    return backend.store.get_value(TOKEN_KEY)


def assert_no_secret(secret: str | None, *texts: object) -> None:
    assert secret, "no token to look for"
    for text in texts:
        assert secret not in str(text)


def db_file(backend: NemoBackend) -> Path:
    return backend.store.path


# -- MCP-level fixtures: the app on the nemo backend, the in-process client, the token scan --------

class Seen:
    """Everything the user was shown during a test (tool results, progress messages, errors)."""

    def __init__(self) -> None:
        self.items: list[Any] = []

    def __call__(self, item: Any) -> Any:
        self.items.append(item)
        return item

    def texts(self) -> list[str]:
        out = []
        for item in self.items:
            if hasattr(item, "model_dump_json"):
                out.append(item.model_dump_json())
            else:
                try:
                    out.append(json.dumps(item, default=str))
                except (TypeError, ValueError):
                    out.append(repr(item))
        return out


class Notes:
    """An MCP progress callback that keeps every notification."""

    def __init__(self, seen: Seen | None = None) -> None:
        self.calls: list[tuple[float, float | None, str | None]] = []
        self.seen = seen

    async def __call__(self, progress: float, total: float | None, message: str | None) -> None:
        self.calls.append((progress, total, message))
        if self.seen is not None:
            self.seen(message)

    def messages(self, word: str) -> list[str]:
        return [m for _, _, m in self.calls if m and word in m]


@pytest.fixture
def leak_scan(nemo_emulator: NemoEmulator, caplog: pytest.LogCaptureFixture,
              capfd: pytest.CaptureFixture[str]) -> Iterator[Seen]:
    """After the test: no token the emulator issued appears in the logs (all loggers, DEBUG), in
    anything written to stdout/stderr, or in anything the test put in ``seen``."""
    caplog.set_level(logging.DEBUG)
    seen = Seen()
    yield seen
    out, err = capfd.readouterr()
    fmt = logging.Formatter("%(name)s %(levelname)s %(message)s")
    records = [*caplog.get_records("setup"), *caplog.get_records("call"), *caplog.records]  # records: this teardown
    logs = "\n".join(fmt.format(r) for r in records)
    assert records, "no log records were captured: the scan would be empty"
    texts = [logs, out, err, *seen.texts()]
    for token in nemo_emulator.issued_tokens():
        for text in texts:
            assert token not in text, "a token leaked into logs, stderr or a tool result"


@pytest.fixture
def nemo_app(nemo_env: dict[str, str]) -> Iterator["App"]:  # noqa: F821
    with running_app() as application:
        assert application.config.backend == "nemo"
        yield application


@pytest.fixture
async def nemo_mcp(nemo_app) -> AsyncIterator["Client"]:  # noqa: ANN001, F821
    async with mcp_client(nemo_app) as c:
        yield c


def error_text(result: Any) -> str:
    """The text of a tool result that is an error (asserts it is one)."""
    assert result.is_error, result.structured_content
    return " ".join(getattr(c, "text", "") for c in result.content)


@pytest.fixture(scope="session")
def _nemo_clip_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    from tests.support.clips import make_clip

    return make_clip(tmp_path_factory.mktemp("nemo_clip") / "clip.mp4").read_bytes()


@pytest.fixture
def clip(media_dir: Path, _nemo_clip_bytes: bytes) -> Path:
    """conftest's 2 s test clip, encoded once per run for the nemo tests (imported explicitly)."""
    path = media_dir / "clip.mp4"
    path.write_bytes(_nemo_clip_bytes)
    return path
