"""One test per finding of the outside run (309 mutated files, 20 concurrent calls, a kill -9),
through the SDK's in-process client; and the formats that must work or say why."""

from __future__ import annotations

import os
import random
import shutil
import struct
import threading
import time
from pathlib import Path
from typing import Any

import anyio
import pytest

from tests.support.clips import make_clip
from tests.support.mutate import MP4_BOXES, _positions, make_seed

pytestmark = pytest.mark.anyio


async def _call(client, tool: str, **args: Any) -> dict:  # noqa: ANN001
    res = await client.call_tool(tool, args)
    assert not res.is_error, res.content[0].text
    return res.structured_content


async def _error(client, tool: str, **args: Any) -> str:  # noqa: ANN001
    res = await client.call_tool(tool, args)
    assert res.is_error, res.structured_content
    return res.content[0].text


async def test_an_overwritten_file_is_a_new_video_never_the_old_report(client, media_dir: Path) -> None:  # noqa: ANN001
    """Finding: overwrite an uploaded file, extract_json(video_id) returned the new content's report
    filed under the old hash, and a genuine copy of the old file then got it too."""
    path = make_clip(media_dir / "a.mp4", width=320, height=240, seconds=0.5)
    original = path.read_bytes()
    old = await _call(client, "upload_video", source=str(path))
    make_clip(media_dir / "b.mp4", width=160, height=120, seconds=0.5)
    shutil.copyfile(media_dir / "b.mp4", path)  # same path, other content
    text = await _error(client, "extract_json", video_id=old["video_id"], features=["metadata"])
    assert "changed since it was uploaded" in text and "Upload it again" in text
    new = await _call(client, "upload_video", source=str(path))
    assert new["video_id"] != old["video_id"]
    report = await _call(client, "extract_json", video_id=new["video_id"], features=["metadata"])
    assert report["report"]["metadata"]["video"][0]["width"] == 160
    genuine = media_dir / "copy-of-a.mp4"
    genuine.write_bytes(original)
    again = await _call(client, "upload_video", source=str(genuine))
    assert again["video_id"] == old["video_id"]
    report = await _call(client, "extract_json", video_id=old["video_id"], features=["metadata"])
    assert report["report"]["metadata"]["video"][0]["width"] == 320
    assert report["report"]["video"]["sha256"].startswith(old["video_id"][4:])


async def test_touching_a_file_rehashes_it_and_keeps_the_same_video(client, clip: Path) -> None:  # noqa: ANN001
    up = await _call(client, "upload_video", source=str(clip))
    os.utime(clip, (time.time() + 60, time.time() + 60))  # identity changed, content not
    report = await _call(client, "extract_json", video_id=up["video_id"], features=["metadata"])
    assert report["report"]["video"]["video_id"] == up["video_id"]


async def test_a_video_keeps_every_path_its_content_was_seen_at(client, clip: Path, media_dir: Path) -> None:  # noqa: ANN001
    """Finding: two uploads of the same content kept only the newest path; deleting that copy made
    the video_id unusable although the other copy was still there."""
    first = await _call(client, "upload_video", source=str(clip))
    copy = media_dir / "copy.mp4"
    shutil.copyfile(clip, copy)
    second = await _call(client, "upload_video", source=str(copy))
    assert second["video_id"] == first["video_id"]
    copy.unlink()
    report = await _call(client, "extract_json", video_id=first["video_id"], features=["metadata"])
    assert report["report"]["video"]["path"] == str(clip)
    export = await _call(client, "export_render", video_id=first["video_id"], format="wav")
    assert Path(export["export"]["path"]).is_file()
    clip.unlink()
    assert "is gone" in await _error(client, "extract_json", video_id=first["video_id"], features=["metadata"])


def _bad_utf8_title(path: Path) -> Path:
    make_clip(path, seconds=0.5, title="TITLEXYZ")
    data = path.read_bytes()
    assert data.count(b"TITLEXYZ") == 1
    path.write_bytes(data.replace(b"TITLEXYZ", b"TI\xff\xfe\xc3(YZ"))
    return path


async def test_upload_and_extraction_open_the_same_files(client, media_dir: Path) -> None:  # noqa: ANN001
    """Finding: files with non-UTF-8 metadata were accepted by upload_video but extraction could not open them."""
    path = _bad_utf8_title(media_dir / "latin1.mp4")
    up = await _call(client, "upload_video", source=str(path))
    report = await _call(client, "extract_json", video_id=up["video_id"], features=["metadata", "scenes", "audio"])
    assert report["report"]["metadata"]["tags"]["title"].startswith("TI")
    assert report["report"]["scenes"] and report["report"]["audio"] is not None


