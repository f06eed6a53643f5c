"""The acceptance session through the MCP SDK's in-process client, VIDEO_JSON_BACKEND=nemo, the
emulator on 127.0.0.1: token, session, upload, extraction with heartbeats, a silent edit, state,
credits, export with polling and download, a restart; then the user's text routed as the spec says."""

from __future__ import annotations

import json
import stat
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.support.harness import mcp_client, running_app
from tests.support.nemo_emulator import NemoEmulator, nemo_emulator, nemo_emulator_server, nemo_env  # noqa: F401
from tests.support.nemo_helpers import _nemo_clip_bytes, clip  # noqa: F401
from tests.support.nemo_helpers import Notes, Seen, error_text, leak_scan, nemo_app, nemo_mcp  # noqa: F401
from video_json_ai import __version__
from video_json_ai.backends.nemo.auth import SESSION_KEY, TOKEN_KEY

pytestmark = pytest.mark.anyio


async def test_full_cloud_session_over_mcp(nemo_mcp, nemo_app, nemo_emulator: NemoEmulator, clip: Path,  # noqa: ANN001
                                           leak_scan: Seen) -> None:
    emu, seen = nemo_emulator, leak_scan
    emu.heartbeat_s = 0.12  # slower than the job relay's 0.1 s poll, so each beat becomes a notification
    emu.upload_delay_s = 0.25  # the service answers after the last byte: the upload progress is relayed

    # -- upload: anonymous token, session, the file streamed as multipart 'files', with progress -------
    notes = Notes(seen)
    up = seen(await nemo_mcp.call_tool("upload_video", {"source": str(clip)}, progress_callback=notes))
    assert not up.is_error, up.content
    video = up.structured_content
    [token_req] = emu.requests("token")
    assert token_req.method == "POST" and token_req.path == "/api/auth/anonymous-token"
    assert "authorization" not in token_req.headers and len(token_req.headers["x-client-id"]) == 36
    token = nemo_app.store.get_value(TOKEN_KEY)
    assert token and token in emu.tokens and token not in json.dumps(video)
    [session_req] = emu.requests("session")
    assert session_req.json == {"task_name": "project", "language": "en"}
    sid = nemo_app.store.get_value(SESSION_KEY)
    assert sid in emu.sessions
    [upload_req] = emu.requests("upload")
    assert upload_req.path == f"/api/upload-video/nemo_agent/me/{sid}"
    assert upload_req.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert upload_req.upload["field"] == "files" and upload_req.upload["size"] == clip.stat().st_size
    assert video["backend"] == "nemo" and video["video_id"].startswith("v_") and video["file_name"] == "clip.mp4"
    assert notes.messages("uploading clip.mp4:"), notes.calls

    # -- an extraction message: heartbeats arrive as progress notifications ----------------------------
    notes = Notes(seen)
    res = seen(await nemo_mcp.call_tool("extract_json", {"video_id": video["video_id"], "instructions": "Describe the scenes",
                                                         "features": ["metadata", "scenes"]}, progress_callback=notes))
    assert not res.is_error, res.content
    out = res.structured_content
    [sse_req] = emu.requests("run_sse")
    assert sse_req.headers["accept"] == "text/event-stream"
    assert sse_req.json["app_name"] == "nemo_agent" and sse_req.json["user_id"] == "me" and sse_req.json["session_id"] == sid
    assert "Describe the scenes" in sse_req.json["new_message"]["parts"][0]["text"]
    assert len(notes.messages("NemoVideo is still working")) >= 2, notes.calls
    assert out["status"] == "completed"
    cloud = out["cloud"]
    assert cloud["data"]["videos"][0]["video"] == "clip.mp4"  # the JSON in the answer, parsed
    assert cloud["video_infos"][0]["id"] == video["video_id"]
    assert cloud["timeline_summary"] == "Timeline (1 track): 1. Video: clip.mp4 (0-2s)"
    assert "call export_render" in cloud["text"] and "Click" not in cloud["text"]

    # -- an edit whose stream ends with no text: recovered through the state --------------------------
    edit = seen(await nemo_mcp.call_tool("extract_json", {"video_id": video["video_id"], "instructions": "Add lo-fi music"}))
    assert not edit.is_error, edit.content
    assert edit.structured_content["cloud"]["state_changed"] is True
    assert edit.structured_content["cloud"]["changes"] == ["added track 2 (audio) with 1 segment(s)"]
    assert "without a text answer" in edit.structured_content["message"]

    # -- state with the readable timeline, and the jobs as on the local backend --------------------------
    state = seen(await nemo_mcp.call_tool("get_state", {}))
    assert not state.is_error, state.content
    session = state.structured_content["session"]
    assert session["session_id"] == sid
    assert session["timeline"]["summary"] == "Timeline (2 tracks): 1. Video: clip.mp4 (0-2s) 2. BGM: Lo-fi (0-2s, 35%)"
    assert [t["type"] for t in session["timeline"]["tracks"]] == ["video", "audio"]
    assert {j["kind"] for j in session["jobs"]} == {"upload", "extract"}
    assert [v["video_id"] for v in session["videos"]] == [video["video_id"]]

    # -- credits -------------------------------------------------------------------------------------------
    credits = seen(await nemo_mcp.call_tool("check_credits", {}))
    c = credits.structured_content
    assert (c["unlimited"], c["available"], c["frozen"], c["total"]) == (False, 96.0, 0.0, 96.0)
    assert emu.requests("credits")[0].path == "/api/credits/balance/simple"

    # -- export: the render posted with the current draft, polled, the file downloaded ---------------------
    notes = Notes(seen)
    exp = seen(await nemo_mcp.call_tool("export_render", {}, progress_callback=notes))
    assert not exp.is_error, exp.content
    info = exp.structured_content["export"]
    [render_req] = emu.requests("render")
    assert render_req.path == "/api/render/proxy/lambda"
    assert render_req.json == {"id": info["export_id"], "sessionId": sid, "draft": emu.sessions[sid].draft,
                               "output": {"format": "mp4", "quality": "high"}}
    assert info["export_id"].startswith("render_") and info["export_id"][7:].isdigit()
    polls = emu.requests("render_poll")
    assert len(polls) == emu.render_polls and {p.path for p in polls} == {f"/api/render/proxy/lambda/{info['export_id']}"}
    assert info["url"] == f"{emu.base}/files/{info['export_id']}.mp4"
    assert Path(info["path"]).parent == nemo_app.config.output_dir
    assert Path(info["path"]).read_bytes() == clip.read_bytes()
    assert notes.messages("rendering")

    # -- every request: the three attribution headers; the Bearer token on all but the token call ----------
    for req in emu.log:
        assert req.headers["x-skill-source"] == "video-json-ai"
        assert req.headers["x-skill-version"] == __version__
        assert req.headers["x-skill-platform"] == "unknown"
        if req.endpoint == "download":
            continue  # same origin as the API here, so it carries the token too
        if req.endpoint != "token":
            assert req.headers["authorization"] == f"Bearer {token}"
    assert len(emu.requests("token")) == 1 and len(emu.requests("session")) == 1
    # One shared connection pool: far fewer TCP connections than requests.
    assert len({r.peer for r in emu.log}) <= 3 < len(emu.log)

    # -- the token is kept with its expiry in a 0600 store -----------------------------------------------
    db_files = list(nemo_app.store.path.parent.glob(nemo_app.store.path.name + "*"))  # with SQLite's -wal/-shm
    assert nemo_app.store.path in db_files and {stat.S_IMODE(f.stat().st_mode) for f in db_files} == {0o600}
    with nemo_app.store._connect() as db:
        (expires_at,) = db.execute("SELECT expires_at FROM kv WHERE key = ?", (TOKEN_KEY,)).fetchone()
    left = datetime.fromisoformat(expires_at) - datetime.now(timezone.utc)
    assert timedelta(days=6, hours=23) < left <= timedelta(days=7)


