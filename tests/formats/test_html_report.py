"""The report page in headless Chromium: a real clip's page made by the CLI, a 2-hour synthetic report
of 1,500 scenes (first render timed), a narrow chat column."""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from typing import Any

from tests.support.browser import PageWatch
from tests.support.reports import synthetic_report, synthetic_images
from video_json_ai import cli
from video_json_ai.engine.storyboard import clock
from video_json_ai.formats.html import report_page
from video_json_ai.models.report import Report

DOCS_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "report-view.png"
"""Rewritten from this test's screenshot when UPDATE_DOCS_SCREENSHOT=1 (the README shows it)."""


def save_docs_screenshot(shot: Path) -> None:
    from PIL import Image

    with Image.open(shot) as picture:
        small = picture.convert("RGB").resize((960, round(picture.height * 960 / picture.width)), Image.Resampling.LANCZOS)
    small.quantize(colors=192, method=Image.Quantize.MEDIANCUT).save(DOCS_SCREENSHOT, optimize=True)


def embedded(page_file: Path) -> dict[str, Any]:
    text = page_file.read_text(encoding="utf-8")
    found = re.search(r'<script type="application/json" id="vja-data">(.*?)</script>', text, re.S)
    assert found, "no data block in the page"
    return json.loads(found.group(1))


def open_page(browser: Any, url: str, width: int = 1280, height: int = 900) -> tuple[Any, PageWatch]:
    page = browser.new_page(viewport={"width": width, "height": height})
    watch = PageWatch(allowed={url})
    watch.attach(page)
    page.goto(url)
    page.wait_for_selector("html[data-rendered]")
    return page, watch


def facts(page: Any) -> str:
    return page.locator("#facts").inner_text()


def test_page_of_a_real_clip(env: dict[str, str], shared_media: Path, tmp_path: Path, browser: Any) -> None:
    out = tmp_path / "report.html"
    assert cli.main(["extract", str(shared_media / "testvideo.mp4"), "--features", "metadata,scenes,keyframes",
                     "--format", "html", "-o", str(out)]) == 0
    data = embedded(out)
    report = Report.model_validate(data["report"])
    scenes = report.scenes or []
    assert len(scenes) >= 5 and len(data["images"]) == len(scenes)
    page, watch = open_page(browser, out.as_uri())
    page.wait_for_function("[...document.images].length > 0 && [...document.images].every(i => i.complete)")

    cards = page.locator(".card")
    assert cards.count() == len(scenes)  # one card per scene
    widths = page.evaluate("[...document.querySelectorAll('.card img')].map(i => i.naturalWidth)")
    assert len(widths) == len(scenes) and all(w > 0 for w in widths), widths
    for n, scene in enumerate(scenes):
        text = cards.nth(n).inner_text()
        assert f"#{scene.index}" in text and clock(scene.start_s) in text, text
        assert cards.nth(n).locator("svg").get_attribute("aria-label") == scene.transition_in.kind
    summary = page.locator("#summary").inner_text()
    assert "1280x720" in summary and f"{len(scenes)} (" in summary and "29.97 fps" in summary

    third = scenes[3]
    cards.nth(3).click()
    shown = facts(page)
    assert f"Scene #{third.index}" in shown and third.start_timecode in shown and f"frame {third.start_frame}" in shown
    assert f"{round(third.mean_brightness * 100)}%" in shown and third.motion in shown
    assert all(c.hex in shown for c in third.dominant_colours)
    assert cards.nth(3).get_attribute("aria-selected") == "true"

    page.keyboard.press("ArrowRight")  # keyboard: the focused card moves on
    assert f"Scene #{scenes[4].index}" in facts(page)
    page.keyboard.press("Home")
    assert "Scene #0" in facts(page)
    page.keyboard.press("End")
    assert f"Scene #{scenes[-1].index}" in facts(page)

    box = page.locator("#timeline").bounding_box()
    duration = report.summary.duration_s or scenes[-1].end_s
    middle = (scenes[2].start_s + scenes[2].end_s) / 2 / duration
    page.mouse.click(box["x"] + box["width"] * middle, box["y"] + box["height"] / 2)  # the timeline too
    assert f"Scene #{scenes[2].index}" in facts(page)

    shot = tmp_path / "report.png"
    page.locator("#app").screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    if os.environ.get("UPDATE_DOCS_SCREENSHOT"):
        save_docs_screenshot(shot)
    watch.assert_clean()
    page.close()


def test_two_hour_report_of_1500_scenes_renders_first_in_under_a_second(tmp_path: Path, browser: Any) -> None:
    report = synthetic_report(1500)
    out = tmp_path / "long.html"
    out.write_text(report_page(report, synthetic_images(1500)), encoding="utf-8")
    size_mb = out.stat().st_size / 1e6
    assert size_mb > 8  # the pictures are about as large as real ones: the timing means something
    started = time.perf_counter()
    page, watch = open_page(browser, out.as_uri())
    page.wait_for_function("VJA.firstRender > 0")
    first_ms = page.evaluate("VJA.firstRender")  # from navigation start to the first frame drawn
    wall_s = time.perf_counter() - started
    print(f"\n1,500 scenes, {size_mb:.1f} MB page: first render {first_ms:.0f} ms after navigation ({wall_s:.2f} s wall)")
    assert first_ms < 1000, first_ms

    in_dom = page.locator(".card").count()
    assert 0 < in_dom < 200  # virtualised: only the rows on screen (and a few more) exist
    assert page.locator(".card").first.get_attribute("aria-setsize") == "1500"
    assert {c.get_attribute("data-lane") for c in page.locator("#lanes canvas").all()} == {"Silence", "Speech", "Text"}
    page.wait_for_function("[...document.querySelectorAll('.card img')].length > 0 && "
                           "[...document.querySelectorAll('.card img')].every(i => i.complete && i.naturalWidth > 0)")

    page.locator(".card").first.click()
    hostile = report.text[0].text if report.text else ""
    assert hostile in facts(page)  # on-screen text shown as text ...
    assert page.locator("#facts img[src='x'], b").count() == 0  # ... never as markup
    assert page.locator("h1").inner_text() == report.video.file_name
    page.keyboard.press("End")
    page.wait_for_selector(".card[data-index='1499']")
    assert "Scene #1499" in facts(page)
    page.wait_for_function("[...document.querySelectorAll('.card img')].every(i => i.complete && i.naturalWidth > 0)")
    assert page.locator(".card").count() < 200
    watch.assert_clean()
    page.close()


def test_narrow_chat_column(tmp_path: Path, browser: Any) -> None:
    report = synthetic_report(40, seconds=300)
    out = tmp_path / "narrow.html"
    out.write_text(report_page(report, synthetic_images(40)), encoding="utf-8")
    page, watch = open_page(browser, out.as_uri(), width=360, height=740)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing sticks out sideways
    page.keyboard.press("Tab")  # keyboard only: the timeline, then the first card
    assert page.evaluate("document.activeElement.id") == "timeline"
    page.keyboard.press("ArrowRight")
    assert "Scene #0" in facts(page)
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")
    assert "Scene #2" in facts(page) and page.evaluate("document.activeElement.dataset.index") == "2"
    lefts = {round(b["x"]) for b in (c.bounding_box() for c in page.locator(".card").all()) if b}
    assert len(lefts) == 2  # two columns of cards
    page.locator(".card").nth(1).click()
    grid, aside = page.locator("#grid").bounding_box(), page.locator("#facts").bounding_box()
    assert aside["y"] >= grid["y"] + grid["height"]  # the facts go under the grid, full width
    assert aside["width"] > 300
    watch.assert_clean()
    page.close()
