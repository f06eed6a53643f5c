"""Render speed: the engine's 1080p H.264 export against FFmpeg's bare decode+encode of the same frames.

    python bench/bench_render.py [--seconds 8] [--repeat 1] [--source FILE] [--vertical]

Both runs read the same 1080p source and write H.264 (the engine's default quality preset: CRF 20,
x264 preset 'faster') + AAC to MP4, in this process, one after the other (alternating when
repeated; the best time of each counts). The reference loop does nothing but decode and encode (no
scaling, no frame selection, no title, no audio placement); the ratio shows what the engine's own
work costs. Peak memory is the process's high-water mark (ru_maxrss) after each kind of run.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from video_json_ai.engine.render.renderer import render
from video_json_ai.engine.render.output import H264, probe_output
from video_json_ai.models.render import RenderOptions, RenderSegment
from video_json_ai.util.progress import CancelToken, no_progress


def make_source(path: Path, seconds: float, width: int = 1920, height: int = 1080, fps: int = 25) -> Path:
    """A moving, textured 1080p clip with a tone (x264 ultrafast, so it is quick to make)."""
    rng = np.random.default_rng(7)
    texture = rng.integers(0, 255, (height // 8 + 1, width // 8 + 64, 3), dtype=np.uint8)
    texture = np.repeat(np.repeat(texture, 8, axis=0), 8, axis=1)
    yy, xx = np.mgrid[0:height, 0:width]
    gradient = ((xx + yy) // 8 % 64).astype(np.uint8)[..., None]
    with av.open(str(path), "w") as out:
        v = out.add_stream("libx264", rate=fps)
        v.width, v.height, v.pix_fmt = width, height, "yuv420p"
        v.options = {"preset": "ultrafast", "crf": "18"}
        a = out.add_stream("aac", rate=48000)
        a.layout = "stereo"
        n = int(seconds * fps)
        for i in range(n):
            shift = (i * 4) % 256
            img = texture[:height, shift : shift + width] // 2 + gradient
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(img), format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, fps)
            out.mux(v.encode(frame))
        out.mux(v.encode(None))
        total = int(seconds * 48000)
        t = np.arange(total) / 48000
        sig = (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
        stereo = np.stack([sig, sig])
        for start in range(0, total, 1024):
            f = av.AudioFrame.from_ndarray(np.ascontiguousarray(stereo[:, start : start + 1024]), format="fltp",
                                           layout="stereo")
            f.sample_rate, f.pts, f.time_base = 48000, start, Fraction(1, 48000)
            out.mux(a.encode(f))
        out.mux(a.encode(None))
    return path


def reference_encode(source: Path, out_path: Path) -> float:
    """FFmpeg through PyAV, nothing else: decode every frame and sample, encode with the same settings."""
    crf, speed, kbps = H264["high"]
    t0 = time.perf_counter()
    with av.open(str(source)) as src, av.open(str(out_path), "w", format="mp4",
                                              container_options={"movflags": "+faststart"}) as out:
        vin, ain = src.streams.video[0], src.streams.audio[0]
        vin.thread_type = "AUTO"
        v = out.add_stream("libx264", rate=vin.average_rate)
        v.width, v.height, v.pix_fmt = vin.codec_context.width, vin.codec_context.height, "yuv420p"
        v.codec_context.bit_rate = 0
        v.options = {"crf": crf, "preset": speed, "profile": "high"}
        v.thread_type = "AUTO"
        a = out.add_stream("aac", rate=48000)
        a.layout = "stereo"
        a.bit_rate = kbps * 1000
        for packet in src.demux(vin, ain):
            for frame in packet.decode():
                if packet.stream is vin:
                    frame.pict_type = av.video.frame.PictureType.NONE
                    out.mux(v.encode(frame))
                else:
                    out.mux(a.encode(frame))
        out.mux(v.encode(None))
        out.mux(a.encode(None))
    return time.perf_counter() - t0


def engine_render(source: Path, out_path: Path, options: RenderOptions) -> float:
    t0 = time.perf_counter()
    render([RenderSegment(path=str(source))], options, out_path, progress=no_progress, cancel=CancelToken())
    return time.perf_counter() - t0


def peak_mb() -> float:
    """High-water mark of this process's resident memory, MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=8.0, help="length of the generated 1080p source")
    parser.add_argument("--source", type=Path, help="use this video instead of a generated one")
    parser.add_argument("--repeat", type=int, default=1, help="alternate the two runs this many times; best counts")
    parser.add_argument("--vertical", action="store_true", help="also time a 9:16 1080x1920 blurred-pad render")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-render-") as tmp:
        work = Path(tmp)
        t0 = time.perf_counter()
        source = args.source or make_source(work / "source_1080p.mp4", args.seconds)
        made = time.perf_counter() - t0
        facts = probe_output(source)
        duration = facts.duration_s or 0.0
        print(f"source: {source.name} {facts.width}x{facts.height} {facts.fps} fps, {duration:.2f} s"
              + ("" if args.source else f" (made in {made:.1f} s)"))

        options = RenderOptions(resolution="1080p")  # default quality 'high', aspect 'source'
        ref_times, eng_times = [], []
        ref_peak = 0.0
        for i in range(max(1, args.repeat)):
            for name in ("reference.mp4", "engine.mp4"):
                (work / name).unlink(missing_ok=True)
            ref_times.append(reference_encode(source, work / "reference.mp4"))
            if i == 0:
                ref_peak = peak_mb()
            eng_times.append(engine_render(source, work / "engine.mp4", options))
        ref_s, eng_s = min(ref_times), min(eng_times)
        out = probe_output(work / "engine.mp4")
        print(f"output: {out.width}x{out.height} {out.video_codec}+{out.audio_codec}, {out.duration_s:.2f} s, "
              f"{out.size_bytes / 1e6:.2f} MB")
        print(f"{'run':<44}{'wall s':>8}{'x real time':>13}")
        print(f"{'FFmpeg via PyAV: decode+encode only':<44}{ref_s:8.2f}{duration / ref_s:13.2f}")
        print(f"{'engine render 1080p (quality high)':<44}{eng_s:8.2f}{duration / eng_s:13.2f}")
        print(f"engine / reference speed: {ref_s / eng_s:.2f}")
        print(f"peak memory: {ref_peak:.0f} MB after the reference run, {peak_mb():.0f} MB after the engine run")
        if args.vertical:
            vert = RenderOptions(resolution="1080p", aspect="9:16", fit="pad", pad_style="blur")
            vs = engine_render(source, work / "vertical.mp4", vert)
            print(f"{'engine render 9:16 1080x1920 blurred pad':<44}{vs:8.2f}{duration / vs:13.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
