"""Helpers for the nemo backend tests: a backend on the emulator, a progress recorder, token scans."""

from __future__ import annotations

import os
from pathlib import Path

from video_json_ai.backends.nemo.auth import TOKEN_KEY
from video_json_ai.backends.nemo.backend import NemoBackend
from video_json_ai.config import Config
from video_json_ai.store import Store


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
