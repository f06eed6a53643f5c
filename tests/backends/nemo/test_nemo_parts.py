"""The nemo backend's parts: attribution, routing, wording, the draft, streamed uploads, token
lifetime, timeouts, and "still working" during a silent stream."""

from __future__ import annotations

import tracemalloc
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.support.nemo_emulator import NemoEmulator, nemo_emulator, nemo_emulator_server, nemo_env  # noqa: F401
from tests.support.nemo_helpers import Recorder, Seen, leak_scan, make_backend, stored_token  # noqa: F401
from video_json_ai.backends.nemo.auth import TOKEN_KEY
from video_json_ai.backends.nemo.draft import timeline_from_draft
from video_json_ai.backends.nemo.headers import attribution_headers, skill_platform
from video_json_ai.backends.nemo.multipart import CHUNK, FileBody
from video_json_ai.backends.nemo.routing import file_in_text, route
from video_json_ai.backends.nemo.wording import translate
from video_json_ai.errors import InvalidInput
from video_json_ai.models.requests import ExtractRequest
from video_json_ai.util.progress import CancelToken


def test_platform_comes_from_the_install_path(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert skill_platform(home / ".clawhub" / "skills" / "vj" / "video_json_ai" / "__init__.py", home) == "clawhub"
    assert skill_platform(home / ".cursor" / "skills" / "vj" / "__init__.py", home) == "cursor"
    assert skill_platform(home / ".cursor" / "other" / "__init__.py", home) == "unknown"
    assert skill_platform(tmp_path / "site-packages" / "video_json_ai" / "__init__.py", home) == "unknown"
    headers = attribution_headers()
    assert set(headers) == {"X-Skill-Source", "X-Skill-Version", "X-Skill-Platform"}
    assert headers["X-Skill-Source"] == "video-json-ai"


@pytest.mark.parametrize(("text", "action"), [
    ("export", "export"), ("Please download the video", "export"), ("send me the video", "export"), ("导出", "export"),
    ("credits?", "credits"), ("what's my balance", "credits"), ("积分", "credits"), ("余额还有多少", "credits"),
    ("status", "state"), ("show tracks", "state"), ("状态", "state"),
    ("upload", "upload"), ("上传", "upload"), ("/home/me/demo.mov", "upload"), ("https://x.example/a.mp4", "upload"),
    ("generate a trailer", "message"), ("add BGM", "message"), ("extract the scenes as JSON", "message"),
    ("add a credits roll at the end", "message"), ("trim the intro and export", "message"), ("给视频添加背景音乐", "message"),
    ("describe /data/export/status.mp4", "message"),
])
def test_routing_table(text: str, action: str) -> None:
    assert route(text) == action


def test_file_in_text() -> None:
    assert file_in_text("please upload /home/me/My Clips/a.mp4") == "Clips/a.mp4"  # paths with spaces: use source=
    assert file_in_text("上传 /data/视频.mov，谢谢") == "/data/视频.mov"
    assert file_in_text("upload https://cdn.example.com/v/1.webm?sig=abc now") == "https://cdn.example.com/v/1.webm?sig=abc"
    assert file_in_text("upload my video") is None


def test_gui_wording_is_translated() -> None:
    assert translate("Click Export to render it.") == "call export_render."
    assert translate("Open the media panel to see it.") == "call get_state to read the session state."
    assert translate("Drag the clip onto the timeline.").startswith("describe the edit in extract_json instructions")
    assert translate("Preview in timeline.") == "call get_state for a text summary of the tracks."
    assert translate("点击导出即可。") == "调用 export_render。"
    assert translate("打开素材面板") == "调用 get_state 读取会话状态"
    assert translate("The title says Export now") == "The title says Export now"  # content is kept


def test_the_spec_timeline_example() -> None:
    draft = {"d": 10000, "t": [
        {"tt": 0, "sg": [{"s": 0, "d": 10000, "m": {"name": "city timelapse"}}]},
        {"tt": 1, "m": {"type": "bgm"}, "sg": [{"s": 0, "d": 10000, "m": {"name": "Lo-fi", "volume": 0.35}}]},
        {"tt": 7, "m": {"type": "title"}, "sg": [{"s": 0, "d": 3000, "m": {"text": "Urban Dreams"}}]},
    ]}
    timeline = timeline_from_draft(draft)
    assert timeline.summary == ('Timeline (3 tracks): 1. Video: city timelapse (0-10s) 2. BGM: Lo-fi (0-10s, 35%) '
                                '3. Title: "Urban Dreams" (0-3s)')
    assert [(t.type, t.type_code) for t in timeline.tracks] == [("video", 0), ("audio", 1), ("text", 7)]
    assert timeline.duration_s == 10.0
    assert timeline.tracks[1].metadata == {"type": "bgm"}
    assert timeline.tracks[1].segments[0].metadata == {"name": "Lo-fi", "volume": 0.35}
    assert timeline.tracks[0].segments[0].end_s == 10.0 and timeline.tracks[2].segments[0].text == "Urban Dreams"
    assert timeline_from_draft(None).tracks == [] and timeline_from_draft("not json").tracks == []


def test_upload_body_is_streamed_from_disk_in_chunks(tmp_path: Path) -> None:
    import anyio

    big = tmp_path / "big.mp4"
    size = 24 * 1024 * 1024
    with big.open("wb") as fh:
        fh.truncate(size)  # sparse: no need to write 24 MB
    progress = Recorder()
    body = FileBody(big, field="files", progress=progress, cancel=CancelToken())

    async def drain() -> tuple[int, int]:
        total, largest = 0, 0
        async for block in body:
            total += len(block)
            largest = max(largest, len(block))
        return total, largest

    tracemalloc.start()
    try:
        total, largest = anyio.run(drain)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total == int(body.headers["Content-Length"]) == size + len(body.head) + len(body.tail)
    assert largest <= CHUNK and peak < 4 * CHUNK  # never the whole file in memory
    assert progress.calls[-1][0] == 1.0 and len(progress.calls) == size // CHUNK
    assert b'name="files"; filename="big.mp4"' in body.head


@pytest.mark.anyio
async def test_token_reused_until_expiry_then_renewed(nemo_env: dict[str, str], nemo_emulator: NemoEmulator,
                                                      leak_scan: Seen) -> None:
    backend = make_backend()
    try:
        leak_scan(await backend.credits())
        first = stored_token(backend)
        leak_scan(await backend.credits())
        assert len(nemo_emulator.requests("token")) == 1  # reused
        # Seven days later: our copy and the service's both expired.
        backend.store.set_value(TOKEN_KEY, first, expires_at=(datetime.now(timezone.utc) - timedelta(seconds=1)).isoformat())
        nemo_emulator.expire_tokens()
        leak_scan(await backend.credits())
    finally:
        await backend.aclose()
    assert len(nemo_emulator.requests("token")) == 2
    assert stored_token(backend) not in (None, first)
    assert nemo_emulator.requests("credits")[-1].headers["authorization"] == f"Bearer {stored_token(backend)}"
    assert len(nemo_emulator.requests("credits")) == 3  # the expired token was never sent


def test_timeouts_and_one_shared_client(nemo_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NEMO_STILL_WORKING_S", "NEMO_RETRY_WAIT_S", "NEMO_RENDER_POLL_S"):
        monkeypatch.delenv(name)
    backend = make_backend()  # the defaults
    settings = backend.client.settings
    assert settings.connect_timeout_s == 10.0 and settings.sse_read_timeout_s == 15 * 60
    assert settings.retry_wait_s == 30.0 and backend.poll_s == 30.0 and backend.agent.still_working_s <= 120
    http = backend.client.http()
    assert backend.client.http() is http and http.timeout.connect == 10.0
    with pytest.raises(InvalidInput, match="NEMO_RENDER_POLL_S"):
        make_backend(NEMO_RENDER_POLL_S="soon")


@pytest.mark.anyio
async def test_still_working_during_a_silent_stream(nemo_env: dict[str, str], nemo_emulator: NemoEmulator,
                                                    leak_scan: Seen) -> None:
    nemo_emulator.sse_script = [("heartbeat",), ("sleep", 0.6), ("text", "done")]
    backend = make_backend()  # NEMO_STILL_WORKING_S=0.05 in the test env (default 60 s, at most 120 s)
    progress = Recorder()
    try:
        result = leak_scan(await backend.extract(ExtractRequest(instructions="make it shorter", features=[]),
                                                 progress=progress, cancel=CancelToken()))
    finally:
        await backend.aclose()
    ticks = [m for _, m in progress.calls if m.startswith("NemoVideo is still working (") and m.endswith(" s)")]
    assert len(ticks) >= 2  # the ticker spoke during the 0.6 s of silence
    assert result.cloud.text == "done"


@pytest.mark.anyio
async def test_a_stream_longer_than_the_limit_is_read_through_the_state(nemo_env: dict[str, str],
                                                                         nemo_emulator: NemoEmulator,
                                                                         leak_scan: Seen) -> None:
    nemo_emulator.sse_script = [("heartbeat",), ("text", "Working on it", True), ("sleep", 5.0), ("text", "late")]
    backend = make_backend(NEMO_SSE_TIMEOUT_S="0.4")
    try:
        result = leak_scan(await backend.extract(ExtractRequest(instructions="make it shorter", features=[]),
                                                 progress=Recorder(), cancel=CancelToken()))
    finally:
        await backend.aclose()
    assert result.cloud.text == "Working on it" and "late" not in result.cloud.text
    assert result.message.startswith("The stream was cut before the agent finished. Partial answer received.")
    assert any("time limit" in w for w in result.warnings)
    assert nemo_emulator.log[-1].endpoint == "state"
