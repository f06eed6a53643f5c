"""A full cloud session through NemoBackend against the emulator (real HTTP and SSE on loopback)."""

from __future__ import annotations

import hashlib
import json
import logging
import stat
from pathlib import Path

import pytest

from tests.support.nemo_emulator import NemoEmulator, nemo_emulator, nemo_emulator_server, nemo_env  # noqa: F401
from tests.support.nemo_helpers import _nemo_clip_bytes, clip  # noqa: F401
from tests.support.nemo_helpers import Recorder, Seen, assert_no_secret, leak_scan, make_backend, stored_token  # noqa: F401
from video_json_ai import __version__
from video_json_ai.backends.nemo.auth import SESSION_KEY
from video_json_ai.models.requests import ExtractRequest, RenderRequest
from video_json_ai.util.progress import CancelToken

pytestmark = pytest.mark.anyio


async def test_full_session(nemo_env: dict[str, str], nemo_emulator: NemoEmulator, clip: Path,
                            caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    emu = nemo_emulator
    backend = make_backend()
    shown: list[object] = []
    try:
        # -- upload: anonymous token, session, the file streamed as multipart 'files' ------------
        up_progress = Recorder()
        uploaded = await backend.upload(str(clip), progress=up_progress, cancel=CancelToken())
        shown += [uploaded.model_dump_json(), up_progress.calls]
        token = stored_token(backend)
        assert token and token.startswith("nemo_anon_")
        [token_req] = emu.requests("token")
        assert "authorization" not in token_req.headers and token_req.headers["x-client-id"]
        [session_req] = emu.requests("session")
        assert session_req.json == {"task_name": "project", "language": "en"}
        [upload_req] = emu.requests("upload")
        sid = backend.creds.session_id()
        assert upload_req.path == f"/api/upload-video/nemo_agent/me/{sid}"
        assert upload_req.upload["field"] == "files" and upload_req.upload["filename"] == "clip.mp4"
        assert upload_req.upload["sha256"] == hashlib.sha256(clip.read_bytes()).hexdigest()
        assert uploaded.video_id.startswith("v_") and uploaded.size_bytes == clip.stat().st_size
        assert up_progress.messages("uploading clip.mp4") and up_progress.calls[-1][0] == 1.0

        # -- extraction message: heartbeats → progress, text translated, JSON parsed ---------------
        ex_progress = Recorder()
        result = await backend.extract(
            ExtractRequest(video_id=uploaded.video_id, instructions="Describe the scenes", features=["metadata", "scenes"]),
            progress=ex_progress, cancel=CancelToken())
        shown += [result.model_dump_json(), ex_progress.calls]
        [sse_req] = emu.requests("run_sse")
        assert sse_req.headers["accept"] == "text/event-stream"
        assert set(sse_req.json) == {"app_name", "user_id", "session_id", "new_message"}
        assert (sse_req.json["app_name"], sse_req.json["user_id"], sse_req.json["session_id"]) == ("nemo_agent", "me", sid)
        message = sse_req.json["new_message"]["parts"][0]["text"]
        assert "Describe the scenes" in message and "clip.mp4" in message and "scenes/shots" in message
        assert len(ex_progress.messages("still working")) >= 3  # comment, empty data line, heartbeat event
        fractions = [f for f, _ in ex_progress.calls]
        assert fractions == sorted(fractions) and fractions[-1] == 1.0
        assert result.cloud is not None  # backends return finished outcomes (no status field)
        assert result.cloud.data["videos"][0]["video"] == "clip.mp4"
        assert result.cloud.data["videos"][0]["duration_s"] == pytest.approx(2.0, abs=0.1)
        assert "call export_render" in result.cloud.text and "Click" not in result.cloud.text
        assert "so far" not in result.cloud.text  # partial chunks replaced by the final text
        assert result.cloud.video_infos[0]["name"] == "clip.mp4"
        assert result.cloud.state_changed is False

        # -- an edit whose stream ends without text: recovered through the state ---------------------
        edit = await backend.extract(ExtractRequest(video_id=uploaded.video_id, instructions="Add some lo-fi music",
                                                    features=[]), progress=Recorder(), cancel=CancelToken())
        shown.append(edit.model_dump_json())
        assert edit.cloud.state_changed is True
        assert edit.cloud.changes == ["added track 2 (audio) with 1 segment(s)"]
        assert "without a text answer" in edit.message and "BGM: Lo-fi" in edit.message

        # -- state: the readable timeline -----------------------------------------------------------
        state = await backend.session_state()
        shown.append(state.model_dump_json())
        assert state.session_id == sid
        assert state.timeline.summary == "Timeline (2 tracks): 1. Video: clip.mp4 (0-2s) 2. BGM: Lo-fi (0-2s, 35%)"
        assert [t.type for t in state.timeline.tracks] == ["video", "audio"]
        assert state.timeline.tracks[1].segments[0].volume == pytest.approx(0.35)
        assert [v.video_id for v in state.videos] == [uploaded.video_id]

        # -- credits -----------------------------------------------------------------------------------
        credits = await backend.credits()
        shown.append(credits.model_dump_json())
        assert (credits.unlimited, credits.available, credits.frozen, credits.total) == (False, 96.0, 0.0, 96.0)

        # -- export: render with the current draft, poll, download ---------------------------------
        ren_progress = Recorder()
        info = await backend.export(RenderRequest(), progress=ren_progress, cancel=CancelToken())
        shown += [info.model_dump_json(), ren_progress.calls]
        [render_req] = emu.requests("render")
        draft = json.loads(json.dumps(emu.sessions[sid].draft))
        assert render_req.json == {"id": info.export_id, "sessionId": sid, "draft": draft,
                                   "output": {"format": "mp4", "quality": "high"}}
        assert info.export_id.startswith("render_")
        assert len(emu.requests("render_poll")) == emu.render_polls
        assert info.url == f"{emu.base}/files/{info.export_id}.mp4"
        assert Path(info.path).read_bytes() == clip.read_bytes()
        assert Path(info.path).parent == backend.config.output_dir
        assert ren_progress.messages("rendering")
        assert [e.export_id for e in (await backend.session_state()).exports] == [info.export_id]

        # -- every request carried the attribution headers; the bearer after the token --------------
        for req in emu.log:
            assert req.headers["x-skill-source"] == "video-json-ai"
            assert req.headers["x-skill-version"] == __version__
            assert req.headers["x-skill-platform"] in ("clawhub", "cursor", "unknown")
            if req.endpoint != "token":
                assert req.headers["authorization"] == f"Bearer {token}"
        assert len(emu.requests("token")) == 1 and len(emu.requests("session")) == 1
    finally:
        await backend.aclose()

    # -- a restart continues the same session with the same token -----------------------------------
    again = make_backend()
    try:
        state = await again.session_state()
        assert state.session_id == sid and state.timeline.tracks
        assert len(emu.requests("token")) == 1 and len(emu.requests("session")) == 1
    finally:
        await again.aclose()
    assert stat.S_IMODE(again.store.path.stat().st_mode) == 0o600
    assert again.store.get_value(SESSION_KEY) == sid
    assert_no_secret(token, *shown, caplog.text)


async def test_url_upload(nemo_env: dict[str, str], nemo_emulator: NemoEmulator, leak_scan: Seen) -> None:
    backend = make_backend()
    try:
        result = leak_scan(await backend.upload("https://example.com/media/city.mp4", progress=Recorder(), cancel=CancelToken()))
    finally:
        await backend.aclose()
    [req] = nemo_emulator.requests("upload")
    assert req.json == {"urls": ["https://example.com/media/city.mp4"], "source_type": "url"}
    assert result.file_name == "city.mp4" and result.video_id.startswith("v_")


async def test_title_answer_and_chinese_session(nemo_env: dict[str, str], nemo_emulator: NemoEmulator, clip: Path,
                                                leak_scan: Seen) -> None:
    backend = make_backend()
    try:
        result = leak_scan(await backend.extract(ExtractRequest(source=str(clip), instructions="add a title", features=[]),
                                                 progress=Recorder(), cancel=CancelToken()))
    finally:
        await backend.aclose()
    assert result.cloud.text == ("Added the title. call get_state for a text summary of the tracks to check it, "
                                 "then call export_render.")
    assert result.cloud.timeline_summary.endswith('2. Title: "Urban Dreams" (0-3s)')
    assert result.cloud.changes == ["added track 2 (text) with 1 segment(s)"]


async def test_chinese_instructions_start_a_chinese_session(nemo_env: dict[str, str], nemo_emulator: NemoEmulator,
                                                             leak_scan: Seen) -> None:
    backend = make_backend()
    nemo_emulator.sse_script = [("heartbeat",), ("text", "好的")]
    try:
        result = leak_scan(await backend.extract(ExtractRequest(instructions="描述这个视频", features=[]),
                                                 progress=Recorder(), cancel=CancelToken()))
    finally:
        await backend.aclose()
    assert nemo_emulator.requests("session")[0].json == {"task_name": "project", "language": "zh"}
    assert result.cloud.text == "好的"
