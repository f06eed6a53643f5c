"""MCP Apps: extract_json bound to the report view, through the SDK's client with and without the
Apps extension, and the view itself in a test host page in headless Chromium."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.client.extension import advertise
from mcp.server.apps import APP_MIME_TYPE, EXTENSION_ID
from PIL import Image

from tests.support.browser import PageWatch, launch_options
from tests.support.mcp_host import HOST_PAGE, app_visible, bridge, wire
from video_json_ai.engine.storyboard import plan_layout
from video_json_ai.mcp.apps import REPORT_VIEW_URI, THUMBNAIL_TOOL
from video_json_ai.mcp.server import create_server

pytestmark = pytest.mark.anyio
FEATURES = ["metadata", "scenes", "keyframes"]


def apps_client(app: Any) -> Client:
    return Client(create_server(app), extensions=[advertise(EXTENSION_ID, {"mimeTypes": [APP_MIME_TYPE]})])


async def test_tools_and_resource_of_the_view(client: Any) -> None:  # noqa: ANN001
    tools = {t.name: t for t in (await client.list_tools()).tools}
    assert tools["extract_json"].meta["ui"] == {"resourceUri": REPORT_VIEW_URI}  # visible to model and app
    assert tools[THUMBNAIL_TOOL].meta["ui"] == {"resourceUri": REPORT_VIEW_URI, "visibility": ["app"]}
    assert [n for n, t in tools.items() if not app_visible(t) or "visibility" in (t.meta or {}).get("ui", {})] == [THUMBNAIL_TOOL]
    read = await client.read_resource(REPORT_VIEW_URI)
    page = read.contents[0]
    assert page.mime_type == APP_MIME_TYPE and page.text.startswith("<!DOCTYPE html>")
    assert 'id="vja-data">null</script>' in page.text and "ui/notifications/tool-result" in page.text
    assert client.server_capabilities.extensions and EXTENSION_ID in client.server_capabilities.extensions


async def test_a_client_without_apps_gets_no_ui_content(app: Any, shared_media: Path) -> None:
    args = {"source": str(shared_media / "testvideo.mp4"), "features": FEATURES}
    async with Client(create_server(app)) as plain:
        without = await plain.call_tool("extract_json", args)
    async with apps_client(app) as host:
        with_apps = await host.call_tool("extract_json", args)
    assert not without.is_error and not with_apps.is_error
    assert "ui" not in (without.meta or {})  # exactly the result a client without Apps always got ...
    assert same_but_job(without) == same_but_job(with_apps)
    video_id = without.structured_content["video_id"]
    assert with_apps.meta["ui"] == {"resourceUri": REPORT_VIEW_URI, "reportUri": f"video://{video_id}/report",
                                    "thumbnailTool": THUMBNAIL_TOOL}  # ... and the view's hints for one with it

    kinds = [c.type for c in without.content]
    assert kinds == ["text", "text", "image"]  # the report, the storyboard's caption, the storyboard
    assert "Storyboard: every scene" in without.content[1].text
    board = Image.open(io.BytesIO(base64.b64decode(without.content[2].data)))
    scenes = without.structured_content["report"]["scenes"]
    layout = plan_layout(len(scenes), 16 / 9)
    assert board.format == "JPEG" and board.size == (layout.width, layout.height)
    assert Path(without.structured_content["storyboard_path"]).read_bytes() == base64.b64decode(without.content[2].data)

    later = await _call(app, "extract_json", {**args, "cursor": "scenes:2", "page_size": 2})
    assert [c.type for c in later.content] == ["text"]  # the storyboard comes with the first page only
    off = await _call(app, "extract_json", {**args, "storyboard": False})
    assert [c.type for c in off.content] == ["text"]


def same_but_job(result: Any) -> list[Any]:
    """The result's content and structured content, less the job id (each call is a new job)."""
    content = [c.model_dump() for c in result.content]
    content[0]["text"] = json.loads(content[0]["text"])
    content[0]["text"].pop("job_id")
    return [content, {k: v for k, v in result.structured_content.items() if k != "job_id"}]


async def _call(app: Any, tool: str, args: dict[str, Any]) -> Any:
    async with Client(create_server(app)) as plain:
        result = await plain.call_tool(tool, args)
    assert not result.is_error, result.content
    return result


