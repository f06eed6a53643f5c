"""The final redaction pass: planted secrets never reach a tool result, error, progress message,
resource or log line (the cloud backend's token scan is in tests/backends/nemo)."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import pytest

from tests.support.clips import make_clip
from tests.support.harness import mcp_client, running_app
from video_json_ai.core.redact import MARK, REDACTOR, RedactingStream, Redactor, secret_names

PLANTED = "sk-planted-9f8e7d6c5b4a"


def test_names_and_forms() -> None:
    env = {"NEMO_TOKEN": "t" * 12, "AWS_SECRET_ACCESS_KEY": "s" * 12, "db_password": "p" * 12, "HOME": "/root",
           "SHORT_KEY": "1"}
    assert set(secret_names(env)) == {"NEMO_TOKEN", "AWS_SECRET_ACCESS_KEY", "db_password", "SHORT_KEY"}
    redactor = Redactor()
    redactor.add_environment(env)
    redactor.add('quo"te\\back-slash')
    assert redactor.text(f"a {'t' * 12} b") == f"a {MARK} b"
    assert redactor.text(json.dumps({"x": 'quo"te\\back-slash'})) == json.dumps({"x": MARK})[:-2] + '"}'
    assert redactor.text("1 and /root stay") == "1 and /root stay"
    assert redactor.data({"k": ["p" * 12, {"n": "s" * 12}], "ok": 3}) == {"k": [MARK, {"n": MARK}], "ok": 3}


def test_stderr_lines_are_redacted() -> None:
    REDACTOR.add(PLANTED)
    sink = io.StringIO()
    stream = RedactingStream(sink)  # type: ignore[arg-type]
    handler = logging.StreamHandler(stream)  # type: ignore[arg-type]
    log = logging.getLogger("test.redact")
    log.addHandler(handler)
    try:
        log.error("token is %s", PLANTED)
        try:
            raise RuntimeError(f"failed with {PLANTED}")
        except RuntimeError:
            log.exception("boom")
    finally:
        log.removeHandler(handler)
    assert PLANTED not in sink.getvalue() and sink.getvalue().count(MARK) == 2


@pytest.mark.anyio
async def test_a_secret_in_a_file_name_is_redacted_in_every_answer(env: dict[str, str], media_dir: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A value that would really go out (the file is named after it) comes out redacted everywhere."""
    monkeypatch.setenv("PLANTED_API_KEY", PLANTED)
    REDACTOR.add_environment()
    clip = make_clip(media_dir / f"{PLANTED}.mp4", seconds=0.4, width=64, height=48)
    shown: list[str] = []

    async def progress(done: float, total: float | None, message: str | None) -> None:
        shown.append(message or "")

    with running_app() as app:
        async with mcp_client(app) as client:
            for tool, args in (("upload_video", {"source": str(clip)}),
                               ("extract_json", {"source": str(clip), "features": ["metadata"]}),
                               ("upload_video", {"source": str(media_dir / f"{PLANTED}-missing.mp4")}),
                               ("get_state", {})):
                result = await client.call_tool(tool, args, progress_callback=progress)
                shown.append(json.dumps(result.model_dump(mode="json")))
            state = (await client.call_tool("get_state", {})).structured_content
            vid = state["session"]["videos"][0]["video_id"]
            resource = await client.read_resource(f"video://{vid}/report")
            shown.append(json.dumps(resource.model_dump(mode="json")))
    text = "\n".join(shown)
    assert PLANTED not in text
    assert f"{MARK}.mp4" in text and f"{MARK}-missing.mp4" in text
