"""The render plan: a request checked against its sources (spans, streams, rotation, lengths) and
turned into the output's size, rate and the frames and samples each span contributes."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from video_json_ai.engine.media import open_media
from video_json_ai.engine.render.geometry import display_size, output_size, upscale_warning
from video_json_ai.engine.render.output import AUDIO_RATE, GIF_FPS, GIF_MAX_S, Preset, preset
from video_json_ai.errors import InvalidInput, MediaError
from video_json_ai.models.render import RenderOptions, RenderSegment

MAX_FPS = Fraction(60)
DEFAULT_FPS = Fraction(25)
STANDARD_RATES = [Fraction(24000, 1001), Fraction(24), Fraction(25), Fraction(30000, 1001), Fraction(30),
                  Fraction(50), Fraction(60000, 1001), Fraction(60), Fraction(12), Fraction(15), Fraction(20)]


@dataclass(frozen=True)
class SourceSpan:
    """One span, checked against its file."""

    path: Path
    start_s: float
    end_s: float
    origin_s: float
    """Timestamp of the source's first frame: span times are relative to it."""
    has_video: bool
    has_audio: bool
    shown: tuple[int, int] | None
    fps: Fraction | None
    sar: Fraction | None


@dataclass(frozen=True)
class RenderPlan:
    spans: list[SourceSpan]
    preset: Preset
    size: tuple[int, int] | None
    fps: Fraction | None
    audio: bool
    frames: list[int]
    """Output frames per span (video formats)."""
    samples: list[int]
    """Output audio samples per span."""
    warnings: tuple[str, ...] = ()

    @property
    def duration_s(self) -> float:
        if self.fps is not None:
            return sum(self.frames) / float(self.fps)
        return sum(self.samples) / AUDIO_RATE


def _fps(stream: av.video.stream.VideoStream) -> Fraction | None:
    """The rate to show a source at: its base rate (the grid of a variable-rate file), else the average."""
    for rate in (stream.base_rate, stream.average_rate, stream.guessed_rate):
        if rate and 1 <= rate <= 60:
            rate = Fraction(rate)
            for standard in STANDARD_RATES:
                if abs(rate - standard) <= standard * Fraction(1, 200):
                    return standard
            return rate.limit_denominator(1001)
    return None


def _check_span(seg: RenderSegment, want_video: bool) -> SourceSpan:
    path = Path(seg.path).expanduser()
    with open_media(path) as c:
        v = c.streams.video[0] if c.streams.video else None
        a = c.streams.audio[0] if c.streams.audio else None
        if want_video and v is None:
            raise InvalidInput(f"'{path.name}' has no picture", "Render it as mp3 or wav, or leave it out.")
        if v is None and a is None:
            raise MediaError(f"'{path.name}' holds no video or audio stream", "Pass a video file.")
        # Times count from the first picture whenever there is one (as the scenes of a report do),
        # so an mp3 cut of a video starts where the mp4 cut would.
        first = v if v is not None else a
        main = v if want_video else (a or v)
        assert first is not None and main is not None
        cstart = c.start_time / av.time_base if c.start_time is not None else 0.0
        origin = float(first.start_time * first.time_base) if first.start_time is not None else cstart
        main_start = float(main.start_time * main.time_base) if main.start_time is not None else origin
        if c.format.name.endswith("_pipe") or c.format.name.startswith("image2"):
            raise InvalidInput(f"'{path.name}' is a still image: only videos and sound can be rendered",
                               "Leave it out (pass video_id of a video), or turn it into a video clip first.")
        if main.duration and main.time_base:
            duration = float(main.duration * main.time_base) + main_start - origin
        elif c.duration:
            duration = c.duration / av.time_base - (origin - cstart)
        else:
            raise MediaError(f"The length of '{path.name}' is unknown", "Re-encode it to MP4 and try again.")
        shown = fps = sar = None
        if v is not None:
            cc = v.codec_context
            sar = v.sample_aspect_ratio
            rotation = _rotation(c, v)
            shown = display_size(cc.width, cc.height, sar, rotation)
            fps = _fps(v)
        has_audio = a is not None
    start = float(seg.start_s or 0.0)
    if not math.isfinite(start) or start < 0:
        raise InvalidInput(f"start_s {seg.start_s} is negative", "Use 0 or more seconds.")
    frame_s = 1.0 / float(fps) if fps else 0.0
    tolerance = max(0.05, frame_s)
    if start >= duration:
        raise InvalidInput(f"start_s {start:g} is at or after the end of '{path.name}' ({duration:.3f} s)",
                           f"Use a start before {duration:.3f} s.")
    end = duration if seg.end_s is None else float(seg.end_s)
    if not math.isfinite(end) or end <= start:
        raise InvalidInput(f"start_s {start:g} is not before end_s {end:g}", "Give a start earlier than the end.")
    if end > duration + tolerance:
        raise InvalidInput(f"end_s {end:g} is beyond the end of '{path.name}' ({duration:.3f} s)",
                           f"Use an end at or before {duration:.3f} s, or leave it out for the whole video.")
    return SourceSpan(path=path, start_s=start, end_s=min(end, duration), origin_s=origin,
                      has_video=v is not None, has_audio=has_audio, shown=shown, fps=fps, sar=sar)