async def test_thumbnail_tool_gives_the_view_small_keyframes(app: Any, shared_media: Path) -> None:
    async with apps_client(app) as host:
        done = await host.call_tool("extract_json", {"source": str(shared_media / "testvideo.mp4"), "features": FEATURES})
        video_id = done.structured_content["video_id"]
        thumb = await host.call_tool(THUMBNAIL_TOOL, {"video_id": video_id, "scene": 1, "width": 160})
        missing = await host.call_tool(THUMBNAIL_TOOL, {"video_id": video_id, "scene": 99})
        unknown = await host.call_tool(THUMBNAIL_TOOL, {"video_id": "vid_0000000000000000", "scene": 0})
    assert not thumb.is_error and [c.type for c in thumb.content] == ["image"]
    picture = Image.open(io.BytesIO(base64.b64decode(thumb.content[0].data)))
    assert picture.format == "JPEG" and picture.size == (160, 90)
    assert thumb.structured_content == {"video_id": video_id, "scene": 1, "width": 160, "height": 90, "mime_type": "image/jpeg"}
    assert missing.is_error and "Scene 99 does not exist" in missing.content[0].text
    assert unknown.is_error and "extract_json" in unknown.content[0].text


async def test_the_view_in_a_host_shows_the_storyboard(app: Any, shared_media: Path, tmp_path: Path) -> None:
    from playwright.async_api import async_playwright

    args = {"source": str(shared_media / "testvideo.mp4"), "features": FEATURES, "page_size": 2}
    calls: list[str] = []
    async with apps_client(app) as host, async_playwright() as playwright:
        tools = {t.name: t for t in (await host.list_tools()).tools}
        html = (await host.read_resource(tools["extract_json"].meta["ui"]["resourceUri"])).contents[0].text
        result = await host.call_tool("extract_json", args)  # 2 scenes on this page: the view reads the rest
        total = result.structured_content["scenes_total"]
        browser = await playwright.chromium.launch(**launch_options())
        page = await browser.new_page(viewport={"width": 1120, "height": 800})
        watch = PageWatch(allowed={"about:blank", "about:srcdoc"})
        watch.attach(page)
        await page.expose_function("mcpCall", bridge(host, tools, calls))
        await page.set_content(HOST_PAGE)
        await page.evaluate("([h, a, r]) => startView(h, a, r)", [html, args, wire(result)])
        view = page.frame_locator("#view")
        await view.locator(f"html[data-rendered='{total}']").wait_for()
        frame = next(f for f in page.frames if f != page.main_frame)
        await frame.wait_for_function("document.querySelectorAll('.card img').length === "
                                      f"{total} && [...document.images].every(i => i.complete && i.naturalWidth > 0)")
        assert await view.locator(".card").count() == total >= 5
        await view.locator(".card").nth(3).click()
        assert "Scene #3" in await view.locator("#facts").inner_text()
        assert await frame.evaluate("document.documentElement.dataset.theme") == "light"
        log = await page.evaluate("window.hostLog.map(m => m.method || 'answer')")
        await page.screenshot(path=str(tmp_path / "app.png"))
        await browser.close()
    assert log[0] == "ui/initialize" and "ui/notifications/initialized" in log and "ui/notifications/size-changed" in log
    assert calls.count(f"tools/call {THUMBNAIL_TOOL}") == total  # every picture through the app-only tool
    assert f"resources/read video://{result.structured_content['video_id']}/report" in calls
    assert not any(c.startswith("tools/call extract_json") for c in calls)
    watch.assert_clean()


async def test_get_state_lists_the_page_and_storyboard_beside_the_report(client: Any, shared_media: Path) -> None:  # noqa: ANN001
    args = {"source": str(shared_media / "testvideo.mp4"), "features": FEATURES, "storyboard": False}
    done = (await client.call_tool("extract_json", args)).structured_content
    report, page = Path(done["report_path"]), Path(done["report_html_path"])
    assert page == report.with_suffix(".html") and page.is_file()
    assert f'"video_id":"{done["video_id"]}"' in page.read_text(encoding="utf-8")
    state = (await client.call_tool("get_state", {})).structured_content
    entry = next(v for v in state["session"]["videos"] if v["video_id"] == done["video_id"])
    assert (entry["report_path"], entry["report_html_path"], entry["storyboard_path"]) == (
        done["report_path"], done["report_html_path"], done["storyboard_path"])
    page.unlink()  # a cached report gets its page back when asked for again
    again = (await client.call_tool("extract_json", args)).structured_content
    assert again["report_path"] == done["report_path"] and Path(again["report_html_path"]).is_file()