def _box_mutants(seed: Path, folder: Path, count: int) -> list[Path]:
    data = seed.read_bytes()
    spots = [i - 4 for tag in (b"vmhd", b"stbl", b"hdlr", b"dinf", b"smhd", b"stsd") for i in _positions(data, (tag,))]
    assert spots and all(tag in MP4_BOXES for tag in (b"vmhd", b"stbl", b"hdlr", b"dinf"))
    rng = random.Random(7)
    out = []
    for n in range(count):
        mutant = bytearray(data)
        at = rng.choice(spots)
        size = struct.unpack(">I", mutant[at:at + 4])[0]
        mutant[at:at + 4] = struct.pack(">I", max(0, min(0xFFFFFFFF, size + rng.choice([-9, -4, -1, 1, 4, 9, 100, -size]))))
        path = folder / f"box{n:02d}.mp4"
        path.write_bytes(bytes(mutant))
        out.append(path)
    return out


async def test_damaged_box_sizes_are_clean_errors_not_attribute_errors(client, media_dir: Path) -> None:  # noqa: ANN001
    """Finding: 7 of 120 errors were unhandled AttributeErrors in the probe (vmhd/stbl/hdlr/dinf box sizes)."""
    seed = make_seed("mp4", media_dir / "seed.mp4")
    no_decoder = media_dir / "no-decoder.mp4"  # what those box sizes did: a video stream FFmpeg has no decoder for
    no_decoder.write_bytes(seed.read_bytes().replace(b"avc1", b"zzzz"))
    outcomes = {"ok": 0, "clean": 0}
    for path in [no_decoder, *_box_mutants(seed, media_dir, 24)]:
        res = await client.call_tool("upload_video", {"source": str(path)})
        text = res.content[0].text
        assert "AttributeError" not in text and "Traceback" not in text and "Unexpected error" not in text, text
        if res.is_error:
            assert "could not be" in text or "holds no" in text or "damaged" in text, text
            outcomes["clean"] += 1
            continue
        outcomes["ok"] += 1
        extracted = await client.call_tool("extract_json", {"video_id": res.structured_content["video_id"],
                                                            "features": ["metadata", "scenes", "audio"]})
        assert "Unexpected error" not in extracted.content[0].text and "Traceback" not in extracted.content[0].text
        if path == no_decoder:  # read as the audio it still holds; the picture cannot be decoded
            assert res.structured_content["summary"]["width"] is None and res.structured_content["summary"]["has_audio"]
    assert sum(outcomes.values()) == 25


async def test_audio_only_files_give_metadata_and_audio(client, media_dir: Path) -> None:  # noqa: ANN001
    mp3 = make_seed("mp3", media_dir / "tone.mp3")
    up = await _call(client, "upload_video", source=str(mp3))
    report = await _call(client, "extract_json", video_id=up["video_id"])  # the default features
    assert report["report"]["metadata"]["audio"] and report["report"].get("scenes") is None
    assert report["report"]["audio"]["integrated_lufs"] is not None and report["report"]["audio"]["duration_s"] > 0.3
    assert any("no video stream (audio only)" in w for w in report["warnings"])


async def test_an_image_gives_metadata_and_text(client, media_dir: Path) -> None:  # noqa: ANN001
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 200), (255, 255, 255))
    ImageDraw.Draw(image).text((40, 60), "HELLO 2026", fill=(0, 0, 0), font_size=72)
    path = media_dir / "card.png"
    image.save(path)
    up = await _call(client, "upload_video", source=str(path))
    assert up["summary"]["width"] == 640
    report = await _call(client, "extract_json", video_id=up["video_id"], features=["metadata", "text"])
    assert report["report"]["metadata"]["format"] == "png_pipe"
    texts = [t["text"] for t in report["report"].get("text") or []]
    assert any("HELLO" in t for t in texts) or any("'text' left out" in w for w in report["warnings"]), (texts, report["warnings"])


async def test_an_extension_that_lies_is_a_clear_error(client, media_dir: Path) -> None:  # noqa: ANN001
    liar = media_dir / "movie.mp4"
    liar.write_bytes(make_seed("mp3", media_dir / "t.mp3").read_bytes())
    text = await _error(client, "upload_video", source=str(liar))
    assert "is named .mp4 but holds MP3 audio" in text and "Rename it to .mp3" in text


