"""The single decode pass: each frame is decoded at most once and handed to every frame analyzer.

In H.264/HEVC, pictures no other picture refers to are not decoded in calm stretches
(``packet_gate``: ~40 % less decoding); the analysers then see every frame around a possible
boundary and the reference frames elsewhere, with their frame numbers in the full video (the
detector counts analysed frames and is told how many were skipped before each one;
``FrameRecord`` maps back). Each frame is scaled by FFmpeg (swscale, area averaging) to a ~96x54
grey picture for the shot detector; only sampled frames are scaled further (tiny RGB for colours,
keyframe-sized candidates). The decoding side is ``decode.py``; the frame analysers
(``frames.FrameAnalyzer``) are the frame record, the detector's feed, the colour sampler, the
keyframe picker and any extra ones; settled boundaries become scenes in ``builder.SceneBuilder``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import av
import numpy as np

from video_json_ai.util.progress import CancelToken, ProgressFn, no_progress
from video_json_ai.engine.analysis.builder import SceneBuilder, ShotFeed
from video_json_ai.engine.analysis.decode import (
    FrameClock, LumaShrinker, PacketReader, VideoStream, analysis_size, open_video_stream, video_frames,
)
from video_json_ai.engine.analysis.frames import DecodedFrame, FrameAnalyzer
from video_json_ai.engine.analysis.record import FrameRecord
from video_json_ai.engine.audio.analysis import AudioAnalysis
from video_json_ai.engine.media import open_media
from video_json_ai.engine.scenes.default import DefaultShotDetector
from video_json_ai.engine.scenes.detector import DetectorParams, ShotDetector
from video_json_ai.engine.scenes.keyframes import KeyframePicker, keyframe_size
from video_json_ai.engine.scenes.stats import ColourSampler
from video_json_ai.errors import MediaError
from video_json_ai.models.audio import AudioOptions, AudioReport
from video_json_ai.models.scenes import Scene, SceneOptions, ScenesSummary
from video_json_ai.util.time import timecode

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
    audio_offset_s: float | None = None
    """Where the analysed audio starts relative to the first video frame (None: no audio analysed)."""
    mono_16k: tuple[np.ndarray, float] | None = None
    """With ``keep_mono``: the audio as 16 kHz mono float32 and its start relative to the first
    video frame, for speech-to-text without reading the file again."""


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
    packet_readers: Sequence[PacketReader] = (),
    audio_listeners: Sequence[Callable[[np.ndarray], None]] = (),
) -> VideoAnalysis:
    """Decode ``path`` once: scenes (cuts, fades, dissolves), per-scene facts and keyframes.

    ``keyframes_dir``: where keyframe JPEGs go (``scene_0000.jpg``...); None = choose keyframes
    but write nothing (also when ``options.write_keyframes`` is False). ``extra_analyzers`` see
    every frame too. ``fast_decode`` skips H.264's loop filter (faster; keyframes very slightly
    softer). ``audio_options``: also analyse that audio stream (loudness, silences, speech) from
    the same read of the file, its packets decoded as they are demuxed beside the video's;
    ``audio_listeners`` then get its 16 kHz mono signal too, chunk by chunk. ``packet_readers``
    get the packets of the streams they ask for (subtitles...) from the same read.
    Raises InvalidInput/MediaError; Cancelled when ``cancel`` is set.
    """
    options = options or SceneOptions()
    path = Path(path)
    wall0 = time.perf_counter()
    container = open_media(path)
    sound: AudioAnalysis | None = None
    try:
        video = open_video_stream(container, path, every_frame=options.every_frame, fast_decode=fast_decode)
        sound = AudioAnalysis.open(container, audio_options, path.name, keep_mono=keep_mono) \
            if audio_options is not None else None
        if sound is not None:
            sound.mono_listeners.extend(audio_listeners)
        run = _Pass(path, video, options, keyframes_dir, detector, extra_analyzers, progress, cancel or CancelToken())
        run.decode(container, sound, packet_readers)
        decode_s = time.perf_counter() - wall0
        run.finish()
    except BaseException:
        if sound is not None:
            sound.close()
        raise
    finally:
        container.close()
    return run.result(sound, decode_s, wall0)


class _Pass:
    """The state of one pass: the frame analysers, the detector, the scenes being built."""

    def __init__(self, path: Path, video: VideoStream, options: SceneOptions, keyframes_dir: Path | None,
                 detector: ShotDetector | None, extra: Sequence[FrameAnalyzer], progress: ProgressFn,
                 cancel: CancelToken) -> None:
        self.path, self.video, self.options, self.keyframes_dir = path, video, options, keyframes_dir
        self.detector = detector if detector is not None else DefaultShotDetector(
            DetectorParams.from_sensitivity(options.sensitivity, options.min_scene_s, video.fps))
        self.extra, self.progress, self.cancel = extra, progress, cancel
        self.record = FrameRecord()
        self.colours = ColourSampler()
        self.shrink = LumaShrinker(video.width, video.height, *analysis_size(video.width, video.height))
        self.clock = FrameClock(video.fps, video.time_base)
        self.picker: KeyframePicker | None = None
        self.builder: SceneBuilder | None = None
        self.analysers: list[FrameAnalyzer] = []
        self.warnings: list[str] = []
        self.index = -1  # frame number in the full video of the last frame
        self.end_s = 0.0
        self.rotation = 0
        self._next_report = 0.0

    def _start(self, frame: av.VideoFrame) -> None:
        """At the first frame (its rotation sets the keyframes' size): the frame analysers."""
        video = self.video
        self.rotation = int(round(frame.rotation or 0))
        sar = video.stream.sample_aspect_ratio or video.stream.codec_context.sample_aspect_ratio
        size = keyframe_size(video.width, video.height, sar, self.rotation, self.options.keyframe_width)
        out_dir = self.keyframes_dir if self.options.write_keyframes else None
        self.picker = KeyframePicker(out_dir, size=size, rotation=self.rotation)
        self.builder = SceneBuilder(self.record, self.picker, self.colours)
        self.analysers = [self.record, ShotFeed(self.detector), self.colours, self.picker, *self.extra]

    def decode(self, container: av.container.InputContainer, sound: AudioAnalysis | None,
               readers: Sequence[PacketReader] = ()) -> None:
        """Every frame through every analyser. Raises MediaError when no frame decodes."""
        self.progress(0.0, "decoding video")
        try:
            for frame in video_frames(container, self.video, sound, readers):
                self._on_frame(frame)
        except av.FFmpegError as exc:
            if self.index < 0:
                raise MediaError(f"{self.path.name}: no frame could be decoded ({exc})",
                                 "The file may be damaged or use an unsupported codec; re-encode it.") from exc
            self.warnings.append(f"decoding stopped at {timecode(self.clock.last_t)} ({exc}); "
                                 "scenes cover the part before it")
        if self.index < 0 or self.builder is None:
            raise MediaError(f"{self.path.name}: the video stream has no decodable frame",
                             "The file may be empty or damaged; re-encode it.")

    def _on_frame(self, frame: av.VideoFrame) -> None:
        clock, gate = self.clock, self.video.gate
        position = clock.analysed
        self.index = index = gate.numbers.number(frame.pts, position) if gate is not None else position
        t = clock.time_of(frame, index)
        if self.builder is None:
            self._start(frame)
        assert self.builder is not None
        luma = self.shrink(frame)
        decoded = DecodedFrame(index=index, time_s=t, luma=luma, av_frame=frame, position=position,
                               skipped_before=clock.skipped_before(index))
        clock.advance(t, index)
        for analyser in self.analysers:
            analyser.on_frame(decoded)
        self.builder.settle(self.detector.pop_settled())
        self.cancel.raise_if_cancelled()
        now = time.perf_counter()
        if now >= self._next_report:
            self._next_report = now + PROGRESS_EVERY_S
            duration = self.video.duration_s
            frac = min(t / duration, 0.999) if duration > 0 else 0.0
            self.progress(frac, f"analysing frames: {timecode(t)} of {timecode(duration) if duration else '?'}")

    def finish(self) -> None:
        """The detector's last boundaries, the last scene (to the end of the video, frames the
        gate left undecoded after the last decoded one included), the analysers' ends."""
        assert self.builder is not None
        self.builder.settle(self.detector.finish())
        self.end_s = self.clock.end_s
        if self.video.gate is not None:  # frames left undecoded after the last decoded one (rare)
            for pts in self.video.gate.numbers.trailing():
                self.index += 1
                self.end_s = max(self.end_s, self.clock.end_with(pts))
        self.builder.finish(self.index, self.end_s)
        for analyser in self.analysers:
            analyser.finish()

    def result(self, sound: AudioAnalysis | None, decode_s: float, wall0: float) -> VideoAnalysis:
        assert self.builder is not None
        warnings = self.warnings
        if self.builder.missing_keyframes:
            warnings.append(f"{self.builder.missing_keyframes} very short scene(s) have no keyframe "
                            "(no usable frame was sampled)")
        audio_report = _finish_audio(sound, warnings)
        frames = self.index + 1
        scenes = self.builder.scenes
        summary = _summary(scenes, self.end_s, frames, self.clock.analysed, time.perf_counter() - wall0)
        self.progress(1.0, f"{len(scenes)} scenes in {frames} frames")
        video = self.video
        return VideoAnalysis(
            scenes=scenes, summary=summary, warnings=warnings, frames=frames, duration_s=round(self.end_s, 3),
            start_time_s=round(self.clock.t0 or 0.0, 3), width=video.width, height=video.height,
            rotation=self.rotation, stream_index=video.index, decode_s=round(decode_s, 3),
            keyframes_written=self.picker.written if self.picker else 0, audio=audio_report,
            audio_offset_s=sound.offset if sound is not None else None,
            mono_16k=(np.concatenate(sound.mono) if sound.mono else np.zeros(0, np.float32), sound.offset)
            if audio_report is not None and sound is not None and sound.mono is not None else None,
        )


def _finish_audio(sound: AudioAnalysis | None, warnings: list[str]) -> AudioReport | None:
    """The sound facts of the pass, if it analysed the audio (a failure is a warning)."""
    if sound is None:
        return None
    try:
        report = sound.finish()
    except MediaError as exc:
        warnings.append(f"audio left out: {exc}")
        return None
    if sound.decode_error:
        warnings.append(f"audio decoding stopped early ({sound.decode_error}); "
                        "the audio facts cover the part before it")
    return report


def _summary(scenes: list[Scene], end_s: float, frames: int, analysed: int, wall: float) -> ScenesSummary:
    return ScenesSummary(
        count=len(scenes),
        cuts=sum(s.transition_in.kind == "cut" for s in scenes),
        fades=sum(s.transition_in.kind == "fade" for s in scenes),
        dissolves=sum(s.transition_in.kind == "dissolve" for s in scenes),
        average_scene_s=round(end_s / max(len(scenes), 1), 3),
        frames=frames,
        frames_analysed=analysed,
        analysis_fps=round(frames / wall, 1) if wall > 0 else None,
    )
