"""A steered model against the server, through the real MCP client over stdio, with the server
started the way Claude Desktop starts it: working directory ``/``, no VIDEO_JSON_ALLOWED_DIRS,
HOME a private folder; secrets planted in its environment and looked for in every channel."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.types import ListRootsResult, Root

from tests.support.clips import make_clip

pytestmark = [pytest.mark.anyio, pytest.mark.filterwarnings("ignore:The roots capability is deprecated")]

SECRETS = {"NEMO_TOKEN": "sk-nemo-planted-0123456789", "MY_API_KEY": "key-planted-abcdefghij",
           "DB_PASSWORD": "pw-planted-klmnopqrst", "GITHUB_TOKEN": "ghp_planted_uvwxyz012345"}


def _server_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIDEO_JSON_", "XDG_"))}
    src = Path(__file__).resolve().parents[3] / "src"
    env.update(SECRETS, HOME=str(home), VIDEO_JSON_BACKEND="local", PYTHONPATH=str(src))
    return env


def _params(home: Path) -> StdioServerParameters:
    return StdioServerParameters(command=sys.executable, args=["-m", "video_json_ai", "-v", "serve"],
                                 env=_server_env(home), cwd="/")


@asynccontextmanager
async def _serve(home: Path, log: Path, **client_options: Any) -> AsyncIterator[Client]:
    """The server over stdio, its stderr (every log line) kept in ``log``."""
    with log.open("w") as errlog, anyio.fail_after(300):
        async with Client(stdio_client(_params(home), errlog=errlog), **client_options) as client:
            yield client


class Channels:
    """Everything the client was shown: results, errors, progress messages, resources."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    async def call(self, client: Client, tool: str, args: dict[str, Any]) -> Any:
        async def progress(done: float, total: float | None, message: str | None) -> None:
            self.texts.append(message or "")

        result = await client.call_tool(tool, args, progress_callback=progress)
        self.texts.append(json.dumps(result.model_dump(mode="json")))
        return result

    def assert_clean(self, *more: str) -> None:
        assert self.texts
        for text in [*self.texts, *more]:
            for value in SECRETS.values():
                assert value not in text, f"a planted secret leaked: {text[:200]}"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    folder = tmp_path / "home"
    (folder / "Videos").mkdir(parents=True)
    return folder


async def test_a_steered_model_cannot_read_write_or_expand(home: Path, tmp_path: Path) -> None:
    clip = make_clip(home / "Videos" / "clip.mp4", seconds=0.5, width=64, height=48)
    outside = tmp_path / "outside"
    outside.mkdir()
    secret_clip = make_clip(outside / "private.mp4", seconds=0.5, width=64, height=48)
    (home / "Videos" / "link.mp4").symlink_to(secret_clip)
    (home / "Videos" / "concat:clip.mp4").write_bytes(clip.read_bytes())
    (home / "Videos" / "list.mp4").write_text(f"ffconcat version 1.0\nfile {secret_clip}\n")
    (home / "Videos" / "playlist.mp4").write_text(f"#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\n{secret_clip}\n#EXT-X-ENDLIST\n")
    seen = Channels()
    log = tmp_path / "server.log"
    async with _serve(home, log) as client:
        refused = {"/etc/passwd": "outside", str(secret_clip): "outside", "/var/tmp/clip.mp4": "outside",
                   str(home / "Videos" / "link.mp4"): "outside", "clip.mp4": "outside",
                   "$NEMO_TOKEN": "outside", "${MY_API_KEY}": "outside", "%DB_PASSWORD%": "outside",
                   "~/$GITHUB_TOKEN.mp4": "No file at", "concat:/etc/passwd|/etc/hosts": "outside",
                   "pipe:0": "outside", "-": "outside", f"file:{clip}": "outside",
                   str(home / "Videos" / "list.mp4"): "could not be opened",
                   str(home / "Videos" / "playlist.mp4"): "could not be opened"}
        for source, words in refused.items():
            result = await seen.call(client, "upload_video", {"source": source})
            assert result.is_error and words in result.content[0].text, (source, result.content[0].text)
        ok = await seen.call(client, "upload_video", {"source": str(clip)})
        assert not ok.is_error, ok.content
        vid = ok.structured_content["video_id"]
        plain = await seen.call(client, "upload_video", {"source": str(home / "Videos" / "concat:clip.mp4")})
        assert not plain.is_error and plain.structured_content["video_id"] == vid  # opened as the plain file it is
        (home / "Videos" / "out").symlink_to(outside)
        (home / "Videos" / "dangling.wav").symlink_to(outside / "made-through-link.wav")
        for output, words in (("/etc/evil.wav", "outside"), (str(outside / "evil.wav"), "outside"),
                              ("$HOME/evil.wav", "outside"), ("/tmp/evil.wav", "outside"),
                              (str(home / "Videos" / "out" / "evil.wav"), "outside"),
                              (str(home / "Videos" / "dangling.wav"), "is a link"),
                              (str(home / "Videos" / "clip.mp4"), "ends in .mp4")):
            result = await seen.call(client, "export_render", {"video_id": vid, "output_path": output, "format": "wav"})
            assert result.is_error and words in result.content[0].text, (output, result.content[0].text)
        assert not Path("/etc/evil.wav").exists() and list(outside.iterdir()) == [secret_clip]
        made = await seen.call(client, "export_render", {"video_id": vid, "format": "wav",
                                                         "output_path": str(home / "Videos" / "cut.wav")})
        assert not made.is_error and (home / "Videos" / "cut.wav").is_file()
        report = await seen.call(client, "extract_json", {"video_id": vid, "features": ["metadata"]})
        assert not report.is_error
        state = await seen.call(client, "get_state", {})
        assert not state.is_error
        resource = await client.read_resource(f"video://{vid}/report")
        seen.texts.append(json.dumps(resource.model_dump(mode="json")))
    err = log.read_text()
    assert "DEBUG" in err and "Tool 'upload_video' failed" in err, "no server log was captured: the scan would be empty"
    seen.assert_clean(err, *(p.read_text(errors="replace") for p in home.rglob("*.json")))


