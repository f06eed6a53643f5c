"""The real thing: `video-json-ai serve` as a stdio subprocess, driven by the SDK's client."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters

pytestmark = pytest.mark.anyio


def _server_params(env: dict[str, str]) -> StdioServerParameters:
    return StdioServerParameters(
        command=sys.executable,
        args=["-m", "video_json_ai", "serve"],
        env={**os.environ, **env},
    )


async def test_stdio_server_end_to_end(env: dict[str, str], clip: Path) -> None:
    async with Client(_server_params(env)) as client:
        tools = await client.list_tools()
        assert {t.name for t in tools.tools} == {"upload_video", "extract_json", "get_state", "check_credits", "export_render",
                                                 "keyframe_thumbnail"}
        up = await client.call_tool("upload_video", {"source": str(clip)})
        assert not up.is_error, up.content
        res = await client.call_tool("extract_json", {"video_id": up.structured_content["video_id"],
                                                      "instructions": "metadata only"})
        assert not res.is_error, res.content
        assert res.structured_content["report"]["metadata"]["video"][0]["width"] == 320


def test_server_starts_without_heavy_imports() -> None:
    """The server module must not import PyAV/numpy/Pillow at start-up (they load on first use)."""
    import subprocess

    code = ("import sys; import video_json_ai.mcp.server as s; s.create_server(); "
            "print([m for m in ('av', 'numpy', 'PIL') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]", out


async def test_streamable_http_transport(env: dict[str, str], clip: Path) -> None:
    import socket
    import subprocess

    import anyio

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "video_json_ai", "serve", "--transport", "http", "--host", "127.0.0.1", "--port", str(port)],
        env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        with anyio.fail_after(20):
            while True:
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                        break
                except OSError:
                    assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
                    await anyio.sleep(0.1)
        async with Client(f"http://127.0.0.1:{port}/mcp") as client:
            res = await client.call_tool("upload_video", {"source": str(clip)})
            assert not res.is_error, res.content
            assert res.structured_content["summary"]["width"] == 320
    finally:
        proc.terminate()
        proc.wait(timeout=10)
