"""Headless Chromium (Debian's, driven by Playwright) and a watch on what a page does: console
errors, uncaught exceptions and every network request it makes."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from typing import Any

import pytest

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def chromium_path() -> str:
    """The system Chromium; the test is skipped without it, except in CI (.ci/run installs it)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed: .ci/run should have installed it")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return found


def launch_options() -> dict[str, Any]:
    return {"executable_path": chromium_path(), "args": CHROMIUM_ARGS}


@dataclass
class PageWatch:
    """Everything a page (and its frames) logged as an error or asked of the network."""

    allowed: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def attach(self, page: Any) -> None:
        page.on("console", lambda m: self.errors.append(f"console.{m.type}: {m.text}") if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        page.on("request", lambda r: None if r.url in self.allowed else self.requests.append(r.url[:120]))

    def assert_clean(self) -> None:
        assert self.errors == [], self.errors
        assert self.requests == [], f"the page made network requests: {self.requests}"
