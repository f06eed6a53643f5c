"""The storyboard image: its layout inside the model's image bounds, decoded back and read with the OCR."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.support.reports import keyframe_jpeg, synthetic_report
from video_json_ai.engine.storyboard import (
    GAP,
    LONG_EDGE_MAX,
    MAX_TILES,
    PIXELS_MAX,
    clock,
    draw_storyboard,
    image_tokens,
    pick_scenes,
    plan_layout,
    tile_label,
)
from video_json_ai.engine.text.ocr import read_text
from video_json_ai.models.report import Report


def with_keyframe_files(report: Report, folder: Path) -> Report:
    """The report with a 640x360 JPEG on disk for every scene's keyframe."""
    scenes = []
    for scene in report.scenes or []:
        path = folder / f"kf_{scene.index}.jpg"
        path.write_bytes(keyframe_jpeg(scene.index, 640, 360))
        assert scene.keyframe is not None
        scenes.append(scene.model_copy(update={"keyframe": scene.keyframe.model_copy(update={"path": str(path)})}))
    return report.model_copy(update={"scenes": scenes})


@pytest.mark.parametrize("aspect", [16 / 9, 9 / 16, 1.0, 2.39, 4 / 3])
def test_layouts_stay_inside_the_model_bounds(aspect: float) -> None:
    for count in range(1, MAX_TILES + 1):
        layout = plan_layout(count, aspect)
        assert layout.columns * layout.rows >= count > (layout.rows - 1) * layout.columns
        assert max(layout.width, layout.height) <= LONG_EDGE_MAX and layout.width * layout.height <= PIXELS_MAX
        assert abs(layout.tile_w / layout.tile_h - aspect) < 0.05 * aspect
        assert layout.tokens <= 1534  # never scaled down by the model: every pixel sent is a pixel seen
    big = plan_layout(MAX_TILES, 16 / 9)
    assert big.tile_w >= 240  # about the 320 px thumbnails' detail, at ~51 tokens a keyframe instead of 77
    assert big.tokens / MAX_TILES < image_tokens(320, 180) * 0.7


def test_token_rule_scales_large_images_down() -> None:
    assert image_tokens(750, 100) == 100
    assert image_tokens(3000, 1500) == image_tokens(1516, 758)  # area cap, not only the 1568 long edge
    assert image_tokens(4000, 400) <= LONG_EDGE_MAX * 157 / 750 + 1


def test_scenes_are_picked_evenly_with_first_and_last() -> None:
    report = synthetic_report(1500, seconds=7200)
    picked = pick_scenes(report.scenes or [], MAX_TILES)
    indices = [s.index for s in picked]
    assert len(picked) == MAX_TILES and indices[0] == 0 and indices[-1] == 1499
    steps = np.diff(indices)
    assert steps.min() >= 51 and steps.max() <= 52
    assert pick_scenes((report.scenes or [])[:7], MAX_TILES) == (report.scenes or [])[:7]


def test_clock() -> None:
    assert clock(0) == "0:00.0" and clock(12.46) == "0:12.4" and clock(3725.05) == "1:02:05.0"


def test_storyboard_decoded_grid_and_burnt_in_labels(tmp_path: Path) -> None:
    report = with_keyframe_files(synthetic_report(40, seconds=900), tmp_path)
    board = draw_storyboard(report.scenes or [])
    assert board is not None and board.scenes_total == 40
    chosen = pick_scenes(report.scenes or [], MAX_TILES)
    assert board.scene_indices == [s.index for s in chosen]
    sheet = np.asarray(Image.open(io.BytesIO(board.jpeg)).convert("RGB"))
    layout = board.layout
    assert Image.open(io.BytesIO(board.jpeg)).format == "JPEG"
    assert sheet.shape[:2] == (layout.height, layout.width) and (layout.columns, layout.rows) == (6, 5)
    by_index = {s.index: s for s in report.scenes or []}
    for n, index in enumerate(board.scene_indices):
        x, y = layout.origin(n)
        tile = sheet[y: y + layout.tile_h, x: x + layout.tile_w].astype(np.float32)
        source = Image.open(by_index[index].keyframe.path).convert("RGB").resize((layout.tile_w, layout.tile_h))
        top = slice(0, layout.tile_h // 2)  # above the label: the scene's own picture, in its own place
        assert np.abs(tile[top] - np.asarray(source, dtype=np.float32)[top]).mean() < 12, n
        band = sheet[y + layout.tile_h * 2 // 3: y + layout.tile_h, x: x + layout.tile_w]
        read = "".join(r.text for r in read_text(np.ascontiguousarray(band), 0.3)).replace(" ", "")
        assert read == tile_label(by_index[index]).replace(" ", ""), (n, read)
    gap = sheet[:, layout.origin(1)[0] - GAP: layout.origin(1)[0]]
    assert gap.mean() < 40  # tiles apart on the dark background


def test_no_storyboard_without_keyframe_files() -> None:
    assert draw_storyboard(synthetic_report(5, seconds=60).scenes or []) is None  # paths point nowhere
