"""The benchmarks' shared clip: 2 minutes of 1080p30 with every kind of shot event, and its soundtrack.

Made once into bench/.cache (git-ignored) and reused by bench_scenes.py and bench_audio.py.
"""

from __future__ import annotations

import json
import os
import sys
import time
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "bench" / ".cache"
FPS = 30
WIDTH, HEIGHT = 1920, 1080
RATE = 48000


def bench_shots():  # type: ignore[no-untyped-def]
    """About 2 minutes at 30 fps: 36 shots of 1.5-6 s with every kind of event."""
    sys.path.insert(0, str(ROOT))
    import numpy as np

    from tests.support.clips_scenes import Shot

    rng = np.random.default_rng(2024)
    shots: list[Shot] = []
    total = 0
    k = 0
    while total < 120 * FPS:
        frames = int(rng.integers(45, 180))
        frames = min(frames, 120 * FPS - total) if 120 * FPS - total >= 45 else frames
        kw: dict = {"seed": 100 + k, "speed": (float(rng.uniform(-0.004, 0.004)), float(rng.uniform(-0.002, 0.002)))}
        if k and k % 6 == 2:
            kw.update(enter="fade", transition_frames=20)
        elif k and k % 6 == 4:
            kw.update(enter="dissolve", transition_frames=24)
        if k % 7 == 3:
            kw["speed"] = (0.05, 0.01)  # fast pan
        if k % 9 == 5:
            kw["flashes"] = (frames // 2,)
        if k % 8 == 6:
            kw["light_ramp"] = 0.5
        shots.append(Shot(frames, **kw))
        total += frames
        k += 1
    return shots


def make_clip(path: Path) -> Path:
    sys.path.insert(0, str(ROOT))
    from tests.support.clips_scenes import write_clip

    truth_path = path.with_suffix(".truth.json")
    if path.is_file() and truth_path.is_file():
        return truth_path
    print(f"making {path.name} (1080p30, 2 min, once; a few minutes)...", file=sys.stderr)
    t0 = time.perf_counter()
    truth = write_clip(path, bench_shots(), width=WIDTH, height=HEIGHT, fps=FPS, grain=3.0, crf=23, preset="veryfast")
    gradual = [{"center_frame": (a + b) / 2, "tolerance_frames": (b - a) / 2 + 3, "first": a, "last": b, "kind": kind}
               for a, b, kind in truth.gradual]
    truth_path.write_text(json.dumps({"frames": truth.frames, "fps": FPS, "hard_cuts_frames": truth.hard_cuts,
                                      "gradual_transitions": gradual, "flashes": truth.flashes}, indent=1))
    print(f"made in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    return truth_path


def soundtrack(seconds: float):  # type: ignore[no-untyped-def]
    """Mono float32 at 48 kHz: speech / chord / silence / tone blocks, cycling."""
    import numpy as np

    from tests.support.clips_audio import espeak_available, silence, speak, tone

    t = np.arange(int(4 * RATE)) / RATE
    chord = (0.2 * sum(np.sin(2 * np.pi * f * t) for f in (220.0, 277.2, 329.6)) / 3).astype(np.float32)
    sentences = ["Welcome back to the channel, today we test three new cameras.",
                 "The light was perfect and the crowd was already waiting at the gate.",
                 "Thanks for watching, and see you next week."]
    spoken = [speak(s, RATE) for s in sentences] if espeak_available() else []
    parts, total, k = [], 0, 0
    while total < seconds * RATE:
        block = [spoken[k % len(spoken)]] if spoken else []
        block += [silence(1.0, RATE), chord, tone(1.5, RATE, 523.0, 0.1), silence(0.7, RATE)]
        for b in block:
            parts.append(b)
            total += len(b)
        k += 1
    return np.concatenate(parts)[: int(seconds * RATE)]


def with_audio(video: Path, target: Path) -> Path:
    """``video``'s packets copied, plus the soundtrack, interleaved by time."""
    import av
    import numpy as np

    if target.is_file():
        return target
    with av.open(str(video)) as src:
        vin = src.streams.video[0]
        seconds = float(vin.duration * vin.time_base) if vin.duration else src.duration / 1e6
        sound = np.tile(soundtrack(seconds), (2, 1))
        tmp = target.with_name(f".{target.name}.tmp.mp4")
        with av.open(str(tmp), "w") as out:
            vout = out.add_stream_from_template(vin)
            aout = out.add_stream("aac", rate=RATE, bit_rate=160000)
            aout.layout = "stereo"
            done = 0

            def audio_until(t: float) -> None:
                nonlocal done
                while done < sound.shape[1] and done / RATE <= t:
                    f = av.AudioFrame.from_ndarray(np.ascontiguousarray(sound[:, done:done + 1024]), format="fltp",
                                                   layout="stereo")
                    f.sample_rate, f.pts, f.time_base = RATE, done, Fraction(1, RATE)
                    done += 1024
                    for p in aout.encode(f):
                        out.mux(p)

            for packet in src.demux(vin):
                if packet.dts is None:
                    continue
                audio_until(float(packet.dts * packet.time_base))
                packet.stream = vout
                out.mux(packet)
            audio_until(float("inf"))
            for p in aout.encode(None):
                out.mux(p)
    os.replace(tmp, target)
    return target


def clip_with_audio() -> Path:
    """The benchmark clip with its soundtrack, made once into bench/.cache."""
    CACHE.mkdir(parents=True, exist_ok=True)
    silent = CACHE / "noisy_1080p30_2min.mp4"
    make_clip(silent)
    return with_audio(silent, CACHE / "noisy_1080p30_2min_audio.mp4")
