"""The single decode pass: each frame is decoded at most once and handed to every frame analyzer.

Decoding uses FFmpeg's frame threading; the loop filter is skipped (``skip_loop_filter=all``,
``flags2=+fast``: ~15-20 % faster H.264 decoding, invisible at analysis size). In H.264/HEVC,
pictures no other picture refers to are not decoded in calm stretches (``packet_gate``: ~40 % less
decoding); the analysers then see every frame around a possible boundary and the reference frames
elsewhere, with their frame numbers in the full video (the detector counts analysed frames and
is told how many were skipped before each one; ``_FrameRecord`` maps back). Each frame is
scaled by FFmpeg (swscale, area averaging) to a ~96x54 grey picture for the shot detector; only
sampled frames are scaled further (tiny RGB for colours, keyframe-sized candidates). Each scaler is
a long-lived ``VideoReformatter`` (its SwsContext is reused: ``frame.reformat`` builds a new one
per call, which costs ~2 ms on a 1080p frame against ~0.4 ms reused).

Times come from presentation timestamps (variable frame rate safe), relative to the first frame.
"""

from __future__ import annotations

import bisect
import math
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from av.video.reformatter import VideoReformatter

from video_json_ai.engine.media import open_media
from video_json_ai.engine.audio.analysis import AudioAnalysis
from video_json_ai.engine.analysis.frames import DecodedFrame, FrameAnalyzer
from video_json_ai.engine.scenes.keyframes import KeyframePicker, keyframe_size
from video_json_ai.engine.analysis.packet_gate import PacketGate
from video_json_ai.engine.scenes.stats import ColourSampler, motion_level
from video_json_ai.engine.scenes.default import DefaultShotDetector
from video_json_ai.engine.scenes.detector import Boundary, DetectorParams, ShotDetector
from video_json_ai.errors import InvalidInput, MediaError
from video_json_ai.models.audio import AudioOptions, AudioReport
from video_json_ai.models.scenes import Scene, SceneOptions, ScenesSummary, Transition
from video_json_ai.core.progress import CancelToken, ProgressFn, no_progress
from video_json_ai.util.time import timecode

ANALYSIS_AREA = 96 * 54
PROGRESS_EVERY_S = 1.0


@dataclass
class VideoAnalysis:
    """What one pass over the video found."""

    scenes: list[Scene]
    summary: ScenesSummary
    warnings: list[str] = field(default_factory=list)
    frames: int = 0
    duration_s: float = 0.0
    """From the first frame's start to the last frame's end, seconds."""
    start_time_s: float = 0.0
    """Presentation time of the first frame in the file; every other time is relative to it."""
    width: int = 0
    height: int = 0
    rotation: int = 0
    stream_index: int = 0
    decode_s: float = 0.0
    keyframes_written: int = 0
    audio: AudioReport | None = None
    """Sound facts, when the pass was asked to analyse the audio stream beside the video."""
    mono_16k: tuple[np.ndarray, float] | None = None
    """With ``keep_mono``: the audio as 16 kHz mono float32 and its start relative to the first
    video frame, for speech-to-text without reading the file again."""


def _video_frames(container: av.container.InputContainer, stream: av.video.stream.VideoStream,
                  sound: AudioAnalysis | None, gate: PacketGate | None) -> Iterator[av.VideoFrame]:
    """The video's decoded frames in order. With ``sound``, the audio packets read on the way are
    decoded into it, so the file is read once for both; with ``gate``, the video packets it turns
    away are not decoded."""
    if sound is None and gate is None:
        yield from container.decode(stream)
        return
    audio_index = sound.stream.index if sound is not None else -1
    streams = (stream, sound.stream) if sound is not None else (stream,)
    for packet in container.demux(*streams):
        if packet.stream.index == audio_index:
            sound.decode(packet)  # type: ignore[union-attr]
        elif gate is None or gate.admit(packet):
            yield from packet.decode()


class _LumaShrinker:
    """Frame -> small grey picture for the detector, scaled by FFmpeg in two steps: a nearest-pixel
    pick down to 4x the analysis size, then area averaging (4x4 pixels) down to it. Measured on
    1080p: ~0.25 ms a frame against ~0.5 ms for one bilinear or ~1.2 ms for one area step, with the
    same shot boundaries; one fast-bilinear step (~0.1 ms) aliases film grain and misses cuts.
    Each step keeps its SwsContext (~5x cheaper than ``frame.reformat`` per frame)."""

    def __init__(self, width: int, height: int, aw: int, ah: int) -> None:
        self.size = (aw, ah)
        self.mid = (aw * 4, ah * 4) if width >= aw * 8 and height >= ah * 8 else None
        self._pick, self._average = VideoReformatter(), VideoReformatter()

    def __call__(self, frame: av.VideoFrame) -> np.ndarray:
        aw, ah = self.size
        if self.mid is None:
            return self._average.reformat(frame, width=aw, height=ah, format="gray", interpolation="AREA").to_ndarray()
        grey = self._pick.reformat(frame, width=self.mid[0], height=self.mid[1], format="gray", interpolation="POINT")
        return self._average.reformat(grey, width=aw, height=ah, interpolation="AREA").to_ndarray()


