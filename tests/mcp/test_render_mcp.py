"""export_render through the SDK's in-process client (and the CLI's render command): real clips, real files."""

from __future__ import annotations

import json
from pathlib import Path

import anyio
import numpy as np
import pytest

from tests.support.clips_render import assert_in_sync, frames_luma, make_flash_clip
from tests.support.clips_scenes import Shot, write_clip
from video_json_ai.engine.render.output import probe_output

pytestmark = pytest.mark.anyio


async def _upload(client, path: Path) -> str:  # noqa: ANN001
    res = await client.call_tool("upload_video", {"source": str(path)})
    assert not res.is_error, res.content
    return res.structured_content["video_id"]


async def _render(client, **args: object) -> dict:  # noqa: ANN001
    res = await client.call_tool("export_render", args)
    assert not res.is_error, res.content
    out = res.structured_content
    assert out["status"] == "completed", out
    return out["export"]


async def _error(client, tool: str, args: dict) -> str:  # noqa: ANN001
    res = await client.call_tool(tool, args)
    assert res.is_error, (args, res.structured_content)
    return res.content[0].text


async def _wait_job(client, job_id: str, until: set[str], timeout: float = 60) -> dict:  # noqa: ANN001
    with anyio.fail_after(timeout):
        while True:
            st = await client.call_tool("get_state", {"job_id": job_id})
            assert not st.is_error, st.content
            job = st.structured_content["job"]
            assert 0 <= job["progress"] <= 1
            if job["status"] in until:
                return job
            assert job["status"] == "running", job
            await anyio.sleep(0.05)


async def test_timeline_trim_across_two_videos_keeps_sync_and_is_listed(client, media_dir: Path, app) -> None:  # noqa: ANN001
    a = make_flash_clip(media_dir / "a.mp4")  # 3 s, flashes+clicks at 0.6, 1.4, 2.2
    b = make_flash_clip(media_dir / "b.mp4", width=256, height=192, fps=30, flashes_s=(0.5,), seconds=1.2)
    ids = [await _upload(client, a), await _upload(client, b)]
    seen: list[float] = []

    async def on_progress(p: float, total: float | None, message: str | None) -> None:
        seen.append(p)

    # the timeline is a (0-3 s) then b (3-4.2 s); keep 1.0-3.8 s: a 1.0-3.0, then b 0-0.8
    res = await client.call_tool("export_render", {"start_s": 1.0, "end_s": 3.8}, progress_callback=on_progress)
    assert not res.is_error, res.content
    export = res.structured_content["export"]
    out = Path(export["path"])
    assert out.is_file() and out.parent == app.config.output_dir / "renders"
    assert out.name == "timeline_source_1-3.8s_high.mp4"
    got = probe_output(out)
    assert (got.video_codec, got.audio_codec, got.width, got.height) == ("h264", "aac", 320, 180)
    assert abs(got.duration_s - 2.8) <= 1 / 25 + 1e-6
    assert_in_sync(out, [0.4, 1.2, 2.0 + 0.5])
    assert seen and all(0 <= p <= 1 for p in seen) and seen == sorted(seen)

    session = (await client.call_tool("get_state", {})).structured_content["session"]
    [listed] = session["exports"]
    assert listed["path"] == str(out) and listed["size_bytes"] == out.stat().st_size
    assert (listed["width"], listed["height"], listed["video_codec"], listed["audio_codec"]) == (320, 180, "h264", "aac")
    assert listed["duration_s"] == got.duration_s and listed["source_video_ids"] == ids
    [media] = session["generated_media"]
    assert media["type"] == "video" and media["path"] == str(out) and media["export_id"] == listed["export_id"]
    assert media["duration_s"] == got.duration_s and (media["width"], media["height"]) == (320, 180)


