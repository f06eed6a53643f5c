"""One test per recovery path of the spec's error table, through the MCP client against the emulator.

Each asserts what was sent (headers, bodies, how many tries: the emulator's request log) and what
the user got (a clear message, never a token: ``leak_scan`` checks logs, stderr and results)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.harness import mcp_client, running_app
from tests.support.nemo_emulator import NemoEmulator, nemo_emulator, nemo_emulator_server, nemo_env  # noqa: F401
from tests.support.nemo_helpers import _nemo_clip_bytes, clip  # noqa: F401
from tests.support.nemo_helpers import Seen, error_text, leak_scan, nemo_app, nemo_mcp  # noqa: F401
from video_json_ai.backends.nemo.auth import TASK_KEY, TOKEN_KEY
from video_json_ai.backends.nemo.errors import PLAN_MESSAGE, TOP_UP_MESSAGE

pytestmark = pytest.mark.anyio

REGISTERED = "nemo_registered_8c1f0a"


def bearer(req) -> str:  # noqa: ANN001
    return req.headers.get("authorization", "").removeprefix("Bearer ")


async def call(client, seen: Seen, tool: str, args: dict | None = None):  # noqa: ANN001, ANN201
    return seen(await client.call_tool(tool, args or {}))


async def test_1001_bad_token_gets_a_new_token_and_retries_once(nemo_mcp, nemo_app, nemo_emulator: NemoEmulator,  # noqa: ANN001
                                                                 leak_scan: Seen) -> None:
    emu = nemo_emulator
    assert not (await call(nemo_mcp, leak_scan, "check_credits")).is_error
    old = nemo_app.store.get_value(TOKEN_KEY)
    emu.expire_tokens()  # the service now answers 1001 to the stored token
    res = await call(nemo_mcp, leak_scan, "check_credits")
    assert not res.is_error, res.content
    first, refused, retried = emu.requests("credits")
    assert bearer(first) == bearer(refused) == old
    new = nemo_app.store.get_value(TOKEN_KEY)
    assert new != old and bearer(retried) == new
    tokens = emu.requests("token")
    assert len(tokens) == 2 and tokens[0].headers["x-client-id"] == tokens[1].headers["x-client-id"]
    assert res.structured_content["available"] == 100.0

    emu.expire_tokens()
    emu.fail("credits", status=401, code=1001, times=2)  # refused again after the renewal: retried once only
    msg = error_text(await call(nemo_mcp, leak_scan, "check_credits"))
    assert len(emu.requests("credits")) == 5 and len(emu.requests("token")) == 3
    assert "refused a freshly issued anonymous token" in msg and "NEMO_TOKEN" in msg


async def test_1001_with_nemo_token_tells_the_user_to_fix_it(nemo_env: dict[str, str], nemo_emulator: NemoEmulator,
                                                             monkeypatch: pytest.MonkeyPatch, leak_scan: Seen) -> None:
    nemo_emulator.register_token(REGISTERED)
    nemo_emulator.expire_tokens()
    monkeypatch.setenv("NEMO_TOKEN", REGISTERED)
    with running_app() as app:
        async with mcp_client(app) as client:
            msg = error_text(await call(client, leak_scan, "check_credits"))
    assert "refused the token" in msg and "Set NEMO_TOKEN to a valid token" in msg
    [req] = nemo_emulator.requests("credits")
    assert bearer(req) == REGISTERED and nemo_emulator.requests("token") == []
    assert app.store.get_value(TOKEN_KEY) is None  # a NEMO_TOKEN is never written to the store


async def test_1002_lost_session_starts_a_new_one_and_retries_once(nemo_mcp, nemo_app, nemo_emulator: NemoEmulator,  # noqa: ANN001
                                                                   clip: Path, leak_scan: Seen) -> None:
    emu = nemo_emulator
    assert not (await call(nemo_mcp, leak_scan, "upload_video", {"source": str(clip)})).is_error
    [old] = list(emu.sessions)
    emu.forget_sessions()
    res = await call(nemo_mcp, leak_scan, "get_state")
    assert not res.is_error, res.content
    [new] = list(emu.sessions)
    assert new != old and res.structured_content["session"]["session_id"] == new
    states = emu.requests("state")
    assert [s.path for s in states] == [f"/api/state/nemo_agent/me/{old}/latest", f"/api/state/nemo_agent/me/{new}/latest"]
    assert [s.json for s in emu.requests("session")] == [{"task_name": "project", "language": "en"}] * 2

    emu.fail("state", code=1002, times=2)  # lost twice in a row: one new session, then a clear error
    msg = error_text(await call(nemo_mcp, leak_scan, "get_state"))
    assert len(emu.requests("state")) == 4 and len(emu.requests("session")) == 3
    assert "lost the editing session" in msg


async def test_429_waits_and_retries_once(nemo_mcp, nemo_emulator: NemoEmulator, leak_scan: Seen,  # noqa: ANN001
                                          caplog: pytest.LogCaptureFixture) -> None:
    emu = nemo_emulator
    emu.fail("credits", status=429)
    res = await call(nemo_mcp, leak_scan, "check_credits")
    assert not res.is_error, res.content
    assert len(emu.requests("credits")) == 2
    assert "rate limited by NemoVideo; retrying once" in caplog.text

    emu.fail("credits", status=429, times=2)
    msg = error_text(await call(nemo_mcp, leak_scan, "check_credits"))
    assert len(emu.requests("credits")) == 4  # once more only
    assert "rate limiting" in msg and "one per client per 7 days" in msg


async def test_2001_anonymous_gets_the_registration_link_with_bind(nemo_mcp, nemo_app, nemo_emulator: NemoEmulator,  # noqa: ANN001
                                                                   leak_scan: Seen) -> None:
    nemo_emulator.credits_available = 1.0  # less than a message costs
    msg = error_text(await call(nemo_mcp, leak_scan, "extract_json", {"instructions": "add a title"}))
    [session] = nemo_emulator.sessions.values()
    assert nemo_app.store.get_value(TASK_KEY) == session.task_id
    assert f"https://nemovideo.ai/register?bind={session.task_id}" in msg
    assert "free NemoVideo credits are used up" in msg
    assert len(nemo_emulator.requests("run_sse")) == 1  # not retried


async def test_2001_registered_user_is_told_to_top_up(nemo_env: dict[str, str], nemo_emulator: NemoEmulator,
                                                      monkeypatch: pytest.MonkeyPatch, leak_scan: Seen) -> None:
    nemo_emulator.register_token(REGISTERED)
    nemo_emulator.credits_available = 0.0
    monkeypatch.setenv("NEMO_TOKEN", REGISTERED)
    with running_app() as app:
        async with mcp_client(app) as client:
            msg = error_text(await call(client, leak_scan, "extract_json", {"instructions": "add a title"}))
    assert TOP_UP_MESSAGE in msg and "bind=" not in msg
    assert nemo_emulator.requests("token") == []
    assert all(bearer(r) == REGISTERED for r in nemo_emulator.log)


async def test_4001_unsupported_file_lists_the_formats(nemo_mcp, nemo_emulator: NemoEmulator, media_dir: Path,  # noqa: ANN001
                                                       leak_scan: Seen) -> None:
    fake = media_dir / "notes.mp4"
    fake.write_bytes(b"this is a text file, not a video\n" * 40)
    msg = error_text(await call(nemo_mcp, leak_scan, "upload_video", {"source": str(fake)}))
    [req] = nemo_emulator.requests("upload")
    assert req.upload["field"] == "files" and req.upload["filename"] == "notes.mp4" and req.upload["size"] == fake.stat().st_size
    assert "cannot read this file" in msg
    for fmt in ("MP4", "MOV", "AVI", "WebM", "MKV", "JPG", "PNG", "GIF", "WebP", "MP3", "WAV", "M4A", "AAC"):
        assert fmt in msg


async def test_4002_file_too_large_suggests_compressing_or_trimming(nemo_mcp, nemo_emulator: NemoEmulator,  # noqa: ANN001
                                                                    clip: Path, leak_scan: Seen) -> None:
    nemo_emulator.max_upload_bytes = 1000
    msg = error_text(await call(nemo_mcp, leak_scan, "upload_video", {"source": str(clip)}))
    assert len(nemo_emulator.requests("upload")) == 1
    assert "too large" in msg and "Compress" in msg and "trim" in msg


async def test_402_free_plan_cannot_export(nemo_mcp, nemo_emulator: NemoEmulator, clip: Path,  # noqa: ANN001
                                           leak_scan: Seen) -> None:
    assert not (await call(nemo_mcp, leak_scan, "upload_video", {"source": str(clip)})).is_error
    nemo_emulator.free_plan = True
    msg = error_text(await call(nemo_mcp, leak_scan, "export_render"))
    [req] = nemo_emulator.requests("render")  # attribution sent; a plan issue is not retried
    assert {h: req.headers[h] for h in ("x-skill-source", "x-skill-platform")} == {
        "x-skill-source": "video-json-ai", "x-skill-platform": "unknown"}
    assert PLAN_MESSAGE in msg and "not credits" in msg
    assert nemo_emulator.requests("render_poll") == []


async def test_5xx_retries_idempotent_calls_with_backoff_only(nemo_mcp, nemo_emulator: NemoEmulator, clip: Path,  # noqa: ANN001
                                                              leak_scan: Seen, caplog: pytest.LogCaptureFixture) -> None:
    emu = nemo_emulator
    emu.fail("credits", status=503, times=2)
    res = await call(nemo_mcp, leak_scan, "check_credits")
    assert not res.is_error, res.content
    assert len(emu.requests("credits")) == 3
    delays = [float(d) for d in re.findall(r"read the credit balance failed \(HTTP 503\); try \d of 3 in ([\d.]+) s", caplog.text)]
    assert delays == [0.01, 0.02]  # exponential backoff from NEMO_RETRY_BACKOFF_S

    emu.fail("credits", status=500, times=3)
    msg = error_text(await call(nemo_mcp, leak_scan, "check_credits"))
    assert len(emu.requests("credits")) == 6  # bounded: 3 tries
    assert "internal error" in msg and "HTTP 500" in msg

    emu.fail("upload", status=502)  # a POST: never sent twice
    msg = error_text(await call(nemo_mcp, leak_scan, "upload_video", {"source": str(clip)}))
    assert len(emu.requests("upload")) == 1 and "HTTP 502" in msg


async def test_dropped_connections_retry_idempotent_calls_only(nemo_mcp, nemo_emulator: NemoEmulator, clip: Path,  # noqa: ANN001
                                                               leak_scan: Seen) -> None:
    emu = nemo_emulator
    emu.fail("credits", drop=True)
    res = await call(nemo_mcp, leak_scan, "check_credits")
    assert not res.is_error, res.content
    assert len(emu.requests("credits")) == 2

    emu.fail("upload", drop=True)
    msg = error_text(await call(nemo_mcp, leak_scan, "upload_video", {"source": str(clip)}))
    assert len(emu.requests("upload")) == 1
    assert "connection to NemoVideo dropped" in msg and "not retried" in msg and "get_state" in msg


async def test_400_missing_client_id_retries_with_a_new_one(nemo_mcp, nemo_emulator: NemoEmulator,  # noqa: ANN001
                                                            leak_scan: Seen) -> None:
    nemo_emulator.fail("token", status=400, message="missing X-Client-Id header")
    res = await call(nemo_mcp, leak_scan, "check_credits")
    assert not res.is_error, res.content
    first, second = nemo_emulator.requests("token")
    assert first.headers["x-client-id"] and second.headers["x-client-id"] != first.headers["x-client-id"]


async def test_sse_cut_midway_polls_state_and_reports_what_is_known(nemo_mcp, nemo_emulator: NemoEmulator,  # noqa: ANN001
                                                                    clip: Path, leak_scan: Seen) -> None:
    emu = nemo_emulator
    assert not (await call(nemo_mcp, leak_scan, "upload_video", {"source": str(clip)})).is_error
    emu.sse_script = [("heartbeat",), ("text", "Adding the music now", True),
                      ("tool", "add_bgm", {"name": "Lo-fi", "volume": 0.35}), ("cut",)]
    res = await call(nemo_mcp, leak_scan, "extract_json", {"instructions": "add lo-fi music"})
    assert not res.is_error, res.content
    out = res.structured_content
    assert len(emu.requests("run_sse")) == 1  # never re-sent (it may double-charge)
    assert emu.log[-1].endpoint == "state"  # the state was read after the cut
    assert out["cloud"]["text"] == "Adding the music now"
    assert out["cloud"]["changes"] == ["added track 2 (audio) with 1 segment(s)"]
    assert out["message"].startswith("The stream was cut before the agent finished. Partial answer received.")
    assert "BGM: Lo-fi" in out["message"]
    assert any("connection to NemoVideo dropped" in w for w in out["warnings"])


async def test_an_error_event_inside_the_stream_is_reported(nemo_mcp, nemo_app, nemo_emulator: NemoEmulator,  # noqa: ANN001
                                                             leak_scan: Seen) -> None:
    nemo_emulator.sse_script = [("heartbeat",), ("error", 2001)]
    msg = error_text(await call(nemo_mcp, leak_scan, "extract_json", {"instructions": "generate a trailer"}))
    assert f"?bind={nemo_app.store.get_value(TASK_KEY)}" in msg
    assert len(nemo_emulator.requests("run_sse")) == 1