def decode_threads() -> int:
    """FFmpeg frame threads for the pass: more than FFmpeg's own choice (cores + 1), so that the
    decoder keeps working while this thread analyses a frame. On 2 cores, 6 threads instead of 3
    took ~4 % off the 2-minute 1080p benchmark's wall time (median of paired runs) for +22 MB of
    frames in flight. ``VIDEO_JSON_DECODE_THREADS`` overrides it (fewer: less memory)."""
    override = os.environ.get("VIDEO_JSON_DECODE_THREADS", "").strip()
    if override.isdigit() and int(override) > 0:
        return min(int(override), 32)
    return min(2 * (os.cpu_count() or 2) + 2, 16)


def analysis_size(width: int, height: int) -> tuple[int, int]:
    """An even-sided picture of about ANALYSIS_AREA pixels with the stored aspect."""
    aspect = width / max(height, 1)
    w = max(8, int(round(math.sqrt(ANALYSIS_AREA * aspect) / 2)) * 2)
    h = max(8, int(round(w / aspect / 2)) * 2)
    return w, h




def _video_stream(container: av.container.InputContainer, path: Path) -> av.video.stream.VideoStream:
    for stream in container.streams.video:
        if not (stream.disposition & av.stream.Disposition.attached_pic):
            return stream
    raise MediaError(f"{path.name} has no video stream", "Scenes need a video track; use an audio tool for audio-only files.")


class _FrameRecord:
    """Per analysed frame: its frame number, time, mean luma and mean |luma change| per frame since
    the previous analysed frame, for the per-scene facts (kept here, not read from a detector's
    internals, so any ShotDetector fits). Position k is the k-th analysed frame, as the detector
    counts; ``frames[k]`` is its number in the full video."""

    def __init__(self) -> None:
        self.frames: list[int] = []
        self.times: list[float] = []
        self.mean: list[float] = []
        self.change: list[float] = []
        self._prev: np.ndarray | None = None

    def add(self, frame: int, time_s: float, luma: np.ndarray) -> int:
        """Record the next analysed frame; returns how many frames were skipped just before it."""
        y = luma.astype(np.int16)
        gap = frame - self.frames[-1] if self.frames else 1
        self.frames.append(frame)
        self.times.append(time_s)
        self.mean.append(float(y.mean()))
        self.change.append(float(np.abs(y - self._prev).mean()) / max(gap, 1) if self._prev is not None else 0.0)
        self._prev = y
        return max(gap - 1, 0)

    def scene_means(self, lo: int, hi: int) -> tuple[float, float]:
        """Mean luma and motion score of the analysed frames lo..hi-1, per frame of the video: the
        brightness of skipped frames is interpolated, and each change counts for the frames it spans."""
        frames = np.asarray(self.frames[lo:hi])
        mean = np.asarray(self.mean[lo:hi])
        if len(frames) > 1 and frames[-1] - frames[0] + 1 > len(frames):
            mean = np.interp(np.arange(frames[0], frames[-1] + 1), frames, mean)
        if hi - lo < 2:
            return float(mean.mean()), 0.0
        gaps = np.diff(frames)
        change = np.asarray(self.change[lo + 1 : hi])
        return float(mean.mean()), float((change * gaps).sum() / gaps.sum()) / 2.55

    def position(self, frame: int) -> int:
        """Position of the first analysed frame at or after frame number ``frame``."""
        return bisect.bisect_left(self.frames, frame)

    def in_frames(self, b: Boundary) -> Boundary:
        """A boundary found in analysed-frame positions, in frame numbers of the full video."""
        f = self.frames
        return Boundary(f[b.frame], b.kind, (f[b.span[0]], f[b.span[1]]), b.through, b.strength)


