"""Scene extraction benchmark: our full default extraction vs a plain decode vs PySceneDetect.

    python bench/bench_scenes.py                 # makes (once) a noisy 1080p30 2-minute clip
    python bench/bench_scenes.py --clip F.mp4 --truth F.truth.json
    python bench/bench_scenes.py --no-pyscenedetect

The clip (cached under bench/.cache/) is textured, moving footage with film grain: hard cuts,
fades through black, dissolves, 2-frame flashes, fast pans and slow lighting changes, with a
truth file of its boundaries. Each contender runs in a fresh subprocess, once (the machine is
shared: run it on a quiet machine for final figures); the child times only its own work and reports
its peak resident memory (ru_maxrss) and the CPU seconds it used (all threads; steadier than wall
time when the machine is shared).

Contenders:
* ``decode``: PyAV decode of every frame with FFmpeg threading (thread_type AUTO), nothing else;
* ``ours``: ``build_report`` with DEFAULT_FEATURES, as ``video-json-ai extract`` runs it (the CLI
  wraps this same call in a worker process after hashing the file);
* ``ours-every-frame`` (``--every-frame-too``): the same with ``every_frame=True`` (no frame left
  undecoded), to see what leaving unreferenced frames undecoded buys;
* ``cli``: the real ``video-json-ai extract --refresh`` command, end to end (start-up, content
  hash, worker process), for reference;
* ``pyscenedetect``: PySceneDetect 0.7 ``detect-content`` (ContentDetector, default settings,
  Python API) when installed (``pip install -e '.[bench]'``).

Scoring (both detectors alike, kinds ignored): a reported boundary (first frame of a new scene)
matches a true hard cut within +-1 frame, or a true gradual transition within its tolerance
(half its length + 3 frames) of its centre; each report matches at most one truth entry.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from clips import CACHE, make_clip, with_audio  # noqa: E402 (bench/ is on sys.path when run as a script)

ROOT = Path(__file__).resolve().parents[1]


# -- contenders (each runs in its own process) ---------------------------------------------------
def run_decode(clip: Path) -> dict:
    import av

    t0 = time.perf_counter()
    with av.open(str(clip)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        frames = sum(1 for _ in container.decode(stream))
    return {"seconds": time.perf_counter() - t0, "frames": frames}


def run_ours(clip: Path, every_frame: bool = False) -> dict:
    from video_json_ai.engine.extract import build_report
    from video_json_ai.models.report import DEFAULT_FEATURES, VideoRef
    from video_json_ai.models.scenes import SceneOptions
    from video_json_ai.util.progress import CancelToken

    video = VideoRef(video_id="vid_bench", file_name=clip.name, path=str(clip), size_bytes=clip.stat().st_size, sha256="0" * 64)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        report = build_report(clip, video, list(DEFAULT_FEATURES), SceneOptions(every_frame=every_frame), keyframes_dir=Path(tmp) / "kf",
                              progress=lambda f, m: None, cancel=CancelToken())
        seconds = time.perf_counter() - t0
        keyframes = len(list((Path(tmp) / "kf").glob("*.jpg")))
    scenes = report.scenes or []
    return {"seconds": seconds, "boundaries": [s.start_frame for s in scenes[1:]],
            "kinds": [s.transition_in.kind for s in scenes[1:]], "keyframes": keyframes,
            "timings": report.timings_s, "warnings": report.warnings,
            "frames_analysed": report.scenes_summary.frames_analysed if report.scenes_summary else None}


def run_cli(clip: Path) -> dict:
    exe = Path(sys.executable).with_name("video-json-ai")
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, VIDEO_JSON_HOME=str(Path(tmp) / "home"),
                   VIDEO_JSON_ALLOWED_DIRS=os.pathsep.join([str(clip.parent), tmp]))
        env.pop("VIDEO_JSON_OUTPUT_DIR", None)
        out = Path(tmp) / "report.json"
        t0 = time.perf_counter()
        subprocess.run([str(exe), "extract", str(clip), "--refresh", "-o", str(out)], env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        seconds = time.perf_counter() - t0
        scenes = json.loads(out.read_text())["scenes"]
    return {"seconds": seconds, "boundaries": [s["start_frame"] for s in scenes[1:]]}


def run_pyscenedetect(clip: Path) -> dict:
    from scenedetect import ContentDetector, SceneManager, open_video

    t0 = time.perf_counter()
    video = open_video(str(clip))
    manager = SceneManager()
    manager.add_detector(ContentDetector())
    manager.detect_scenes(video)
    scenes = manager.get_scene_list()
    seconds = time.perf_counter() - t0
    starts = [int(getattr(s[0], "frame_num", None) if getattr(s[0], "frame_num", None) is not None else s[0].get_frames())
              for s in scenes[1:]]
    return {"seconds": seconds, "boundaries": starts}


CONTENDERS = {"decode": run_decode, "ours": run_ours, "ours-every-frame": lambda clip: run_ours(clip, every_frame=True),
              "cli": run_cli, "pyscenedetect": run_pyscenedetect}


def _cpu_s() -> float:
    """CPU seconds (user + system, all threads) of this process and its waited-for children."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def child(name: str, clip: Path) -> None:
    cpu0 = _cpu_s()
    result = CONTENDERS[name](clip)
    result["cpu_s"] = _cpu_s() - cpu0
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["children_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print("RESULT " + json.dumps(result))


def spawn(name: str, clip: Path) -> dict | None:
    from child import spawn as spawn_child

    return spawn_child(__file__, name, clip)


# -- scoring ---------------------------------------------------------------------------------------
def score(found: list[int], truth: dict) -> tuple[float, float, float]:
    free = sorted(found)
    tp = 0
    for cut in truth["hard_cuts_frames"]:
        hit = next((f for f in free if abs(f - cut) <= 1), None)
        if hit is not None:
            free.remove(hit)
            tp += 1
    for g in truth.get("gradual_transitions", []):
        hit = next((f for f in free if abs(f - g["center_frame"]) <= g["tolerance_frames"]), None)
        if hit is not None:
            free.remove(hit)
            tp += 1
    n_true = len(truth["hard_cuts_frames"]) + len(truth.get("gradual_transitions", []))
    precision = tp / len(found) if found else 1.0
    recall = tp / n_true if n_true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clip", type=Path, help="a video to use instead of the generated one (needs --truth)")
    ap.add_argument("--truth", type=Path, help="truth JSON: hard_cuts_frames, gradual_transitions[center_frame, tolerance_frames]")
    ap.add_argument("--no-pyscenedetect", action="store_true")
    ap.add_argument("--no-cli", action="store_true", help="skip the end-to-end CLI run")
    ap.add_argument("--every-frame-too", action="store_true",
                    help="also run ours with every frame decoded (what leaving unreferenced frames undecoded buys)")
    ap.add_argument("--child", nargs=2, metavar=("NAME", "CLIP"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return 0
    if args.clip:
        if not args.truth:
            ap.error("--clip needs --truth")
        clip, truth_path = args.clip, args.truth
    else:
        CACHE.mkdir(parents=True, exist_ok=True)
        silent = CACHE / "noisy_1080p30_2min.mp4"
        truth_path = make_clip(silent)
        # the full default extraction includes the audio: give the clip a 2-minute AAC soundtrack
        # (video packets copied, so the frames and the truth are the same)
        clip = with_audio(silent, CACHE / "noisy_1080p30_2min_audio.mp4")
    truth = json.loads(truth_path.read_text())
    names = ["decode", "ours"] + (["ours-every-frame"] if args.every_frame_too else []) + ([] if args.no_cli else ["cli"]) + ([] if args.no_pyscenedetect else ["pyscenedetect"])
    results = {}
    for name in names:
        print(f"running {name}...", file=sys.stderr)
        results[name] = spawn(name, clip)
    n_true = len(truth["hard_cuts_frames"]) + len(truth.get("gradual_transitions", []))
    print(f"\n{clip.name}: {truth.get('frames')} frames; truth: {len(truth['hard_cuts_frames'])} cuts, "
          f"{len(truth.get('gradual_transitions', []))} gradual ({n_true} boundaries)\n")
    base = results["decode"]["seconds"] if results.get("decode") else None
    print(f"{'contender':<15}{'time s':>8}{'vs decode':>11}{'fps':>8}{'cpu s':>8}{'cpu vs':>8}{'peak MB':>9}"
          f"{'found':>7}{'P':>7}{'R':>7}{'F1':>7}")
    base_cpu = results["decode"]["cpu_s"] if results.get("decode") else None
    frames = truth.get("frames") or (results.get("decode") or {}).get("frames") or 0
    f1s = {}
    for name, r in results.items():
        if r is None:
            print(f"{name:<15}{'(not run: see above)':>30}")
            continue
        peak = max(r["peak_rss_mb"], r["children_peak_rss_mb"])
        line = f"{name:<15}{r['seconds']:>8.2f}{(r['seconds'] / base if base else float('nan')):>10.2f}x" \
               f"{frames / r['seconds']:>8.0f}{r['cpu_s']:>8.1f}{(r['cpu_s'] / base_cpu if base_cpu else float('nan')):>7.2f}x" \
               f"{peak:>9.0f}"
        if "boundaries" in r:
            p, rc, f = score(r["boundaries"], truth)
            f1s[name] = f
            line += f"{len(r['boundaries']):>7}{p:>7.3f}{rc:>7.3f}{f:>7.3f}"
        print(line)
    ours, psd = results.get("ours"), results.get("pyscenedetect")
    if ours:
        print(f"\nours: {ours.get('timings')}; frames decoded and analysed: {ours.get('frames_analysed')} of {frames}; "
              f"keyframes written: {ours.get('keyframes')}; warnings: {ours.get('warnings')}")
        print("  (wall times move with the load of a shared machine; CPU seconds much less so)")
        checks = [("full extraction <= plain decode", base is not None and ours["seconds"] <= base),
                  ("peak memory < 250 MB", max(ours["peak_rss_mb"], ours["children_peak_rss_mb"]) < 250)]
        if psd:
            checks += [(f"PySceneDetect / ours = {psd['seconds'] / ours['seconds']:.2f} >= 1.5", psd["seconds"] >= 1.5 * ours["seconds"]),
                       ("F1 ours >= F1 PySceneDetect", f1s["ours"] >= f1s["pyscenedetect"])]
        for what, ok in checks:
            print(f"  [{'ok' if ok else 'NO'}] {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