async def test_get_state_pages_a_finished_report_like_extract_json(client, media_dir: Path) -> None:  # noqa: ANN001
    from video_json_ai.engine.sample import write_sample

    sample = write_sample(media_dir / "sample.mp4")
    up = await _call(client, "upload_video", source=str(sample))
    first = await _call(client, "extract_json", video_id=up["video_id"], features=["scenes"], page_size=1)
    assert first["scenes_total"] == 3 and len(first["report"]["scenes"]) == 1 and first["next_cursor"]
    state = await _call(client, "get_state", job_id=first["job_id"], page_size=1)
    result = state["job"]["result"]
    assert len(result["report"]["scenes"]) == 1 and result["scenes_total"] == 3 and result["next_cursor"] == "scenes:1"
    page = await _call(client, "get_state", job_id=first["job_id"], cursor=result["next_cursor"], page_size=5)
    assert [s["index"] for s in page["job"]["result"]["report"]["scenes"]] == [1, 2]
    assert page["job"]["result"].get("next_cursor") is None
    session = await _call(client, "get_state")
    assert all("result" not in job or job["result"] is None for job in session["session"]["jobs"])


async def test_refresh_with_a_cursor_does_not_analyse_again(client, media_dir: Path) -> None:  # noqa: ANN001
    from video_json_ai.engine.sample import write_sample

    sample = write_sample(media_dir / "sample.mp4")
    vid = (await _call(client, "upload_video", source=str(sample)))["video_id"]
    fresh = await _call(client, "extract_json", video_id=vid, features=["scenes"], page_size=1, refresh=True)
    made = fresh["report"]["created_at"]
    for cursor in ("scenes:1", "scenes:2"):
        page = await _call(client, "extract_json", video_id=vid, features=["scenes"], page_size=1, refresh=True,
                           cursor=cursor)
        assert page["report"]["created_at"] == made and page["report"]["scenes"][0]["index"] == int(cursor[-1])


async def test_the_worker_pool_is_capped_and_the_queue_is_reported(monkeypatch: pytest.MonkeyPatch, env, media_dir: Path) -> None:  # noqa: ANN001
    """Finding: 21 worker processes at once under 20 concurrent extractions (nothing capped them)."""
    from tests.support.harness import mcp_client, running_app
    from video_json_ai.engine.process import QUEUE

    monkeypatch.setenv("VIDEO_JSON_WORKERS", "1")
    clips = [make_clip(media_dir / f"c{i}.mp4", seconds=1.5, width=96 + 16 * i, height=64) for i in range(4)]
    peak = 0
    stop = threading.Event()

    def watch() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, QUEUE.running)
            time.sleep(0.01)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    messages: list[str] = []
    results: list[Any] = []

    async def progress(done: float, total: float | None, message: str | None) -> None:
        messages.append(message or "")

    try:
        with running_app() as app:
            async with mcp_client(app) as client:
                async def extract(path: Path) -> None:
                    results.append(await client.call_tool("extract_json", {"source": str(path), "features": [
                        "metadata", "scenes"], "wait_seconds": 240}, progress_callback=progress))

                with anyio.fail_after(240):
                    async with anyio.create_task_group() as group:
                        for path in clips:
                            group.start_soon(extract, path)
                assert len(results) == 4 and not any(r.is_error for r in results), [r.content for r in results]
    finally:
        stop.set()
        watcher.join()
        from video_json_ai.engine.process import configure

        configure(os.cpu_count() or 1, 4096)
    assert peak == 1
    assert any("ahead in the queue" in m for m in messages), messages


def _huge_png(path: Path, side: int = 16000) -> Path:
    """A small file whose header declares a side x side RGBA picture (the decoder allocates it all)."""
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = zlib.compress(b"".join(b"\0" + b"\x80" * (4 * side) for _ in range(64)))  # 64 rows of the picture
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 6, 0, 0, 0))
                     + chunk(b"IDAT", rows) + chunk(b"IEND", b""))
    return path


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:")) / 1024


async def test_a_huge_picture_is_decoded_in_a_worker_not_the_server(client, media_dir: Path) -> None:  # noqa: ANN001
    """Finding: a 16000x16000 PNG raised the server's own RSS from 108 to 841 MB during upload."""
    path = _huge_png(media_dir / "huge.png")
    before = _rss_mb()
    up = await client.call_tool("upload_video", {"source": str(path)})
    assert "Traceback" not in up.content[0].text and "Unexpected" not in up.content[0].text
    if not up.is_error:
        assert up.structured_content["summary"]["width"] == 16000
        got = await client.call_tool("extract_json", {"video_id": up.structured_content["video_id"],
                                                      "features": ["metadata", "scenes"]})
        assert "Traceback" not in got.content[0].text and "Unexpected" not in got.content[0].text
    assert _rss_mb() - before < 150  # the picture (1 GB decoded) lived in a worker only
