"""Batch throughput, in media seconds per wall second, by engine and worker count.

    python bench/bench_batch.py                 # makes its clips in bench/.cache/batch/
    python bench/bench_batch.py --short 12 --long 2 --long-seconds 60

Two sets of clips made with PyAV (320x240, 25 fps, H.264 + AAC tone, a cut every 2 s):
* ``short``: many clips of a few seconds (start-up and per-video costs show);
* ``long``: a few clips of minutes (the analysis itself shows).

Each set runs with the default features through the batch runner into a fresh folder:
``--workers 1`` (the reference), ``--workers 2``, ``--engine ray`` with 2 CPUs (cold: the run
starts and stops its local Ray instance; warm: Ray already up, as on a cluster), and a resume of
the finished set (every video skipped). Wall time includes starting the workers.

Ray runs its workers at nice 15 by default; here they run at nice 0 (``RAY_worker_niceness=0``),
like the local engine's, so that the two compare on a machine shared with other work.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))
CACHE = ROOT / "bench" / ".cache" / "batch"
WIDTH, HEIGHT, FPS, RATE = 320, 240, 25, 48000


def make_clip(path: Path, seconds: float, seed: int) -> Path:
    """Flat pictures with a new colour every 2 s (real cuts), a moving band, and a tone."""
    if path.is_file():
        return path
    import av

    from video_json_ai.engine.mux import mux_pictures, mux_sound

    rng = np.random.default_rng(seed)
    tmp = path.with_suffix(".part.mp4")
    with av.open(str(tmp), "w", format="mp4") as out:
        v = out.add_stream("libx264", rate=FPS)
        v.width, v.height, v.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        v.options = {"preset": "veryfast"}
        a = out.add_stream("aac", rate=RATE)
        a.layout = "stereo"
        colours = rng.integers(0, 256, (int(seconds // 2) + 2, 3), dtype=np.uint8)

        def pictures():  # type: ignore[no-untyped-def]
            for i in range(int(seconds * FPS)):
                frame = np.empty((HEIGHT, WIDTH, 3), np.uint8)
                frame[:] = colours[i // (2 * FPS)]
                band = (i * 4) % WIDTH
                frame[:, band : band + 16] = 255
                yield frame

        mux_pictures(out, v, pictures(), FPS)
        t = np.arange(int(seconds * RATE)) / RATE
        mux_sound(out, a, np.tile(0.2 * np.sin(2 * np.pi * 440 * t), (2, 1)), RATE)
    tmp.replace(path)
    return path


def clip_set(name: str, count: int, seconds: float) -> list[str]:
    folder = CACHE / f"{name}-{count}x{seconds:g}s"
    folder.mkdir(parents=True, exist_ok=True)
    return [str(make_clip(folder / f"{name}{i:03d}.mp4", seconds + 0.04 * i, i)) for i in range(count)]


def timed(sources: list[str], engine: str, workers: int, out_dir: Path) -> tuple[float, float, int]:
    """(media seconds, wall seconds, failures) of one run into ``out_dir``."""
    from video_json_ai.batch.runner import BatchSettings, run_batch
    from video_json_ai.core.features import resolve_features
    from video_json_ai.models.requests import ExtractRequest

    settings = BatchSettings(out_dir=out_dir, request=ExtractRequest(features=resolve_features(None, "")),
                             engine=engine, workers=workers,  # type: ignore[arg-type]
                             allowed_dirs=tuple({Path(s).parent for s in sources}))
    started = time.perf_counter()
    summary = run_batch(sources, settings)
    wall = time.perf_counter() - started
    return summary.media_hours * 3600, wall, summary.failed


def bench_set(label: str, sources: list[str], work: Path, ray_ok: bool) -> None:
    print(f"\n{label}: {len(sources)} clips")
    print(f"  {'run':<26} {'media s':>9} {'wall s':>8} {'media s/wall s':>15} {'vs workers 1':>13}")
    runs = [("local, --workers 1", "local", 1, None), ("local, --workers 2", "local", 2, None)]
    if ray_ok:
        runs += [("ray, 2 CPUs (cold start)", "ray", 2, "cold"), ("ray, 2 CPUs (warm)", "ray", 2, "warm")]
    reference = None
    last_out = None
    for name, engine, workers, ray_mode in runs:
        out = Path(tempfile.mkdtemp(dir=work, prefix=f"{label}-{engine}-"))
        if ray_mode == "warm":
            import ray

            ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="WARNING")
        try:
            media, wall, failed = timed(sources, engine, workers, out)
        finally:
            if ray_mode == "warm":
                ray.shutdown()
        rate = media / wall
        reference = reference or rate
        note = f"  ({failed} failed)" if failed else ""
        print(f"  {name:<26} {media:9.1f} {wall:8.2f} {rate:15.2f} {rate / reference:12.2f}x{note}", flush=True)
        last_out = out
    assert last_out is not None
    _, wall, _ = timed(sources, "local", 2, last_out)
    print(f"  {'resume (all skipped)':<26} {'':>9} {wall:8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--short", type=int, default=24, help="short clips")
    parser.add_argument("--short-seconds", type=float, default=4.0)
    parser.add_argument("--long", type=int, default=3, help="long clips")
    parser.add_argument("--long-seconds", type=float, default=120.0)
    parser.add_argument("--no-ray", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("RAY_worker_niceness", "0")
    try:
        import ray  # noqa: F401

        ray_ok = not args.no_ray
    except ImportError:
        print("ray is not installed: its rows are left out (pip install 'video-json-ai[ray]')")
        ray_ok = False
    short = clip_set("short", args.short, args.short_seconds)
    long = clip_set("long", args.long, args.long_seconds)
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as work:
        bench_set("short", short, Path(work), ray_ok)
        bench_set("long", long, Path(work), ray_ok)


if __name__ == "__main__":
    main()