async def test_vertical_versions_of_one_video(client, media_dir: Path) -> None:  # noqa: ANN001
    src = make_flash_clip(media_dir / "wide.mp4", seconds=0.4, flashes_s=(), tint=120)
    vid = await _upload(client, src)
    crop = await _render(client, video_id=vid, aspect="9:16", fit="crop", resolution="1080p", upscale=True,
                         quality="low", output_path=str(media_dir / "crop"))
    pad = await _render(client, video_id=vid, aspect="9:16", fit="pad", pad_style="black", resolution="1080p",
                        upscale=True, quality="low")
    small = await _render(client, video_id=vid, aspect="1:1")  # no resolution given: never upscaled
    assert crop["path"] == str(media_dir / "crop.mp4")  # the extension is added
    assert Path(pad["path"]).name == "wide_1080p_9x16-pad-black_low.mp4"
    for export in (crop, pad):
        assert (export["width"], export["height"]) == (1080, 1920)
        assert abs(export["duration_s"] - 0.4) <= 0.04
    top = slice(0, 600)  # bars when padded; picture when cropped
    assert frames_luma(Path(pad["path"]), 1)[0][top].mean() < 20
    assert frames_luma(Path(crop["path"]), 1)[0][top].mean() > 60
    assert (small["width"], small["height"]) == (180, 180)
    assert crop["warnings"] == [] and pad["warnings"] == [] and small["warnings"] == []  # upscale=True: intended


async def test_resolution_asked_is_met_on_a_smaller_source_with_a_warning(client, media_dir: Path) -> None:  # noqa: ANN001
    src = make_flash_clip(media_dir / "hd.mp4", seconds=0.3, flashes_s=(), width=1280, height=720)
    vid = await _upload(client, src)
    res = await client.call_tool("export_render", {"video_id": vid, "resolution": "1080p", "aspect": "9:16",
                                                   "quality": "low"})
    assert not res.is_error, res.content
    out = res.structured_content
    export = out["export"]
    assert (export["width"], export["height"]) == (1080, 1920)
    got = probe_output(Path(export["path"]))
    assert (got.width, got.height) == (1080, 1920)  # the file itself, not only the report of it
    assert len(export["warnings"]) == 1 and "smaller than the 1080p" in export["warnings"][0]
    assert "720" in export["warnings"][0] and "warning" in out["message"]


def _nearest(frame: np.ndarray, source: list[np.ndarray], around: int) -> int:
    """Index (among around-1..around+1) of the source frame closest to ``frame``."""
    candidates = [i for i in (around - 1, around, around + 1) if 0 <= i < len(source)]
    return min(candidates, key=lambda i: float(np.abs(source[i] - frame).mean()))


async def test_scenes_render_is_the_chosen_scenes_frame_exact(client, media_dir: Path) -> None:  # noqa: ANN001
    src = media_dir / "shots.mp4"
    write_clip(src, [Shot(30, seed=1), Shot(20, seed=2), Shot(25, seed=3)])  # cuts at frames 30 and 50
    vid = await _upload(client, src)
    text = await _error(client, "export_render", {"video_id": vid, "scenes": [1]})
    assert "No scenes are known" in text and "extract_json" in text
    res = await client.call_tool("extract_json", {"video_id": vid, "features": ["scenes"]})
    assert not res.is_error, res.content
    scenes = res.structured_content["report"]["scenes"]
    assert [s["start_frame"] for s in scenes] == [0, 30, 50]

    export = await _render(client, video_id=vid, scenes=[2, 0])
    want_s = scenes[2]["duration_s"] + scenes[0]["duration_s"]
    assert want_s == pytest.approx(2.2, abs=1e-3)
    assert abs(export["duration_s"] - want_s) <= 1 / 25 + 1e-6
    assert Path(export["path"]).name == "shots_source_scenes-2-0_high.mp4"
    out, source = frames_luma(Path(export["path"])), frames_luma(src)
    assert len(out) == 55
    # output frame -> the source frame it must show: scene 2 (frames 50..74), then scene 0 (0..29)
    for k, want in ((0, 50), (1, 51), (24, 74), (25, 0), (26, 1), (54, 29)):
        assert _nearest(out[k], source, want) == want, (k, want)

    text = await _error(client, "export_render", {"video_id": vid, "scenes": [1, 7]})
    assert "Unknown scene index(es) [7]" in text and "0 to 2" in text


