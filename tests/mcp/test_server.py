"""The tools through the SDK's in-process client."""

from __future__ import annotations

import shutil
from pathlib import Path

import anyio
import pytest

from tests.support.clips import make_clip

pytestmark = pytest.mark.anyio

TOOLS = {"upload_video", "extract_json", "get_state", "check_credits", "export_render", "keyframe_thumbnail"}


async def test_tools_are_described(client) -> None:  # noqa: ANN001
    tools = {t.name: t for t in (await client.list_tools()).tools}
    assert set(tools) == TOOLS
    for tool in tools.values():
        assert tool.description and len(tool.description) > 60, tool.name
        assert tool.output_schema is not None, tool.name
        assert tool.annotations is not None and tool.annotations.read_only_hint is not None, tool.name
    assert tools["get_state"].annotations.read_only_hint is True
    assert tools["export_render"].annotations.read_only_hint is False
    props = tools["extract_json"].input_schema["properties"]
    assert props["wait_seconds"]["maximum"] == 600
    assert {"video_id", "source", "instructions", "features", "wait_seconds"} <= set(props)
    assert {"format", "quality", "resolution", "aspect", "fit", "start_s", "end_s", "scenes", "title",
            "output_path", "wait_seconds"} <= set(tools["export_render"].input_schema["properties"])


async def test_upload_then_extract_metadata(client, clip: Path) -> None:  # noqa: ANN001
    up = await client.call_tool("upload_video", {"source": str(clip)})
    assert not up.is_error, up.content
    data = up.structured_content
    assert data["video_id"].startswith("vid_") and data["file_name"] == "clip.mp4"
    assert data["size_bytes"] == clip.stat().st_size
    assert data["summary"]["width"] == 320 and data["summary"]["has_audio"] is True
    assert data["already_uploaded"] is False

    again = await client.call_tool("upload_video", {"source": str(clip)})
    assert again.structured_content["video_id"] == data["video_id"]
    assert again.structured_content["already_uploaded"] is True

    copy = clip.with_name("copy.mp4")
    shutil.copyfile(clip, copy)
    same = await client.call_tool("upload_video", {"source": str(copy)})
    assert same.structured_content["video_id"] == data["video_id"]  # content hash, not name

    progress: list[tuple[float, float | None, str | None]] = []

    async def on_progress(p: float, total: float | None, message: str | None) -> None:
        progress.append((p, total, message))

    res = await client.call_tool("extract_json", {"video_id": data["video_id"], "features": ["metadata"]},
                                 progress_callback=on_progress)
    assert not res.is_error, res.content
    out = res.structured_content
    assert out["status"] == "completed"
    report = out["report"]
    assert report["schema_version"] == "1.1"
    assert report["metadata"]["video"][0]["codec"] == "h264"
    assert report["metadata"]["audio"][0]["channels"] == 2
    assert report["features"] == ["metadata"]
    assert Path(out["report_path"]).is_file()
    assert progress, "no progress notification arrived"
    assert all(0 <= p <= 1 for p, _, _ in progress)


async def test_features_from_instructions_and_missing_features_warn(client, clip: Path) -> None:  # noqa: ANN001
    res = await client.call_tool("extract_json", {"source": str(clip), "instructions": "给我元数据和场景"})
    assert not res.is_error, res.content
    out = res.structured_content
    assert out["features"][:2] == ["metadata", "scenes"]


async def test_job_path_then_get_state(client, clip: Path) -> None:  # noqa: ANN001
    res = await client.call_tool("extract_json", {"source": str(clip), "features": ["metadata"], "wait_seconds": 0})
    assert not res.is_error, res.content
    out = res.structured_content
    job_id = out["job_id"]
    assert job_id
    if out["status"] == "running":
        assert "get_state" in out["message"]
    status = None
    with anyio.fail_after(30):
        while status != "completed":
            st = await client.call_tool("get_state", {"job_id": job_id})
            assert not st.is_error, st.content
            job = st.structured_content["job"]
            status = job["status"]
            assert status in ("running", "completed"), job
            assert 0 <= job["progress"] <= 1
            await anyio.sleep(0.05)
    assert job["result"]["report"]["metadata"]["video"][0]["width"] == 320

    session = (await client.call_tool("get_state", {})).structured_content["session"]
    assert [v["file_name"] for v in session["videos"]] == ["clip.mp4"]
    assert session["timeline"]["tracks"][0]["type"] == "video"
    assert "clip.mp4" in session["timeline"]["summary"]
    assert any(j["job_id"] == job_id for j in session["jobs"])


async def test_state_timeline_has_one_segment_per_video(client, media_dir: Path) -> None:  # noqa: ANN001
    a = make_clip(media_dir / "a.mp4", seconds=1.0, audio_layout=None)
    b = make_clip(media_dir / "b.mp4", seconds=2.0, audio_layout=None, width=160, height=120)
    for p in (a, b):
        assert not (await client.call_tool("upload_video", {"source": str(p)})).is_error
    session = (await client.call_tool("get_state", {})).structured_content["session"]
    segs = session["timeline"]["tracks"][0]["segments"]
    assert [s["name"] for s in segs] == ["a.mp4", "b.mp4"]
    assert segs[0]["end_s"] == pytest.approx(1.0, abs=0.05) and segs[1]["start_s"] == pytest.approx(segs[0]["end_s"])
    assert session["timeline"]["duration_s"] == pytest.approx(3.0, abs=0.1)


