"""`video-json-ai -v serve` as a real stdio subprocess on the nemo backend: a short session, then a
scan of everything the server wrote to stderr (debug logs on) and returned, for the tokens."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client

from tests.support.nemo_emulator import NemoEmulator, nemo_emulator, nemo_emulator_server, nemo_env  # noqa: F401
from tests.support.nemo_helpers import _nemo_clip_bytes, clip  # noqa: F401

pytestmark = pytest.mark.anyio


async def test_stdio_server_never_shows_the_token(nemo_env: dict[str, str], nemo_emulator: NemoEmulator, clip: Path,
                                                  tmp_path: Path) -> None:
    params = StdioServerParameters(command=sys.executable, args=["-m", "video_json_ai", "-v", "serve"],
                                   env={**os.environ, **nemo_env})
    errlog = tmp_path / "stderr.txt"
    shown: list[str] = []
    with errlog.open("w") as err:
        async with Client(stdio_client(params, errlog=err)) as client:
            for tool, args in (("upload_video", {"source": str(clip)}),
                               ("extract_json", {"instructions": "Describe the scenes"}),
                               ("extract_json", {"instructions": "我还有多少积分"}),
                               ("get_state", {}), ("export_render", {})):
                result = await client.call_tool(tool, args)
                assert not result.is_error, (tool, result.content)
                shown.append(result.model_dump_json())
    stderr = errlog.read_text()
    assert "obtained an anonymous NemoVideo token" in stderr  # the debug log was captured
    assert "HTTP Request: POST" in stderr
    [token] = nemo_emulator.issued_tokens()
    assert nemo_emulator.requests("render")[0].headers["authorization"] == f"Bearer {token}"
    for text in (stderr, *shown):
        assert token not in text
