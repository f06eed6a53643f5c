"""What audio, on-screen text and transcripts add to an extraction, on the scenes benchmark's clip.

    python bench/bench_audio.py            # reuses (or makes) bench/.cache/noisy_1080p30_2min.mp4
    VIDEO_JSON_ASR_MODEL=/path/to/faster-whisper-model python bench/bench_audio.py   # + transcript

The scenes benchmark's 2-minute 1080p30 clip is remuxed (video packets copied) with a 2-minute AAC
stereo track of known parts: spoken sentences (espeak-ng, when installed), music-like chords, tones
and silences. Each configuration runs in a fresh subprocess, once (run on a quiet machine for final
figures); the child times only ``build_report`` and reports its peak resident memory:

* ``scenes``: metadata, scenes, keyframes (the default without audio): the reference;
* ``default``: the default features (+ audio); the issue's bar is <= 1.10 x ``scenes``;
* ``+text``: default + on-screen text (OCR);
* ``+transcript``: default + transcript, only when VIDEO_JSON_ASR_MODEL is set;
* ``audio``: ``analyze_audio`` alone, for its own time and memory.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from clips import CACHE, make_clip, with_audio  # noqa: E402 (bench/ is on sys.path when run as a script)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def run(name: str, clip: Path) -> dict:
    from video_json_ai.models.report import DEFAULT_FEATURES

    if name == "audio":
        from video_json_ai.engine.audio.analysis import analyze_audio

        t0 = time.perf_counter()
        r = analyze_audio(clip)
        return {"seconds": time.perf_counter() - t0, "integrated_lufs": r.integrated_lufs,
                "speech_ratio": r.speech_ratio, "silences": len(r.silences), "speech": len(r.speech)}
    from video_json_ai.engine.extract import build_report
    from video_json_ai.models.report import VideoRef
    from video_json_ai.models.scenes import SceneOptions
    from video_json_ai.util.progress import CancelToken

    features = {"scenes": ["metadata", "scenes", "keyframes"], "default": list(DEFAULT_FEATURES),
                "+text": [*DEFAULT_FEATURES, "text"], "+transcript": [*DEFAULT_FEATURES, "transcript"]}[name]
    video = VideoRef(video_id="vid_bench", file_name=clip.name, path=str(clip), size_bytes=clip.stat().st_size,
                     sha256="0" * 64)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        report = build_report(clip, video, features, SceneOptions(), keyframes_dir=Path(tmp) / "kf",
                              progress=lambda f, m: None, cancel=CancelToken())
        seconds = time.perf_counter() - t0
    return {"seconds": seconds, "timings": report.timings_s, "warnings": report.warnings,
            "text_entries": len(report.text) if report.text is not None else None,
            "transcript_segments": len(report.transcript.segments) if report.transcript else None}


def spawn(name: str, clip: Path) -> dict | None:
    from child import spawn as spawn_child

    return spawn_child(__file__, name, clip)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clip", type=Path, help="a video with audio to use instead of the generated one")
    ap.add_argument("--only", help="comma-separated subset of: scenes,default,+text,+transcript,audio")
    ap.add_argument("--repeat", type=int, default=1, help="runs per configuration, alternating; the fastest counts")
    ap.add_argument("--child", nargs=2, metavar=("NAME", "CLIP"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        result = run(args.child[0], Path(args.child[1]))
        result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print("RESULT " + json.dumps(result))
        return 0
    if args.clip:
        clip = args.clip
    else:
        CACHE.mkdir(parents=True, exist_ok=True)
        base = CACHE / "noisy_1080p30_2min.mp4"
        make_clip(base)
        print("adding the soundtrack (once)...", file=sys.stderr)
        clip = with_audio(base, CACHE / "noisy_1080p30_2min_audio.mp4")
    names = ["scenes", "default", "+text", "audio"]
    if os.environ.get("VIDEO_JSON_ASR_MODEL"):
        names.insert(3, "+transcript")
    if args.only:
        names = [n for n in names if n in args.only.split(",")]
    results: dict[str, dict | None] = {}
    for round_ in range(args.repeat):
        for name in names:
            print(f"running {name} ({round_ + 1}/{args.repeat})...", file=sys.stderr)
            r = spawn(name, clip)
            best = results.get(name)
            if r is not None and (best is None or r["seconds"] < best["seconds"]):
                results[name] = r
            elif name not in results:
                results[name] = r
    ref = (results.get("scenes") or {}).get("seconds")
    print(f"\n{clip.name}\n{'run':<14}{'time s':>8}{'vs scenes':>11}{'peak MB':>9}  details")
    for name, r in results.items():
        if r is None:
            print(f"{name:<14}{'(failed: see above)':>28}")
            continue
        ratio = f"{r['seconds'] / ref:>10.3f}x" if ref else f"{'':>11}"
        extra = {k: v for k, v in r.items() if k not in ("seconds", "peak_rss_mb", "warnings") and v is not None}
        print(f"{name:<14}{r['seconds']:>8.2f}{ratio}{r['peak_rss_mb']:>9.0f}  {json.dumps(extra)}")
    if "+transcript" not in results:
        print("+transcript: not measured (set VIDEO_JSON_ASR_MODEL to a faster-whisper model folder)")
    if ref and results.get("default"):
        default = results["default"]
        ratio = default["seconds"] / ref
        print(f"  [{'ok' if ratio <= 1.10 else 'NO'}] default (with audio) / scenes = {ratio:.3f} <= 1.10 "
              "(the audio is decoded inside the video pass; one run each, so repeat on a busy machine)")
    for name in ("+text", "+transcript"):
        r = results.get(name)
        if r and ref:
            cost = r["timings"].get("text_ocr" if name == "+text" else "transcript", 0.0)
            print(f"  {name}: its step {cost:.1f} s ({cost / ref:.2f} x the scenes run); whole run "
                  f"{r['seconds'] / ref:.2f} x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