def _rotation(c: av.container.InputContainer, v: av.video.stream.VideoStream) -> int:
    """Display rotation from the first decoded frame (where PyAV exposes the display matrix)."""
    try:
        for frame in c.decode(v):
            return int(round(frame.rotation or 0))
    except av.FFmpegError:
        return 0
    return 0


def plan_render(segments: Sequence[RenderSegment], options: RenderOptions) -> RenderPlan:
    """Check the request against the sources and work out sizes, rates and lengths. Raises InvalidInput."""
    chosen = preset(options)
    if not segments:
        raise InvalidInput("Nothing to render", "Give at least one video (or span of one).")
    spans = [_check_span(seg, chosen.has_video) for seg in segments]
    audio = chosen.has_audio and any(s.has_audio for s in spans)
    if not chosen.has_video:
        if not audio:
            raise InvalidInput("None of the sources has sound", f"{options.format} is audio only: choose mp4 or webm.")
        samples = _split([s.end_s - s.start_s for s in spans], AUDIO_RATE)
        return RenderPlan(spans, chosen, None, None, True, [], samples)
    first = spans[0].shown
    assert first is not None
    largest = max(min(s.shown) for s in spans if s.shown)
    size = output_size(first=first, resolution=options.resolution, aspect=options.aspect, gif=options.format == "gif")
    warning = upscale_warning(size, largest, allow_upscale=options.allow_upscale)
    if options.fps is not None:
        fps = Fraction(options.fps).limit_denominator(1001)
    elif options.format == "gif":
        fps = Fraction(GIF_FPS).limit_denominator(2)
    else:
        fps = min(spans[0].fps or DEFAULT_FPS, MAX_FPS)
    frames = _split([s.end_s - s.start_s for s in spans], fps)
    if any(n < 1 for n in frames):
        raise InvalidInput("A span is shorter than one frame", "Make every span at least one frame long.")
    total_s = sum(frames) / float(fps)
    if options.format == "gif" and total_s > GIF_MAX_S + 1e-6:
        raise InvalidInput(f"A GIF of {total_s:.1f} s is too long (at most {GIF_MAX_S:g} s)",
                           "Trim it with start_s/end_s, or render mp4 or webm.")
    bounds = [0, *np.cumsum(frames).tolist()]
    samples = [round(bounds[i + 1] * AUDIO_RATE / fps) - round(bounds[i] * AUDIO_RATE / fps) for i in range(len(frames))]
    return RenderPlan(spans, chosen, size, fps, audio, frames, samples, (warning,) if warning else ())


def _split(durations: list[float], rate: Fraction | int) -> list[int]:
    """Units (frames or samples) per span, rounding the running total so the sum stays exact."""
    out, total, done = [], 0.0, 0
    for d in durations:
        total += d
        end = int(round(total * rate))
        out.append(end - done)
        done = end
    return out