async def test_restart_continues_the_session(nemo_env: dict[str, str], nemo_emulator: NemoEmulator, clip: Path,
                                             leak_scan: Seen) -> None:
    with running_app() as first:
        async with mcp_client(first) as client:
            up = leak_scan(await client.call_tool("upload_video", {"source": str(clip)}))
            assert not up.is_error, up.content
    sid = first.store.get_value(SESSION_KEY)
    with running_app() as second:
        async with mcp_client(second) as client:
            state = leak_scan(await client.call_tool("get_state", {}))
    assert state.structured_content["session"]["session_id"] == sid
    assert state.structured_content["session"]["timeline"]["summary"] == "Timeline (1 track): 1. Video: clip.mp4 (0-2s)"
    assert len(nemo_emulator.requests("token")) == 1 and len(nemo_emulator.requests("session")) == 1
    token = second.store.get_value(TOKEN_KEY)
    assert nemo_emulator.requests("state")[-1].headers["authorization"] == f"Bearer {token}"


async def test_url_upload_over_mcp(nemo_mcp, nemo_emulator: NemoEmulator, leak_scan: Seen) -> None:  # noqa: ANN001
    res = leak_scan(await nemo_mcp.call_tool("upload_video", {"source": "https://media.example.com/v/city.mp4?sig=1"}))
    assert not res.is_error, res.content
    [req] = nemo_emulator.requests("upload")
    assert req.headers["content-type"] == "application/json"
    assert req.json == {"urls": ["https://media.example.com/v/city.mp4?sig=1"], "source_type": "url"}
    assert res.structured_content["file_name"] == "city.mp4"