async def test_client_roots_are_honoured_and_follow_changes(home: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "roots-a", tmp_path / "roots-b"
    first.mkdir()
    second.mkdir()
    a = make_clip(first / "a.mp4", seconds=0.4, width=64, height=48)
    b = make_clip(second / "b.mp4", seconds=0.4, width=80, height=48)
    in_home = make_clip(home / "Videos" / "h.mp4", seconds=0.4, width=96, height=48)
    offered = [first]

    async def list_roots(context: Any) -> ListRootsResult:
        return ListRootsResult(roots=[Root(uri=f"file://{p}", name=p.name) for p in offered])

    async with _serve(home, tmp_path / "server.log", mode="legacy", list_roots_callback=list_roots) as client:
        first_upload = await client.call_tool("upload_video", {"source": str(a)})
        assert not first_upload.is_error
        home_refused = await client.call_tool("upload_video", {"source": str(in_home)})
        assert home_refused.is_error and "client roots" in home_refused.content[0].text  # the client's roots replace home
        assert (await client.call_tool("upload_video", {"source": str(b)})).is_error
        offered[:] = [second]
        await client.send_roots_list_changed()
        for _ in range(50):  # the notification and the next call may cross: wait for the change to land
            result = await client.call_tool("upload_video", {"source": str(b)})
            if not result.is_error:
                break
        assert not result.is_error, result.content
        assert (await client.call_tool("upload_video", {"source": str(a)})).is_error
        revoked = await client.call_tool("extract_json", {"video_id": first_upload.structured_content["video_id"],
                                                          "features": ["metadata"]})
        assert revoked.is_error and "outside" in revoked.content[0].text  # a root taken away is taken away
        wrote = await client.call_tool("export_render", {"source": str(b), "format": "wav",
                                                         "output_path": str(second / "b-cut.wav")})
        assert not wrote.is_error and (second / "b-cut.wav").is_file()
        outside = await client.call_tool("export_render", {"source": str(b), "format": "wav",
                                                           "output_path": str(first / "b-cut.wav")})
        assert outside.is_error and not (first / "b-cut.wav").exists()


def test_a_system_folder_as_root_refuses_to_start(tmp_path: Path) -> None:
    import subprocess

    env = {**_server_env(tmp_path), "VIDEO_JSON_ALLOWED_DIRS": "/"}
    done = subprocess.run([sys.executable, "-m", "video_json_ai", "serve"], env=env, cwd="/", capture_output=True,
                          text=True, timeout=60, input="")
    assert done.returncode == 2 and "cannot be a folder this server reads" in done.stderr
    assert "VIDEO_JSON_ALLOW_ANY_DIR" in done.stderr and "Traceback" not in done.stderr
