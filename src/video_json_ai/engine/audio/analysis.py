"""Audio facts in one decode pass: EBU R128 loudness, silences, speech (voice activity).

The audio stream is decoded once; FFmpeg (through PyAV) resamples it twice on the fly: to 48 kHz
float for loudness and silence (``loudness.py``, ``silence.py``), and to 16 kHz mono for the
voice-activity model (``speech.py``). Everything is processed chunk by chunk, on a thread of its
own, with fixed-size state (filter memories, loudness histograms, span state machines), so memory
does not grow with the duration. This module orchestrates: decoding, resampling, chunking, the
report.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import av
import numpy as np

from video_json_ai.util.progress import CancelToken, ProgressFn, no_progress
from video_json_ai.engine.audio.loudness import (
    RATE, SUB_BLOCK, KWeighting, LoudnessMeter, channel_weights, loudness_verdict,
)
from video_json_ai.engine.audio.silence import SilenceDetector
from video_json_ai.engine.audio.spans import complement
from video_json_ai.engine.audio.speech import VAD_RATE, SpeechDetector
from video_json_ai.engine.media import open_media
from video_json_ai.errors import InvalidInput, MediaError, NotAvailable
from video_json_ai.models.audio import BROADCAST_TARGET_LUFS, STREAMING_TARGET_LUFS, AudioOptions, AudioReport
from video_json_ai.models.common import TimeSpan
from video_json_ai.util.time import timecode

PROGRESS_EVERY = 5.0  # seconds of audio
CHUNK = RATE  # samples processed at once (1 s): fixed memory, little per-call overhead


def time_offset(container: av.container.InputContainer, stream: av.audio.stream.AudioStream) -> float:
    """Where the audio starts relative to the report's time zero (the first video frame; else the
    audio itself), seconds."""
    def start_of(s: av.stream.Stream) -> float | None:
        if s.start_time is None or s.time_base is None:
            return None
        return float(s.start_time * s.time_base)

    audio_start = start_of(stream) or 0.0
    for v in container.streams.video:
        if not (v.disposition & av.stream.Disposition.attached_pic):
            vs = start_of(v)
            return audio_start - vs if vs is not None else 0.0
    return 0.0


def _span(a: float, b: float, offset: float, end: float) -> TimeSpan:
    return TimeSpan(start_s=round(max(a + offset, 0.0), 3), end_s=round(min(b + offset, end), 3))


class _ChunkWorker:
    """Runs ``work(*chunk)`` for each chunk on a thread of its own, in order. The numpy and
    onnxruntime calls inside release the GIL, so the sound is analysed while the calling thread
    handles video frames. A failure is raised again by the next ``put`` or by ``close``."""

    def __init__(self, work: Any) -> None:
        import queue

        self._work = work
        self._queue: queue.Queue[tuple[Any, ...] | None] = queue.Queue(maxsize=1)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="audio-analysis", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (chunk := self._queue.get()) is not None:
            if self._error is None:
                try:
                    self._work(*chunk)
                except BaseException as exc:  # handed to the caller's thread
                    self._error = exc

    def put(self, *chunk: Any) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put(chunk)

    def close(self) -> None:
        """Wait for the queued chunks (idempotent); raise what the work raised."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        if self._error is not None:
            raise self._error