# -- routing of the user's text (the spec's table), English and Chinese ---------------------------------
@pytest.mark.parametrize("text", ["How many credits do I have left?", "我还有多少积分？", "check my balance", "余额"])
async def test_credits_questions_go_to_credits_not_sse(nemo_mcp, nemo_emulator: NemoEmulator, leak_scan: Seen,  # noqa: ANN001
                                                       text: str) -> None:
    res = leak_scan(await nemo_mcp.call_tool("extract_json", {"instructions": text}))
    assert not res.is_error, res.content
    assert nemo_emulator.requests("run_sse") == [] and len(nemo_emulator.requests("credits")) == 1
    cloud = res.structured_content["cloud"]
    assert cloud["data"]["action"] == "credits" and cloud["data"]["available"] == 100.0
    assert "100 credits available" in cloud["text"]


async def test_status_export_and_upload_words_are_routed(nemo_mcp, nemo_emulator: NemoEmulator, clip: Path,  # noqa: ANN001
                                                         leak_scan: Seen) -> None:
    emu = nemo_emulator
    up = leak_scan(await nemo_mcp.call_tool("extract_json", {"instructions": f"上传 {clip}"}))
    assert not up.is_error, up.content
    assert up.structured_content["cloud"]["data"]["action"] == "upload"
    assert emu.requests("upload")[0].upload["filename"] == "clip.mp4"

    for text in ("show tracks", "状态"):
        state = leak_scan(await nemo_mcp.call_tool("extract_json", {"instructions": text}))
        assert not state.is_error, state.content
        assert state.structured_content["cloud"]["text"] == "Timeline (1 track): 1. Video: clip.mp4 (0-2s)"

    exported = leak_scan(await nemo_mcp.call_tool("extract_json", {"instructions": "导出"}))
    assert not exported.is_error, exported.content
    data = exported.structured_content["cloud"]["data"]
    assert data["action"] == "export" and Path(data["path"]).read_bytes() == clip.read_bytes()
    assert emu.requests("run_sse") == [] and len(emu.requests("render")) == 1

    edit = leak_scan(await nemo_mcp.call_tool("extract_json", {"instructions": "添加音乐"}))  # anything else → the agent
    assert not edit.is_error, edit.content
    assert len(emu.requests("run_sse")) == 1 and edit.structured_content["cloud"]["state_changed"] is True


async def test_upload_words_without_a_file_say_what_to_pass(nemo_mcp, nemo_emulator: NemoEmulator,  # noqa: ANN001
                                                            leak_scan: Seen) -> None:
    res = leak_scan(await nemo_mcp.call_tool("extract_json", {"instructions": "upload my video"}))
    assert "name no file" in error_text(res) and "source=" in error_text(res)
    assert nemo_emulator.log == []


async def test_export_follows_the_job_contract(nemo_mcp, nemo_emulator: NemoEmulator, clip: Path,  # noqa: ANN001
                                               leak_scan: Seen) -> None:
    import anyio

    nemo_emulator.render_polls = 4
    assert not leak_scan(await nemo_mcp.call_tool("upload_video", {"source": str(clip)})).is_error
    started = leak_scan(await nemo_mcp.call_tool("export_render", {"wait_seconds": 0}))
    assert not started.is_error, started.content
    job_id = started.structured_content["job_id"]
    assert started.structured_content["status"] == "running" and job_id.startswith("job_")
    with anyio.fail_after(20):
        while True:
            state = leak_scan(await nemo_mcp.call_tool("get_state", {"job_id": job_id}))
            job = state.structured_content["job"]
            if job["status"] != "running":
                break
            await anyio.sleep(0.05)
    assert job["status"] == "completed" and job["kind"] == "export"
    assert Path(job["result"]["export"]["path"]).read_bytes() == clip.read_bytes()
    assert len(nemo_emulator.requests("render_poll")) == 4