class _SceneBuilder:
    """Turns settled boundaries (frame numbers) into Scene models, finishing keyframes and colours
    on the way."""

    def __init__(self, record: _FrameRecord, picker: KeyframePicker | None, colours: ColourSampler) -> None:
        self.record = record
        self.picker = picker
        self.colours = colours
        self.scenes: list[Scene] = []
        self._open_first = 0
        self._open_in: Boundary | None = None
        self.missing_keyframes = 0

    def boundary(self, b: Boundary) -> None:
        self._close(b.frame - 1, b)
        self._open_first = b.frame
        self._open_in = b

    def finish(self, last_frame: int, end_s: float) -> None:
        self._close(last_frame, None, end_s)

    def _close(self, last: int, nxt: Boundary | None, end_s: float | None = None) -> None:
        first = self._open_first
        if last < first:
            return
        rec = self.record
        times = rec.times
        lo, hi = rec.position(first), rec.position(last + 1)  # analysed frames of this scene: lo..hi-1
        start_s = float(times[lo])
        end = float(times[hi]) if end_s is None else end_s
        avoid = [b.span for b in (self._open_in, nxt) if b is not None and b.kind != "cut"]
        keyframe = self.picker.close(len(self.scenes), first, last, avoid) if self.picker else None
        if self.picker and keyframe is None:
            self.missing_keyframes += 1
        mean, motion = rec.scene_means(lo, hi)
        b = self._open_in
        if b is None:
            tr = Transition(kind="start", start_s=0.0, end_s=0.0, start_frame=0, end_frame=0)
        else:
            t0, t1 = times[rec.position(b.span[0])], times[rec.position(b.span[1])]
            tr = Transition(kind=b.kind, start_s=round(float(t0), 3), end_s=round(float(t1), 3),
                            start_frame=b.span[0], end_frame=b.span[1], through=b.through)
        self.scenes.append(Scene(
            index=len(self.scenes),
            start_s=round(start_s, 3),
            end_s=round(end, 3),
            start_frame=first,
            end_frame=last,
            start_timecode=timecode(start_s) or "",
            end_timecode=timecode(end) or "",
            duration_s=round(end - start_s, 3),
            transition_in=tr,
            mean_brightness=round(min(max(float(mean) / 255.0, 0.0), 1.0), 4),
            dominant_colours=self.colours.close(first, last),
            motion=motion_level(motion),  # type: ignore[arg-type]
            motion_score=round(motion, 3),
            keyframe=keyframe,
        ))


