"""The whole video in one picture for a model: a grid of keyframes, each with its scene and start time.

Sizes follow what a picture costs a vision model. Claude counts about ``width * height / 750`` tokens
for an image and first scales down one whose long edge is over 1568 px or whose area is over about
1.15 megapixels, so a grid is laid out inside those bounds: anything larger only costs transfer,
not detail. ``bench/bench_storyboard.py`` measures the cost against separate keyframe images and
whether the burnt-in labels stay readable at each tile count: any grid of 12 or more tiles costs
about 1,500 tokens, and the labels read back (OCR) up to 120 tiles, so picture detail sets the limit.
At ``MAX_TILES`` = 30 a 16:9 tile is 254x142 px, near the 320x180 thumbnails of ``include_images``,
at 51 tokens a keyframe instead of 77 (or 308 for the 640 px keyframes themselves).
Tiles are cut from the keyframe JPEGs the extraction wrote (Pillow, decoded at a reduced DCT scale).
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from video_json_ai.models.scenes import Scene

MAX_TILES = 30
"""Most keyframes in one storyboard (more scenes: spread evenly over the video). See the module text."""
LONG_EDGE_MAX = 1568
PIXELS_MAX = 1_150_000
TOKENS_PER_PIXEL = 1 / 750
TILE_WIDTH_MAX = 480
"""Few scenes get large tiles, but no larger than this: past it detail costs tokens for little."""
GAP = 4
BACKGROUND = (24, 24, 24)
JPEG_QUALITY = 80


def image_tokens(width: int, height: int) -> int:
    """What an image of this size costs Claude, after its own scaling down (see the module text)."""
    scale = min(1.0, LONG_EDGE_MAX / max(width, height), math.sqrt(PIXELS_MAX / (width * height)))
    return math.ceil(int(width * scale) * int(height * scale) * TOKENS_PER_PIXEL)


@dataclass(frozen=True)
class Layout:
    """A grid of ``columns x rows`` tiles of ``tile_w x tile_h``, ``GAP`` apart and around."""

    count: int
    columns: int
    rows: int
    tile_w: int
    tile_h: int

    @property
    def width(self) -> int:
        return self.columns * (self.tile_w + GAP) + GAP

    @property
    def height(self) -> int:
        return self.rows * (self.tile_h + GAP) + GAP

    @property
    def tokens(self) -> int:
        return image_tokens(self.width, self.height)

    def origin(self, n: int) -> tuple[int, int]:
        """Top-left corner of tile ``n`` (row by row)."""
        row, column = divmod(n, self.columns)
        return GAP + column * (self.tile_w + GAP), GAP + row * (self.tile_h + GAP)


def plan_layout(count: int, aspect: float) -> Layout:
    """The grid for ``count`` tiles of shape ``aspect`` (width / height) with the largest tiles that
    keep the whole picture inside the model's bounds (ties: the fewest empty cells, then the widest)."""
    if count < 1:
        raise ValueError("a storyboard needs at least one tile")
    best: Layout | None = None
    for columns in range(1, count + 1):
        rows = math.ceil(count / columns)
        by_width = (LONG_EDGE_MAX - GAP) / columns - GAP
        by_height = ((LONG_EDGE_MAX - GAP) / rows - GAP) * aspect
        by_area = math.sqrt(PIXELS_MAX * aspect / (columns * rows)) - GAP
        tile_w = int(min(by_width, by_height, by_area, TILE_WIDTH_MAX))
        layout = Layout(count, columns, rows, tile_w, max(1, int(tile_w / aspect)))
        while layout.width * layout.height > PIXELS_MAX and layout.tile_w > 8:  # the gaps' share
            layout = Layout(count, columns, rows, layout.tile_w - 2, max(1, int((layout.tile_w - 2) / aspect)))
        if best is None or (layout.tile_w, -columns * rows, columns) > (best.tile_w, -best.columns * best.rows, best.columns):
            best = layout
    assert best is not None
    return best


def pick_scenes(scenes: Sequence[Scene], limit: int = MAX_TILES) -> list[Scene]:
    """At most ``limit`` scenes spread evenly over the list, the first and the last included."""
    if len(scenes) <= limit:
        return list(scenes)
    if limit == 1:
        return [scenes[0]]
    step = (len(scenes) - 1) / (limit - 1)
    return [scenes[round(k * step)] for k in range(limit)]


