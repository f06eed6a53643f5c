"""URL sources on the local backend through the MCP client, against a real HTTP server on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.clips import make_clip
from tests.support.harness import mcp_client, running_app
from tests.support.http_servers import http_server, send_bytes
from tests.support.mutate import make_seed

pytestmark = pytest.mark.anyio


async def test_a_url_is_fetched_only_with_the_opt_in_and_is_the_same_video(
        env: dict[str, str], media_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clip = make_clip(media_dir / "clip.mp4", seconds=0.6, width=96, height=64)
    mp3 = make_seed("mp3", tmp_path / "tone.mp3").read_bytes()
    routes = {"/v/clip.mp4": send_bytes(clip.read_bytes()), "/v/lying.mp4": send_bytes(mp3, "video/mp4"),
              "/watch": send_bytes(clip.read_bytes(), "video/mp4"), "/page.html": send_bytes(b"<html>", "text/html")}
    with http_server("127.0.0.1", routes) as server:
        with running_app() as app:
            async with mcp_client(app) as client:
                refused = await client.call_tool("upload_video", {"source": server.url("/v/clip.mp4")})
                assert refused.is_error and "non-public address" in refused.content[0].text
        assert server.hits == []
        monkeypatch.setenv("VIDEO_JSON_ALLOW_PRIVATE_URLS", "1")
        with running_app() as app:
            async with mcp_client(app) as client:
                local = (await client.call_tool("upload_video", {"source": str(clip)})).structured_content
                remote = await client.call_tool("upload_video", {"source": server.url("/v/clip.mp4")})
                assert not remote.is_error, remote.content[0].text
                data = remote.structured_content
                assert data["video_id"] == local["video_id"] and data["file_name"] == "clip.mp4"
                typed = (await client.call_tool("upload_video", {"source": server.url("/watch")})).structured_content
                assert typed["video_id"] == local["video_id"]  # the extension from the Content-Type
                report = await client.call_tool("extract_json", {"source": server.url("/v/clip.mp4"),
                                                                 "features": ["metadata"]})
                assert not report.is_error and report.structured_content["report"]["metadata"]["video"][0]["width"] == 96
                export = await client.call_tool("export_render", {"source": server.url("/v/clip.mp4"), "format": "wav"})
                assert not export.is_error, export.content[0].text
                lying = await client.call_tool("upload_video", {"source": server.url("/v/lying.mp4")})
                assert lying.is_error and "holds MP3 audio" in lying.content[0].text
                page = await client.call_tool("upload_video", {"source": server.url("/page.html")})
                assert page.is_error and "not a supported media type" in page.content[0].text
            downloads = app.config.output_dir / "downloads"
    assert sorted(p.name for p in downloads.iterdir()) == [f"{local['video_id'][4:]}.mp4"]
