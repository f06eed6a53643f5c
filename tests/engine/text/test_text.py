"""On-screen text: titles burned in with Pillow at known times, read back with their time spans."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.clips_audio import Overlay, char_recall, cjk_font, make_av_clip
from video_json_ai.engine.analysis.pipeline import analyze_video
from video_json_ai.engine.text.ocr import TextSampler

INTERVAL = 0.5
CUTS = (2.0, 4.0)
SECONDS = 6.0


def _overlays() -> list[Overlay]:
    items = [
        Overlay(0.5, 3.0, "SUMMER SALE 50% OFF", (20, 20), size=22),
        Overlay(3.5, 5.5, "Jane Doe, Head of Product", (20, 140), size=18),
    ]
    font = cjk_font()
    if font:
        items.append(Overlay(1.0, 2.5, "夏季促销 全场五折", (40, 80), size=24, font=font))
    return items


@pytest.fixture(scope="module")
def titled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Overlay]]:
    overlays = _overlays()
    path = make_av_clip(tmp_path_factory.mktemp("text") / "titles.mp4", None, seconds=SECONDS, width=320, height=180,
                        fps=10, overlays=overlays, cuts=CUTS)
    return path, overlays


@pytest.fixture(scope="module")
def read_back(titled):  # type: ignore[no-untyped-def]
    path, _ = titled
    sampler = TextSampler(interval_s=INTERVAL)
    analysis = analyze_video(path, extra_analyzers=[sampler])
    return sampler, sampler.overlays([s.start_s for s in analysis.scenes]), analysis


def _match(entries, text):  # type: ignore[no-untyped-def]
    return max(entries, key=lambda e: char_recall(text, e.text))


def test_every_overlay_read_with_its_time_span(titled, read_back) -> None:  # type: ignore[no-untyped-def]
    _, truth = titled
    _, entries, _ = read_back
    assert len(entries) == len(truth), [(e.text, e.start_s, e.end_s) for e in entries]
    for o in truth:
        e = _match(entries, o.text)
        assert char_recall(o.text, e.text) >= 0.95, (o.text, e.text)
        assert abs(e.start_s - o.start_s) <= INTERVAL + 1e-6, (o, e)
        last_frame = o.end_s - 0.1  # the last frame showing it (10 fps)
        assert abs(e.end_s - last_frame) <= INTERVAL + 1e-6, (o, e)
        assert 0.5 <= e.confidence <= 1


def test_boxes_are_normalised_and_where_the_text_was_drawn(titled, read_back) -> None:  # type: ignore[no-untyped-def]
    _, truth = titled
    _, entries, _ = read_back
    for o in truth:
        e = _match(entries, o.text)
        x, y = o.xy[0] / 320, o.xy[1] / 180
        assert abs(e.box.x - x) < 0.05 and abs(e.box.y - y) < 0.08, (o, e.box)
        assert 0 < e.box.width <= 1 - e.box.x + 1e-6 and 0 < e.box.height < 0.3


def test_scene_index_and_sampling_reuses_static_pictures(titled, read_back) -> None:  # type: ignore[no-untyped-def]
    _, truth = titled
    sampler, entries, analysis = read_back
    assert len(analysis.scenes) == 3
    sale = _match(entries, "SUMMER SALE 50% OFF")
    jane = _match(entries, "Jane Doe, Head of Product")
    assert sale.scene_index == 0 and jane.scene_index == 1
    # text that spans a cut stays one entry
    assert sale.end_s > CUTS[0]
    # static stretches reuse the last reading: far fewer OCR runs than samples
    assert sampler.samples >= SECONDS / INTERVAL
    assert sampler.ocr_runs < sampler.samples


def test_chinese_overlay_needs_a_cjk_font() -> None:
    if cjk_font() is None:
        pytest.skip("no CJK font installed (apt-get install fonts-wqy-microhei); Chinese text is not tested")
    assert any(any("\u4e00" <= ch <= "\u9fff" for ch in o.text) for o in _overlays())


@pytest.mark.anyio
async def test_extract_json_text_feature(client, media_dir: Path) -> None:  # noqa: ANN001
    overlays = [Overlay(0.0, 1.5, "BREAKING NEWS", (20, 60), size=24)]
    clip = make_av_clip(media_dir / "news.mp4", None, seconds=2.0, width=320, height=180, fps=10, overlays=overlays)
    res = await client.call_tool("extract_json", {"source": str(clip), "features": ["metadata", "text"]})
    assert not res.is_error, res.content
    report = res.structured_content["report"]
    assert [t["text"] for t in report["text"]] == ["BREAKING NEWS"]
    entry = report["text"][0]
    assert entry["scene_index"] == 0 and entry["start_s"] == 0.0 and entry["end_s"] >= 1.0
    assert set(entry["box"]) == {"x", "y", "width", "height"}
    assert report["summary"]["text_overlay_count"] == 1
    assert not any("text" in w for w in report["warnings"]), report["warnings"]


def test_changing_numbers_are_separate_entries_at_their_times(shared_media: Path) -> None:
    """counter.mp4 shows "Frame = k" and its time on frame k: each reading keeps its own number and time."""
    sampler = TextSampler(interval_s=1.0)
    analyze_video(shared_media / "counter.mp4", extra_analyzers=[sampler])
    frames = [e for e in sampler.overlays() if e.text.replace(" ", "").startswith("Frame=")]
    assert len(frames) == 3, [(e.text, e.start_s) for e in sampler.overlays()]
    for e in frames:
        number = int(e.text.replace(" ", "").split("=")[1])
        assert number == round(e.start_s * 10) + 1, (e.text, e.start_s)