async def test_credits_local(client) -> None:  # noqa: ANN001
    res = await client.call_tool("check_credits", {})
    assert res.structured_content["unlimited"] is True
    assert "local" in res.structured_content["message"]


def _truncated(src: Path, dest: Path) -> Path:
    data = src.read_bytes()
    dest.write_bytes(data[: len(data) // 2])
    return dest


async def test_bad_input_gets_clear_errors_and_server_keeps_serving(client, clip: Path, media_dir: Path, tmp_path: Path) -> None:  # noqa: ANN001
    (media_dir / "notes.txt").write_text("hello")
    fake = media_dir / "fake.mp4"
    fake.write_text("not a video at all\n" * 50)
    empty = media_dir / "empty.mp4"
    empty.write_bytes(b"")
    outside = tmp_path / "outside.mp4"
    shutil.copyfile(clip, outside)
    cases = {
        str(media_dir / "missing.mp4"): "No file at",
        str(media_dir): "is a directory",
        str(outside): "outside the directories",
        str(media_dir / "notes.txt"): "unsupported format",
        str(fake): "could not be opened as a video",
        str(empty): "is empty",
        str(_truncated(clip, media_dir / "trunc.mp4")): "could not be opened as a video",
    }
    for source, expected in cases.items():
        res = await client.call_tool("upload_video", {"source": source})
        assert res.is_error, source
        text = res.content[0].text
        assert expected in text, (source, text)
        ok = await client.call_tool("check_credits", {})  # the server still answers
        assert not ok.is_error
    res = await client.call_tool("extract_json", {"video_id": "vid_doesnotexist"})
    assert res.is_error and "upload_video" in res.content[0].text
    res = await client.call_tool("extract_json", {})
    assert res.is_error and "video_id" in res.content[0].text
    res = await client.call_tool("extract_json", {"source": str(clip), "features": ["nonsense"]})
    assert res.is_error
    res = await client.call_tool("get_state", {"job_id": "job_nope"})
    assert res.is_error and "No job" in res.content[0].text
    good = await client.call_tool("upload_video", {"source": str(clip)})
    assert not good.is_error


async def test_report_resource(client, clip: Path) -> None:  # noqa: ANN001
    up = (await client.call_tool("upload_video", {"source": str(clip)})).structured_content
    templates = {t.uri_template for t in (await client.list_resource_templates()).resource_templates}
    assert "video://{video_id}/report" in templates
    res = await client.call_tool("extract_json", {"video_id": up["video_id"], "features": ["metadata"]})
    assert not res.is_error
    read = await client.read_resource(f"video://{up['video_id']}/report")
    import json

    body = json.loads(read.contents[0].text)
    assert body["video"]["video_id"] == up["video_id"] and body["metadata"]["video"][0]["height"] == 240


async def test_silence_options_reach_the_audio_analysis_and_the_cache(client, media_dir: Path) -> None:  # noqa: ANN001
    from video_json_ai.engine.sample import write_sample

    sample = media_dir / "sample.mp4"
    write_sample(sample)  # a silence from 3 s to 4 s
    args = {"source": str(sample), "features": ["audio"]}
    default = await client.call_tool("extract_json", args)
    assert not default.is_error, default.content
    silences = default.structured_content["report"]["audio"]["silences"]
    assert any(abs(s["start_s"] - 3.0) < 0.1 and abs(s["end_s"] - 4.0) < 0.1 for s in silences), silences
    longer = await client.call_tool("extract_json", {**args, "silence_min_s": 2.0})
    assert not longer.is_error, longer.content
    audio = longer.structured_content["report"]["audio"]
    assert audio["silences"] == [] and audio["silence_min_s"] == 2.0
    assert longer.structured_content["report_path"] != default.structured_content["report_path"]


async def test_audio_read_beside_the_video_pass_matches_audio_alone(client, media_dir: Path) -> None:  # noqa: ANN001
    """With scenes and audio asked together the file is read once (audio demuxed beside the video);
    the sound facts are the same as from audio read on its own."""
    from video_json_ai.engine.sample import write_sample

    sample = media_dir / "sample.mp4"
    write_sample(sample)
    alone = await client.call_tool("extract_json", {"source": str(sample), "features": ["audio"]})
    together = await client.call_tool("extract_json", {"source": str(sample), "features": ["scenes", "audio"]})
    assert not alone.is_error and not together.is_error, (alone.content, together.content)
    a, b = alone.structured_content["report"], together.structured_content["report"]
    assert "audio" not in b["timings_s"] and "audio" in a["timings_s"]  # no separate audio read
    assert b["audio"] == a["audio"]
    assert len(b["scenes"]) == 3