def analyze_video(
    path: Path,
    options: SceneOptions | None = None,
    *,
    keyframes_dir: Path | None = None,
    extra_analyzers: Sequence[FrameAnalyzer] = (),
    progress: ProgressFn = no_progress,
    cancel: CancelToken | None = None,
    fast_decode: bool = True,
    detector: ShotDetector | None = None,
    audio_options: AudioOptions | None = None,
    keep_mono: bool = False,
) -> VideoAnalysis:
    """Decode ``path`` once: scenes (cuts, fades, dissolves), per-scene facts and keyframes.

    ``keyframes_dir``: where keyframe JPEGs go (``scene_0000.jpg``...); None = choose keyframes
    but write nothing (also when ``options.write_keyframes`` is False). ``extra_analyzers`` see
    every frame too. ``fast_decode`` skips H.264's loop filter (faster; keyframes very slightly
    softer). ``audio_options``: also analyse that audio stream (loudness, silences, speech) from
    the same read of the file, its packets decoded as they are demuxed beside the video's.
    Raises InvalidInput/MediaError; Cancelled when ``cancel`` is set.
    """
    options = options or SceneOptions()
    cancel = cancel or CancelToken()
    path = Path(path)
    warnings: list[str] = []
    wall0 = time.perf_counter()
    container = open_media(path)
    sound: AudioAnalysis | None = None
    try:
        stream = _video_stream(container, path)
        stream_index = stream.index
        cc = stream.codec_context
        width, height = cc.width, cc.height
        if not width or not height:
            raise MediaError(f"{path.name}: the video stream has no picture size", "The file may be damaged; re-encode it.")
        stream.thread_type = "AUTO"
        cc.thread_count = decode_threads()
        if fast_decode:
            cc.options = {"skip_loop_filter": "all", "flags2": "+fast"}
        gate = None if options.every_frame else PacketGate.for_stream(stream)
        rate = stream.average_rate or stream.guessed_rate
        fps = float(rate) if rate else 30.0
        tb = stream.time_base or Fraction(1, 90000)
        if stream.duration:
            duration = float(stream.duration * tb)
        elif container.duration:
            duration = container.duration / 1_000_000
        else:
            duration = 0.0
        aw, ah = analysis_size(width, height)
        det = DefaultShotDetector(DetectorParams.from_sensitivity(options.sensitivity, options.min_scene_s, fps)) \
            if detector is None else detector
        record = _FrameRecord()
        colours = ColourSampler()
        shrink = _LumaShrinker(width, height, aw, ah)
        sound = AudioAnalysis.open(container, audio_options, path.name, keep_mono=keep_mono) \
            if audio_options is not None else None
        picker: KeyframePicker | None = None
        builder: _SceneBuilder | None = None

        analysed = 0  # frames decoded and analysed (the detector's positions)
        index = -1  # frame number in the full video
        t0: float | None = None
        last_t = 0.0
        last_index = 0
        last_dur = 1.0 / fps
        rotation = 0
        next_report = 0.0
        progress(0.0, "decoding video")
        try:
            for frame in _video_frames(container, stream, sound, gate):
                index = gate.numbers.number(frame.pts, analysed) if gate is not None else analysed
                if frame.pts is not None:
                    t_abs = float(frame.pts * (frame.time_base or tb))
                else:
                    t_abs = (t0 or 0.0) + last_t + last_dur
                if t0 is None:
                    t0 = t_abs
                    rotation = int(round(frame.rotation or 0))
                    sar = stream.sample_aspect_ratio or cc.sample_aspect_ratio
                    size = keyframe_size(width, height, sar, rotation, options.keyframe_width)
                    out_dir = keyframes_dir if options.write_keyframes else None
                    picker = KeyframePicker(out_dir, size=size, rotation=rotation)
                    builder = _SceneBuilder(record, picker, colours)
                t = t_abs - t0
                if t < last_t and analysed:  # a timestamp going back: keep times monotonic
                    t = last_t + last_dur
                elif analysed:
                    last_dur = max((t - last_t) / max(index - last_index, 1), 1e-6)  # one frame's duration
                luma = shrink(frame)
                det.push(analysed, t, luma, record.add(index, t, luma))
                analysed += 1
                last_t, last_index = t, index
                colours.maybe_sample(index, t, frame)
                assert picker is not None and builder is not None
                if picker.wants(t):
                    picker.offer(index, t, frame, luma[::6, ::6].astype(np.float32))
                if extra_analyzers:
                    df = DecodedFrame(index=index, time_s=t, luma=luma, av_frame=frame)
                    for analyzer in extra_analyzers:
                        analyzer.on_frame(df)
                for b in det.pop_settled():
                    builder.boundary(record.in_frames(b))
                cancel.raise_if_cancelled()
                now = time.perf_counter()
                if now >= next_report:
                    next_report = now + PROGRESS_EVERY_S
                    frac = min(t / duration, 0.999) if duration > 0 else 0.0
                    progress(frac, f"analysing frames: {timecode(t)} of {timecode(duration) if duration else '?'}")
        except av.FFmpegError as exc:
            if index < 0:
                raise MediaError(f"{path.name}: no frame could be decoded ({exc})",
                                 "The file may be damaged or use an unsupported codec; re-encode it.") from exc
            warnings.append(f"decoding stopped at {timecode(last_t)} ({exc}); scenes cover the part before it")
        if index < 0 or builder is None:
            raise MediaError(f"{path.name}: the video stream has no decodable frame",
                             "The file may be empty or damaged; re-encode it.")
        decode_s = time.perf_counter() - wall0
        for b in det.finish():
            builder.boundary(record.in_frames(b))
        end_s = last_t + last_dur
        if gate is not None:  # frames left undecoded after the last decoded one (rare)
            for pts in gate.numbers.trailing():
                index += 1
                end_s = max(end_s, float(pts * tb) - (t0 or 0.0) + last_dur)
        builder.finish(index, end_s)
        for analyzer in extra_analyzers:
            analyzer.finish()
    except BaseException:
        if sound is not None:
            sound.close()
        raise
    finally:
        container.close()

    if builder.missing_keyframes:
        warnings.append(f"{builder.missing_keyframes} very short scene(s) have no keyframe (no usable frame was sampled)")
    scenes = builder.scenes
    audio_report = None
    if sound is not None:
        try:
            audio_report = sound.finish()
        except MediaError as exc:
            warnings.append(f"audio left out: {exc}")
        else:
            if sound.decode_error:
                warnings.append(f"audio decoding stopped early ({sound.decode_error}); "
                                "the audio facts cover the part before it")
    wall = time.perf_counter() - wall0
    summary = ScenesSummary(
        count=len(scenes),
        cuts=sum(s.transition_in.kind == "cut" for s in scenes),
        fades=sum(s.transition_in.kind == "fade" for s in scenes),
        dissolves=sum(s.transition_in.kind == "dissolve" for s in scenes),
        average_scene_s=round(end_s / max(len(scenes), 1), 3),
        frames=index + 1,
        frames_analysed=analysed,
        analysis_fps=round((index + 1) / wall, 1) if wall > 0 else None,
    )
    progress(1.0, f"{len(scenes)} scenes in {index + 1} frames")
    return VideoAnalysis(
        scenes=scenes, summary=summary, warnings=warnings, frames=index + 1, duration_s=round(end_s, 3),
        start_time_s=round(t0 or 0.0, 3), width=width, height=height, rotation=rotation,
        stream_index=stream_index, decode_s=round(decode_s, 3),
        keyframes_written=picker.written if picker else 0, audio=audio_report,
        mono_16k=(np.concatenate(sound.mono) if sound.mono else np.zeros(0, np.float32), sound.offset)
        if audio_report is not None and sound is not None and sound.mono is not None else None,
    )
