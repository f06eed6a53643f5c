"""A headless Chromium shared by the page tests of this folder."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.browser import launch_options


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    options = launch_options()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(**options)
        try:
            yield chromium
        finally:
            chromium.close()
