"""Storyboard cost: one grid image against separate keyframe images, and whether its labels stay readable.

    python bench/bench_storyboard.py [--counts 6,12,20,30,42,56] [--aspect 1.778]

For each tile count N: N textured 640 px keyframes are written, the storyboard is drawn, and every
tile's burnt-in label ('#index M:SS.s') is read back with the product's own OCR (engine/text). Printed:
the grid, its token cost (Claude: about w*h/750 after scaling to 1568 px / 1.15 MP), tokens per
keyframe, the ratio against N separate images at 320 px (extract_json's include_images) and at the
keyframes' own 640 px, the JPEG size, the drawing time and the labels read exactly. MAX_TILES in
engine/storyboard.py is the largest N whose labels all read back.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from video_json_ai.engine.storyboard import draw_storyboard, image_tokens, tile_label
from video_json_ai.engine.text.ocr import read_text
from video_json_ai.models.scenes import Keyframe, Scene, Transition


def keyframes(folder: Path, count: int, aspect: float) -> list[Scene]:
    rng = np.random.default_rng(count)
    width = 640
    height = int(round(width / aspect / 2) * 2)
    scenes = []
    for i in range(count):
        coarse = rng.integers(0, 256, (6, 10, 3), dtype=np.uint8)
        picture = Image.fromarray(coarse).resize((width, height), Image.Resampling.BICUBIC)
        path = folder / f"kf{count}_{i}.jpg"
        picture.save(path, "JPEG", quality=85)
        start = i * 97.3
        scenes.append(Scene(
            index=i, start_s=start, end_s=start + 97.3, start_frame=i * 2432, end_frame=i * 2432 + 2431,
            start_timecode="", end_timecode="", duration_s=97.3,
            transition_in=Transition(kind="cut", start_s=start, end_s=start, start_frame=0, end_frame=0),
            mean_brightness=0.5, motion="low", motion_score=0.1,
            keyframe=Keyframe(time_s=start, timecode="", frame=0, path=str(path), width=width, height=height)))
    return scenes


def labels_read(jpeg: bytes, board, scenes: list[Scene]) -> int:  # type: ignore[no-untyped-def]
    sheet = np.asarray(Image.open(__import__("io").BytesIO(jpeg)).convert("RGB"))
    by_index = {s.index: s for s in scenes}
    ok = 0
    for n, index in enumerate(board.scene_indices):
        x, y = board.layout.origin(n)
        band = sheet[y + board.layout.tile_h * 2 // 3: y + board.layout.tile_h, x: x + board.layout.tile_w]
        text = " ".join(r.text for r in read_text(np.ascontiguousarray(band), 0.3)).replace(" ", "")
        ok += text == tile_label(by_index[index]).replace(" ", "")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--counts", default="6,12,20,30,42,56")
    parser.add_argument("--aspect", type=float, default=16 / 9)
    args = parser.parse_args()
    small, full = image_tokens(320, int(320 / args.aspect)), image_tokens(640, int(640 / args.aspect))
    print(f"separate images: {small} tokens at 320 px, {full} at 640 px (each)")
    print(f"{'N':>3} {'grid':>6} {'tile':>8} {'image':>10} {'tokens':>6} {'per kf':>6} {'vs320':>6} {'vs640':>6} "
          f"{'KiB':>5} {'ms':>5} {'read':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        for count in (int(c) for c in args.counts.split(",")):
            scenes = keyframes(Path(tmp), count, args.aspect)
            start = time.perf_counter()
            board = draw_storyboard(scenes, limit=count)
            ms = (time.perf_counter() - start) * 1000
            assert board is not None
            lay = board.layout
            read = labels_read(board.jpeg, board, scenes)
            print(f"{count:>3} {lay.columns:>2}x{lay.rows:<3} {lay.tile_w:>3}x{lay.tile_h:<4} "
                  f"{lay.width:>4}x{lay.height:<5} {lay.tokens:>6} {lay.tokens / count:>6.1f} "
                  f"{lay.tokens / (small * count):>6.2f} {lay.tokens / (full * count):>6.2f} "
                  f"{len(board.jpeg) / 1024:>5.0f} {ms:>5.0f} {read:>3}/{count:<3}")


if __name__ == "__main__":
    main()