class AudioAnalysis:
    """Loudness, silences and speech of one audio stream, fed decoded frames as they come: by
    ``analyze_audio`` from its own read of the file, or by the video pass, which then demuxes
    the audio beside the video so that one extraction reads the file once."""

    def __init__(self, container: av.container.InputContainer, stream: av.audio.stream.AudioStream,
                 options: AudioOptions, name: str, progress: ProgressFn = no_progress,
                 keep_mono: bool = False) -> None:
        self.stream, self.options, self.name, self.progress = stream, options, name, progress
        self.mono: list[np.ndarray] | None = [] if keep_mono else None
        """With ``keep_mono``: the whole signal at 16 kHz mono (what speech-to-text needs), in parts."""
        self.mono_listeners: list[Any] = []
        """Called with each ~1 s chunk of the 16 kHz mono signal, on the analysis thread (the tone detector)."""
        self.offset = time_offset(container, stream)
        self.total = float(stream.duration * stream.time_base) if stream.duration and stream.time_base else \
            (container.duration / 1_000_000 if container.duration else 0.0)
        self._to48: av.AudioResampler | None = None
        self._to16 = av.AudioResampler(format="flt", layout="mono", rate=VAD_RATE, frame_size=VAD_RATE // 10)
        self._meter: LoudnessMeter | None = None
        self._silence = SilenceDetector(options.silence_threshold_db, options.silence_min_s)
        try:
            self._speech: SpeechDetector | None = SpeechDetector(options)
        except NotAvailable:
            self._speech = None  # the report then has no speech facts (vad_model None) and says so
        self._samples = 0
        self._next_report = 0.0
        self._buf48: list[np.ndarray] = []
        self._bufk: list[np.ndarray] = []
        self._k: KWeighting | None = None
        self._buf16: list[np.ndarray] = []
        self._held = 0
        self.decode_error: str | None = None
        self._worker: _ChunkWorker | None = None

    @classmethod
    def open(cls, container: av.container.InputContainer, options: AudioOptions, name: str,
             progress: ProgressFn = no_progress, keep_mono: bool = False) -> AudioAnalysis:
        streams = container.streams.audio
        if options.stream_index >= len(streams):
            raise InvalidInput(
                f"{name} has {len(streams)} audio stream(s); audio stream {options.stream_index} does not exist",
                "Leave out 'audio' for a silent video, or pick an existing audio stream (0 = first).")
        return cls(container, streams[options.stream_index], options, name, progress, keep_mono)

    def feed(self, frame: av.AudioFrame) -> None:
        if self._to48 is None:
            layout = frame.layout if frame.layout.nb_channels else av.AudioLayout("stereo")
            self._to48 = av.AudioResampler(format="fltp", layout=layout, rate=RATE, frame_size=SUB_BLOCK)
            self._meter = LoudnessMeter(channel_weights(layout))
            self._k = KWeighting(layout)
        self._gather(self._to48.resample(frame), self._to16.resample(frame))
        t = self._samples / RATE
        if t >= self._next_report:
            self._next_report = t + PROGRESS_EVERY
            self.progress(min(t / self.total, 0.999) if self.total else 0.0,
                          f"analysing audio: {timecode(t)} of {timecode(self.total) if self.total else '?'}")

    def decode(self, packet: av.Packet) -> None:
        """Decode one packet of the stream (an empty packet flushes); a damaged stream stops the
        audio facts where it breaks (a MediaError later if nothing was decoded)."""
        if self.decode_error is not None:
            return
        try:
            for frame in packet.decode():
                self.feed(frame)
        except av.FFmpegError as exc:
            self.decode_error = str(exc)
        except ValueError as exc:  # a damaged header changed the sample format, layout or rate mid-stream
            self.decode_error = f"the audio format changed mid-stream ({exc})"

    def _gather(self, frames48: list[av.AudioFrame], frames16: list[av.AudioFrame], flush: bool = False) -> None:
        """Gather decoded frames into ~1 s chunks: numpy work per chunk, not per 1024 samples."""
        assert self._k is not None
        for f in frames48:
            self._buf48.append(f.to_ndarray())
            self._bufk.extend(self._k(f))
            self._held += f.samples
        if flush:
            self._bufk.extend(self._k(None))
        self._buf16.extend(f.to_ndarray()[0] for f in frames16)
        if self._held < CHUNK and not flush:
            return
        x = w = mono = None
        if self._buf48:
            x = np.concatenate(self._buf48, axis=1).astype(np.float64)
            w = np.concatenate(self._bufk, axis=1) if self._bufk else x[:, :0]
            self._samples += x.shape[1]
        if self._buf16:
            mono = np.concatenate(self._buf16)
            if self.mono is not None:
                self.mono.append(mono)
        if x is not None or mono is not None:
            if self._worker is None:
                self._worker = _ChunkWorker(self._analyse_chunk)
            self._worker.put(x, w, mono)
        self._buf48.clear()
        self._bufk.clear()
        self._buf16.clear()
        self._held = 0

    def _analyse_chunk(self, x: np.ndarray | None, weighted: np.ndarray | None, mono: np.ndarray | None) -> None:
        """On the worker thread: the only place the meter and the detectors are touched."""
        if x is not None and weighted is not None:
            assert self._meter is not None
            self._meter.push(x, weighted)
            self._silence.push(x)
        if mono is not None and self._speech is not None:
            self._speech.push(mono)
        for listener in self.mono_listeners if mono is not None else ():
            listener(mono)

    def close(self) -> None:
        """Stop the analysis thread (waits for the chunks it holds); safe to call more than once."""
        if self._worker is not None:
            self._worker.close()

    def finish(self) -> AudioReport:
        if self._to48 is None or self._meter is None:
            why = f" ({self.decode_error})" if self.decode_error else ""
            raise MediaError(f"{self.name}: the audio stream has no decodable sound{why}",
                             "The file may be empty, damaged or use an unsupported codec; re-encode it.")
        self._gather(self._to48.resample(None), self._to16.resample(None), flush=True)
        self.close()
        options, off = self.options, self.offset
        duration = self._samples / RATE
        integrated, lra, tp = self._meter.result()
        end = duration + off
        silences = self._silence.finish()
        speech = self._speech
        speech_spans = speech.finish() if speech is not None else []
        sound = complement([*silences, *speech_spans], 0.0, duration, options.silence_min_s)
        speech_time = sum(b - a for a, b in speech_spans)
        self.progress(1.0, "audio analysed")
        return AudioReport(
            stream_index=options.stream_index,
            duration_s=round(duration, 3),
            integrated_lufs=round(integrated, 2) if integrated is not None else None,
            loudness_range_lu=round(lra, 2) if lra is not None else None,
            true_peak_dbtp=round(tp, 2) if tp is not None else None,
            delta_to_streaming_lu=round(integrated - STREAMING_TARGET_LUFS, 2) if integrated is not None else None,
            delta_to_broadcast_lu=round(integrated - BROADCAST_TARGET_LUFS, 2) if integrated is not None else None,
            loudness_verdict=loudness_verdict(integrated, tp),
            silences=[_span(a, b, off, end) for a, b in silences],
            silence_threshold_db=options.silence_threshold_db,
            silence_min_s=options.silence_min_s,
            speech=[_span(a, b, off, end) for a, b in speech_spans],
            speech_ratio=round(min(speech_time / duration, 1.0), 4) if duration > 0 and speech is not None else None,
            non_speech_sound=[_span(a, b, off, end) for a, b in sound],
            vad_model=SpeechDetector.MODEL if speech is not None else None,
        )


def analyze_audio(
    path: Path,
    options: AudioOptions | None = None,
    *,
    progress: ProgressFn = no_progress,
    cancel: CancelToken | None = None,
    warnings: list[str] | None = None,
) -> AudioReport:
    """Loudness, silences and speech of one audio stream of ``path``, read on its own (the video
    pass feeds an ``AudioAnalysis`` itself when it runs). A stream damaged part-way is analysed up
    to the damage, and said so in ``warnings``.

    Raises InvalidInput when the file has no such audio stream, MediaError when nothing can be
    decoded, Cancelled when ``cancel`` is set.
    """
    options = options or AudioOptions()
    cancel = cancel or CancelToken()
    path = Path(path)
    container = open_media(path)
    try:
        analysis = AudioAnalysis.open(container, options, path.name, progress)
        try:
            progress(0.0, "analysing audio")
            for packet in container.demux(analysis.stream):
                analysis.decode(packet)
                cancel.raise_if_cancelled()
            report = analysis.finish()
            if analysis.decode_error and warnings is not None:
                warnings.append(f"audio decoding stopped early ({analysis.decode_error}); the audio facts cover the part before it")
            return report
        finally:
            analysis.close()
    finally:
        container.close()