def clock(seconds: float) -> str:
    """A short time for a label: ``M:SS.s``, or ``H:MM:SS.s`` from an hour on."""
    tenths = int(math.floor(max(0.0, seconds) * 10 + 1e-6))
    hours, rest = divmod(tenths, 36_000)
    minutes, rest = divmod(rest, 600)
    secs, tenth = divmod(rest, 10)
    return f"{hours}:{minutes:02d}:{secs:02d}.{tenth}" if hours else f"{minutes}:{secs:02d}.{tenth}"


def tile_label(scene: Scene) -> str:
    """What is burnt into a tile: the scene index (as export_render takes it) and its start."""
    return f"#{scene.index} {clock(scene.start_s)}"


@dataclass(frozen=True)
class Storyboard:
    jpeg: bytes
    layout: Layout
    scene_indices: list[int]
    """Which scenes the tiles show, in order (row by row)."""
    scenes_total: int

    @property
    def caption(self) -> str:
        return caption(len(self.scene_indices), self.scenes_total)


def caption(shown: int, total: int) -> str:
    """What a storyboard of ``shown`` of ``total`` scenes shows, for the model reading it."""
    which = "every scene" if shown == total else f"{shown} of {total} scenes, spread evenly"
    return (f"Storyboard: {which}, row by row; each tile is a scene's keyframe labelled '#index start' "
            f"(index as export_render(scenes=...) takes it, start as M:SS.s).")


def _aspect(scenes: Sequence[Scene]) -> float:
    for scene in scenes:
        kf = scene.keyframe
        if kf is not None and kf.width and kf.height:
            return kf.width / kf.height
    return 16 / 9


def _font(labels: Sequence[str], layout: Layout):  # type: ignore[no-untyped-def]
    """The largest font (up to a seventh of the tile's height) in which every label fits the tile's width."""
    from PIL import ImageFont

    size = max(11, min(28, layout.tile_h // 7))
    font = ImageFont.load_default(size=size)  # FreeType build: scalable; else Pillow's small bitmap font
    if not isinstance(font, ImageFont.FreeTypeFont):
        return font
    widest = max(font.getlength(label) for label in labels)
    room = layout.tile_w * 0.9
    if widest > room:
        font = ImageFont.load_default(size=max(9, int(size * room / widest)))
    return font


def _tile(path: str | None, width: int, height: int):  # type: ignore[no-untyped-def]
    """The keyframe fitted into ``width x height`` (letterboxed when its shape differs); grey when missing."""
    from PIL import Image

    tile = Image.new("RGB", (width, height), (70, 70, 70))
    if not path or not Path(path).is_file():
        return tile
    with Image.open(path) as picture:
        picture.draft("RGB", (width, height))
        picture = picture.convert("RGB")
        picture.thumbnail((width, height), Image.Resampling.BILINEAR)
        tile.paste(picture, ((width - picture.width) // 2, (height - picture.height) // 2))
    return tile


def _label(tile, text: str, font) -> None:  # type: ignore[no-untyped-def]
    """White text on a dark band in the tile's bottom-left corner."""
    from PIL import ImageDraw

    draw = ImageDraw.Draw(tile)
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    pad = max(2, (bottom - top) // 4)
    y = tile.height - (bottom - top) - 2 * pad
    draw.rectangle((0, y, right - left + 2 * pad, tile.height), fill=(0, 0, 0))
    draw.text((pad - left, y + pad - top), text, fill=(255, 255, 255), font=font)


def draw_storyboard(scenes: Sequence[Scene], limit: int = MAX_TILES) -> Storyboard | None:
    """The storyboard of ``scenes`` (None when no scene has a keyframe file to show)."""
    if not any(s.keyframe and s.keyframe.path and Path(s.keyframe.path).is_file() for s in scenes):
        return None
    from PIL import Image

    chosen = pick_scenes(scenes, limit)
    layout = plan_layout(len(chosen), _aspect(chosen))
    sheet = Image.new("RGB", (layout.width, layout.height), BACKGROUND)
    labels = [tile_label(scene) for scene in chosen]
    font = _font(labels, layout)
    for n, (scene, label) in enumerate(zip(chosen, labels)):
        tile = _tile(scene.keyframe.path if scene.keyframe else None, layout.tile_w, layout.tile_h)
        _label(tile, label, font)
        sheet.paste(tile, layout.origin(n))
    buf = io.BytesIO()
    sheet.save(buf, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return Storyboard(buf.getvalue(), layout, [s.index for s in chosen], len(scenes))
