"""The stdio front: a session's first requests answered from a recording (shipped with the package,
or made by an earlier start) exactly as the SDK answers them, in every protocol version; stale or
broken recordings corrected. Raw JSON-RPC to a real `video-json-ai serve`, so that what the relay
writes on the wire, and in what order, is seen byte for byte.
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.support.raw_stdio import CONNECT_LISTS, LEGACY_VERSIONS, MODERN_VERSIONS, RawServer, handshake_session, modern_meta
from video_json_ai.mcp.stdio.handshake import FILE_NAME, Recording, identity, request_key

FROM_RECORDING = "from the handshake recording"
TOOLS = {"upload_video", "extract_json", "get_state", "check_credits", "export_render", "keyframe_thumbnail"}


def test_the_shipped_recording_is_what_the_server_answers(tmp_path: Path) -> None:
    """For each backend and protocol version, even the first start answers the handshake and the
    lists a client asks for as it connects from the shipped recording, and the server then finds
    nothing stale (else: run `make handshake`)."""
    cases = [(backend, version) for backend in ("local", "nemo") for version in (*LEGACY_VERSIONS, *MODERN_VERSIONS)]

    def session(case: tuple[str, str]) -> tuple[str, str, dict, dict, Path]:
        backend, version = case
        home = tmp_path / f"{backend}-{version}"
        _, lists, call, log = handshake_session({"VIDEO_JSON_HOME": str(home), "VIDEO_JSON_BACKEND": backend}, version)
        return version, log, lists, call, home

    with ThreadPoolExecutor(2) as pool:
        for version, log, lists, call, home in pool.map(session, cases):
            handshake = "server/discover" if version in MODERN_VERSIONS else "initialize"
            for method in (handshake, *CONNECT_LISTS):
                assert f"answered {method}|{version} {FROM_RECORDING}" in log, log
            assert "stale" not in log, f"{version}: run `make handshake`\n{log}"
            assert not (home / FILE_NAME).exists()  # nothing was missing or different
            assert {t["name"] for t in lists["tools/list"]["result"]["tools"]} == TOOLS
            assert [t["uriTemplate"] for t in lists["resources/templates/list"]["result"]["resourceTemplates"]] == [
                "video://{video_id}/report", "video://{video_id}/keyframes/{n}"]
            assert "error" not in call and "result" in call


def _initialize(version: str) -> dict:
    return {"protocolVersion": version, "capabilities": {}, "clientInfo": {"name": "test", "version": "1"}}


def test_an_unrecorded_answer_is_recorded_for_the_next_start(env: dict[str, str]) -> None:
    """A legacy client asking a version nobody recorded gets the SDK's own answer (its latest
    handshake version); that answer is recorded and given from the recording on the next start."""
    asked, key = "2099-01-01", "initialize|2099-01-01"
    server = RawServer(env)
    first = server.request(1, "initialize", _initialize(asked))
    log1 = server.close()
    assert FROM_RECORDING not in log1
    assert first["result"]["protocolVersion"] == LEGACY_VERSIONS[-1]
    assert Recording(Path(env["VIDEO_JSON_HOME"]) / FILE_NAME, identity("local")).get(key) == first["result"]

    server = RawServer(env)
    second = server.request(1, "initialize", _initialize(asked))
    server.send({"method": "notifications/initialized"})
    listing = server.request(2, "tools/list", {})  # keyed by the agreed version: shipped
    log2 = server.close()
    assert f"answered {key} {FROM_RECORDING}" in log2
    assert f"answered tools/list|{LEGACY_VERSIONS[-1]} {FROM_RECORDING}" in log2 and "stale" not in log2
    assert second == first and {t["name"] for t in listing["result"]["tools"]} == TOOLS


def test_an_error_is_never_recorded(env: dict[str, str]) -> None:
    server = RawServer(env)
    refused = server.request(1, "server/discover", modern_meta("2099-01-01"))
    log = server.close()
    assert refused["error"]["message"] == "Unsupported protocol version"
    assert FROM_RECORDING not in log and not (Path(env["VIDEO_JSON_HOME"]) / FILE_NAME).exists()


def test_a_stale_recording_is_replaced_and_the_client_told(env: dict[str, str]) -> None:
    version = MODERN_VERSIONS[0]
    key = f"tools/list|{version}"
    _, lists, _, _ = handshake_session(env, version)
    true_listing = lists["tools/list"]
    home = Path(env["VIDEO_JSON_HOME"]) / FILE_NAME
    old = json.loads(json.dumps(true_listing["result"]))
    old["tools"][0]["description"] = "an old description"
    Recording(home, identity("local")).put(key, old)

    server = RawServer(env)
    server.request(1, "server/discover", modern_meta())
    stale = server.request(2, "tools/list", modern_meta())
    assert stale["result"]["tools"][0]["description"] == "an old description"
    server.send({"id": 3, "method": "tools/call", "params": {"name": "check_credits", "arguments": {}, **modern_meta()}})
    deadline = time.monotonic() + 30
    while not ({m.get("id") for m in server.received} >= {3}
               and any(m.get("method") == "notifications/tools/list_changed" for m in server.received)):
        assert time.monotonic() < deadline, server.received
        server.read()
    log = server.close()
    assert f"recording of {key} was stale" in log
    assert Recording(home, identity("local")).get(key) == true_listing["result"]
    # No answer was sent twice.
    assert [m.get("id") for m in server.received if "id" in m] == [1, 2, 3]


def test_a_broken_recording_is_ignored(env: dict[str, str]) -> None:
    path = Path(env["VIDEO_JSON_HOME"]) / FILE_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{not json")
    _, lists, call, log = handshake_session(env, MODERN_VERSIONS[0])
    assert "unreadable handshake recording" in log
    assert "stale" not in log and {t["name"] for t in lists["tools/list"]["result"]["tools"]} == TOOLS
    assert "error" not in call


def test_without_fast_start_the_sdk_answers_alone(env: dict[str, str]) -> None:
    hello, lists, call, log = handshake_session(env, LEGACY_VERSIONS[-1], "--no-fast-start")
    assert FROM_RECORDING not in log and not (Path(env["VIDEO_JSON_HOME"]) / FILE_NAME).exists()
    fast = handshake_session(env, LEGACY_VERSIONS[-1])
    assert (hello, lists, call["result"]) == (fast[0], fast[1], fast[2]["result"])


def test_only_answers_that_are_the_same_for_every_client_are_keyed() -> None:
    meta, v, legacy = modern_meta(), MODERN_VERSIONS[0], LEGACY_VERSIONS[-1]
    assert request_key({"id": 1, "method": "initialize", "params": {"protocolVersion": legacy}}, None) == f"initialize|{legacy}"
    assert request_key({"id": 1, "method": "server/discover", "params": meta}, None) == f"server/discover|{v}"
    assert request_key({"id": 2, "method": "tools/list", "params": meta}, None) == f"tools/list|{v}"
    assert request_key({"id": 2, "method": "tools/list", "params": {}}, legacy) == f"tools/list|{legacy}"
    assert request_key({"id": 2, "method": "prompts/list", "params": meta}, None) == f"prompts/list|{v}"
    assert request_key({"id": 2, "method": "resources/templates/list", "params": {}}, legacy) == \
        f"resources/templates/list|{legacy}"
    # Before a legacy handshake, a later page, a notification or any other request: never.
    assert request_key({"id": 2, "method": "tools/list", "params": {}}, None) is None
    assert request_key({"id": 2, "method": "tools/list", "params": {"cursor": "x", **meta}}, None) is None
    assert request_key({"method": "tools/list", "params": meta}, None) is None
    assert request_key({"id": 3, "method": "tools/call", "params": meta}, None) is None