async def test_bad_requests_get_clear_errors_and_the_server_keeps_serving(client, media_dir: Path, tmp_path: Path) -> None:  # noqa: ANN001
    text = await _error(client, "export_render", {})
    assert "no video was uploaded" in text
    src = make_flash_clip(media_dir / "clip.mp4", seconds=1.0, flashes_s=())
    vid = await _upload(client, src)
    taken = media_dir / "taken.mp4"
    taken.write_bytes(b"keep me")
    cases = [
        ({"video_id": vid, "start_s": 0.8, "end_s": 0.3}, "must be after start_s"),
        ({"video_id": vid, "start_s": 5.0}, "past the end"),
        ({"video_id": vid, "end_s": 9.0}, "past the end"),
        ({"video_id": "vid_nope"}, "No uploaded video with id 'vid_nope'"),
        ({"video_id": vid, "output_path": str(tmp_path / "outside.mp4")}, "outside the directories"),
        ({"video_id": vid, "output_path": str(taken)}, "never overwritten"),
        ({"video_id": vid, "output_path": str(media_dir / "no" / "x.mp4")}, "does not exist"),
        ({"video_id": vid, "output_path": str(media_dir / "teaser.mov")}, "ends in .mov, but the format is mp4"),
        ({"video_id": vid, "format": "avi"}, "format"),
        ({"video_id": vid, "format": "mp3", "title": "Hi"}, "has no picture"),
        ({"video_id": vid, "aspect": "3:2"}, "aspect"),
    ]
    for args, words in cases:
        text = await _error(client, "export_render", args)
        assert words in text, (args, text)
    assert taken.read_bytes() == b"keep me"
    assert not (tmp_path / "outside.mp4").exists()
    export = await _render(client, video_id=vid, format="wav")  # still serving
    assert export["audio_codec"] == "pcm_s16le" and export["width"] is None
    state = (await client.call_tool("get_state", {})).structured_content["session"]
    assert len(state["exports"]) == 1 and state["generated_media"][0]["type"] == "audio"


async def test_job_contract_then_cancel_leaves_nothing(client, app, media_dir: Path) -> None:  # noqa: ANN001
    vid = await _upload(client, make_flash_clip(media_dir / "long.mp4", seconds=4.0))
    # wait_seconds exceeded -> a job id -> get_state gives the result
    res = await client.call_tool("export_render", {"video_id": vid, "format": "gif", "end_s": 1.0,
                                                   "wait_seconds": 0})
    assert not res.is_error, res.content
    first = res.structured_content
    if first["status"] == "running":
        assert first["job_id"] and "get_state" in first["message"]
        job = await _wait_job(client, first["job_id"], {"completed"})
        export = job["result"]["export"]
    else:
        export = first["export"]
    assert export["format"] == "gif" and Path(export["path"]).is_file()

    # a slow render (1080x1920, blurred bars), cancelled once it is writing its file
    renders = app.config.output_dir / "renders"
    before = set(renders.iterdir())
    res = await client.call_tool("export_render", {"video_id": vid, "aspect": "9:16", "resolution": "1080p",
                                                   "upscale": True, "wait_seconds": 0})
    running = res.structured_content
    assert running["status"] == "running", running
    with anyio.fail_after(60):
        while not any(p.name.endswith(".partial.mp4") for p in renders.iterdir()):
            await anyio.sleep(0.02)
    assert app.jobs.cancel(running["job_id"])
    job = await _wait_job(client, running["job_id"], {"cancelled", "completed", "failed"})
    assert job["status"] == "cancelled", job
    assert set(renders.iterdir()) == before  # no final file, no temporary file
    state = (await client.call_tool("get_state", {})).structured_content["session"]
    assert [e["format"] for e in state["exports"]] == ["gif"]


def test_cli_render(env: dict[str, str], media_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from video_json_ai.cli import main

    src = make_flash_clip(media_dir / "talk.mp4", seconds=2.0)
    out = media_dir / "square.mp4"
    args = ["render", str(src), "--aspect", "1:1", "--fit", "crop", "--start", "0.5",
            "--title", "Hello", "-o", str(out)]
    assert main(args) == 0
    export = json.loads(capsys.readouterr().out)
    assert export["path"] == str(out) and (export["width"], export["height"]) == (180, 180)
    got = probe_output(out)
    assert (got.width, got.height, got.video_codec) == (180, 180, "h264") and abs(got.duration_s - 1.5) <= 0.04
    assert_in_sync(out, [0.1, 0.9])
    size = out.stat().st_size
    for bad, words in ((args, "never overwritten"), (["render", str(src), "--start", "3"], "past the end"),
                       (["render", str(src), "--scenes", "two"], "not a list of scene numbers")):
        with pytest.raises(SystemExit) as stop:
            raise SystemExit(main(bad))
        assert stop.value.code == 2 and words in capsys.readouterr().err
    assert out.stat().st_size == size
