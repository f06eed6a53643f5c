"""Audio facts in one decode pass: EBU R128 loudness, silences, speech (voice activity).

The audio stream is decoded once; FFmpeg (through PyAV) resamples it twice on the fly: to 48 kHz
float for loudness and silence, and to 16 kHz mono for the voice-activity model. Everything is
processed chunk by chunk with fixed-size state (filter memories, loudness histograms, span state
machines), so memory does not grow with the duration.

Loudness follows ITU-R BS.1770-4 / EBU R128: K-weighting (the two biquads at 48 kHz, run by
FFmpeg's ``biquad`` filter in 64-bit arithmetic); 400 ms blocks with 75 % overlap gated at
-70 LUFS and -10 LU (integrated); 3 s short-term windows every 100 ms gated at -70 LUFS and -20 LU,
10th to 95th percentile (loudness range, EBU Tech 3342; None under 3 s of audio); true peak from 4x
oversampling. Block loudness goes into 0.01 LU histograms, which keeps memory constant.

Voice activity: Silero VAD v6 (MIT) as the ONNX file that ships inside the faster-whisper wheel (MIT),
run on onnxruntime in batches of windows (no PyTorch, no download; ~0.1 s of CPU per minute).
"""

from __future__ import annotations

import importlib.util
import math
import threading
from fractions import Fraction
from collections import deque
from pathlib import Path
from typing import Any

import av
import numpy as np

from video_json_ai.engine.media import open_media
from video_json_ai.errors import InvalidInput, MediaError, NotAvailable
from video_json_ai.models.audio import BROADCAST_TARGET_LUFS, STREAMING_TARGET_LUFS, AudioOptions, AudioReport
from video_json_ai.models.common import TimeSpan
from video_json_ai.core.progress import CancelToken, ProgressFn, no_progress
from video_json_ai.util.time import timecode

RATE = 48_000
VAD_RATE = 16_000
VAD_WINDOW = 512  # samples at 16 kHz = 32 ms, fixed by Silero v5/v6
VAD_CONTEXT = 64  # samples of the previous window the model sees
MIN_SPEECH_HITS = 6  # windows at or above the speech threshold that a segment needs (~0.2 s)
SUB_BLOCK = RATE // 10  # 100 ms
LEVEL_WINDOW = RATE // 100  # 10 ms, for silence
ABS_GATE = -70.0
HIST_LO, HIST_HI, HIST_STEP = -70.0, 10.0, 0.01
PROGRESS_EVERY = 5.0  # seconds of audio
CHUNK = RATE  # samples processed at once (1 s): fixed memory, little per-call overhead

# BS.1770-4 K-weighting at 48 kHz: high-shelf "pre-filter" then RLB high-pass.
K_SOS = np.array([
    [1.53512485958697, -2.69169618940638, 1.19839281085285, 1.0, -1.69065929318241, 0.73248077421585],
    [1.0, -2.0, 1.0, 1.0, -1.99004745483398, 0.99007225036621],
])


def _channel_weights(layout: av.AudioLayout) -> np.ndarray:
    """BS.1770 weights: 1.0 front, 1.41 surround/back, 0 for LFE."""
    weights = []
    for ch in layout.channels:
        name = ch.name.upper()
        if "LFE" in name or name.startswith("LOW"):
            weights.append(0.0)
        elif name.startswith(("S", "B")):  # side and back: SL, SR, BL, BR, BC
            weights.append(1.41)
        else:
            weights.append(1.0)
    return np.array(weights or [1.0])


class KWeighting:
    """The K-weighting biquads run by FFmpeg (``biquad`` filters, 64-bit arithmetic) on 48 kHz
    planar frames: a streaming IIR in C instead of a long FIR in numpy (~15x less CPU)."""

    def __init__(self, layout: av.AudioLayout) -> None:
        from av.filter import Graph

        self.graph = Graph()
        node = self.graph.add_abuffer(format="fltp", sample_rate=RATE, layout=layout.name, time_base=Fraction(1, RATE))
        for b0, b1, b2, a0, a1, a2 in K_SOS:
            stage = self.graph.add("biquad", f"b0={b0}:b1={b1}:b2={b2}:a0={a0}:a1={a1}:a2={a2}:precision=f64")
            node.link_to(stage)
            node = stage
        sink = self.graph.add("abuffersink")
        node.link_to(sink)
        self.graph.configure()

    def __call__(self, frame: av.AudioFrame | None) -> list[np.ndarray]:
        """Push a frame (None at the end) and return the filtered samples that came out."""
        self.graph.push(frame)
        out = []
        while True:
            try:
                out.append(self.graph.pull().to_ndarray())
            except (av.BlockingIOError, av.EOFError):
                return out


def _oversampling_phases(taps_per_phase: int = 16) -> np.ndarray:
    """Polyphase 4x interpolation filter (Kaiser-windowed sinc), shape (4, taps_per_phase)."""
    n = 4 * taps_per_phase
    k = np.arange(n) - (n - 1) / 2
    h = np.sinc(k / 4) * np.kaiser(n, 8.0)
    phases = np.stack([h[p::4] for p in range(4)])
    return phases / phases.sum(axis=1, keepdims=True)


class _Histogram:
    """Block energies binned by loudness (0.01 LU): gating and percentiles in constant memory."""

    def __init__(self) -> None:
        self.bins = int(round((HIST_HI - HIST_LO) / HIST_STEP))
        self.count = np.zeros(self.bins, dtype=np.int64)
        self.energy = np.zeros(self.bins, dtype=np.float64)
        self.centres = HIST_LO + (np.arange(self.bins) + 0.5) * HIST_STEP

    def add(self, z: np.ndarray) -> None:
        z = z[z > 0]
        if not len(z):
            return
        loud = -0.691 + 10 * np.log10(z)
        keep = loud > ABS_GATE
        z, loud = z[keep], loud[keep]
        idx = np.clip(((loud - HIST_LO) / HIST_STEP).astype(np.int64), 0, self.bins - 1)
        np.add.at(self.count, idx, 1)
        np.add.at(self.energy, idx, z)

    def gated(self, relative_lu: float) -> tuple[np.ndarray, float] | None:
        """Bins at or above the relative gate, and the gate; None when nothing passed -70 LUFS."""
        n = self.count.sum()
        if n == 0:
            return None
        gate = -0.691 + 10 * math.log10(self.energy.sum() / n) + relative_lu
        first = int(np.clip(math.floor((gate - HIST_LO) / HIST_STEP), 0, self.bins - 1))
        # the bin holding the gate value: keep only if its centre is above the gate
        start = first if self.centres[first] >= gate else first + 1
        mask = np.zeros(self.bins, dtype=bool)
        mask[start:] = True
        return mask, gate

    def integrated(self) -> float | None:
        g = self.gated(-10.0)
        if g is None:
            return None
        mask, _ = g
        n = self.count[mask].sum()
        if n == 0:
            return None
        return -0.691 + 10 * math.log10(self.energy[mask].sum() / n)

    def loudness_range(self) -> float | None:
        g = self.gated(-20.0)
        if g is None:
            return None
        mask, _ = g
        counts = np.where(mask, self.count, 0)
        total = counts.sum()
        if total == 0:
            return None
        cum = np.cumsum(counts)
        lo = self.centres[int(np.searchsorted(cum, 0.10 * total, side="left"))]
        hi = self.centres[int(np.searchsorted(cum, 0.95 * total, side="left"))]
        return max(hi - lo, 0.0)


class LoudnessMeter:
    """Integrated loudness, loudness range and true peak of 48 kHz planar float chunks."""

    def __init__(self, weights: np.ndarray) -> None:
        self.weights = weights
        channels = len(weights)
        self.pending = np.zeros((channels, 0))
        self.subs: deque[float] = deque(maxlen=30)  # last 3 s of weighted 100 ms energies
        self.momentary = _Histogram()
        self.short_term = _Histogram()
        self.phases = _oversampling_phases()
        self.tail = np.zeros((channels, self.phases.shape[1] - 1))
        self.peak = 0.0

    def push(self, x: np.ndarray, weighted: np.ndarray) -> None:
        """``x``: shape (channels, samples), float, 48 kHz; ``weighted``: the same samples
        K-weighted (by ``KWeighting``; its frames may end a little before or after ``x``)."""
        if not x.shape[1]:
            return
        self._true_peak(x)
        y = weighted
        y = np.concatenate([self.pending, y], axis=1) if self.pending.shape[1] else y
        whole = y.shape[1] // SUB_BLOCK * SUB_BLOCK
        self.pending = y[:, whole:]
        if not whole:
            return
        ms = (y[:, :whole].reshape(y.shape[0], -1, SUB_BLOCK) ** 2).mean(axis=2)  # (channels, blocks)
        z = self.weights @ ms
        blocks4, blocks30 = [], []
        for value in z:
            self.subs.append(float(value))
            if len(self.subs) >= 4:
                blocks4.append(sum(list(self.subs)[-4:]) / 4)
            if len(self.subs) == 30:
                blocks30.append(sum(self.subs) / 30)
        self.momentary.add(np.array(blocks4))
        self.short_term.add(np.array(blocks30))

    def _true_peak(self, x: np.ndarray) -> None:
        ext = np.concatenate([self.tail, x], axis=1)
        taps = self.phases.shape[1]
        self.tail = ext[:, -(taps - 1):]
        peak = float(np.abs(x).max())
        if peak * 2.0 <= self.peak:  # inter-sample peaks exceed sample peaks by well under 6 dB
            return
        for ch in ext:
            for h in self.phases:
                peak = max(peak, float(np.abs(np.convolve(ch, h, mode="valid")).max()))
        self.peak = max(self.peak, peak)

    def result(self) -> tuple[float | None, float | None, float | None]:
        integrated = self.momentary.integrated()
        lra = self.short_term.loudness_range()
        tp = 20 * math.log10(self.peak) if self.peak > 0 else None
        return integrated, lra, tp


class SpanTracker:
    """Turns a stream of (time, on/off) steps into spans at least ``min_s`` long."""

    def __init__(self, min_s: float, join_gap_s: float = 0.0) -> None:
        self.min_s = min_s
        self.join_gap_s = join_gap_s
        self.spans: list[tuple[float, float]] = []
        self._start: float | None = None

    def step(self, t: float, on: bool) -> None:
        if on and self._start is None:
            self._start = t
        elif not on and self._start is not None:
            self._close(t)

    def _close(self, end: float) -> None:
        start, self._start = self._start, None
        assert start is not None
        self.add(start, end)

    def add(self, start: float, end: float) -> None:
        if self.spans and start - self.spans[-1][1] < self.join_gap_s:
            start = self.spans.pop()[0]
        self.spans.append((start, end))

    def finish(self, t: float) -> list[tuple[float, float]]:
        if self._start is not None:
            self._close(t)
        return [s for s in self.spans if s[1] - s[0] >= self.min_s]


class SilenceDetector:
    """Spans where every channel's 10 ms RMS level stays under the threshold."""

    def __init__(self, threshold_db: float, min_s: float) -> None:
        self.threshold = 10 ** (threshold_db / 20)
        self.tracker = SpanTracker(min_s)
        self.pending: np.ndarray | None = None
        self.samples = 0
        self._last = False

    def push(self, x: np.ndarray) -> None:
        if self.pending is not None and self.pending.shape[1]:
            x = np.concatenate([self.pending, x], axis=1)
        whole = x.shape[1] // LEVEL_WINDOW * LEVEL_WINDOW
        self.pending = x[:, whole:]
        if not whole:
            return
        rms = np.sqrt((x[:, :whole].reshape(x.shape[0], -1, LEVEL_WINDOW) ** 2).mean(axis=2)).max(axis=0)
        silent = rms < self.threshold
        # only the changes matter: walk the edges, not every window
        edges = np.flatnonzero(np.diff(np.concatenate([[self._last], silent]).astype(np.int8)))
        for i in edges:
            self.tracker.step((self.samples + i * LEVEL_WINDOW) / RATE, bool(silent[i]))
        self._last = bool(silent[-1])
        self.samples += whole

    def finish(self) -> list[tuple[float, float]]:
        end = (self.samples + (self.pending.shape[1] if self.pending is not None else 0)) / RATE
        return self.tracker.finish(end)


_vad_session: Any = None
_vad_lock = threading.Lock()


def vad_model_path() -> Path:
    """Silero VAD v6 as ONNX, as shipped inside the faster-whisper wheel (found without importing it)."""
    spec = importlib.util.find_spec("faster_whisper")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "assets" / "silero_vad_v6.onnx"
        if path.is_file():
            return path
    raise NotAvailable("the voice-activity model (Silero VAD, shipped in the faster-whisper package) is not installed",
                       "Reinstall video-json-ai (pip install -e .), which brings faster-whisper and onnxruntime.")


def _vad() -> Any:
    global _vad_session
    with _vad_lock:
        if _vad_session is None:
            import onnxruntime

            opts = onnxruntime.SessionOptions()
            opts.inter_op_num_threads = 1
            opts.intra_op_num_threads = 1
            opts.log_severity_level = 4
            _vad_session = onnxruntime.InferenceSession(str(vad_model_path()), sess_options=opts,
                                                        providers=["CPUExecutionProvider"])
        return _vad_session


class SpeechDetector:
    """Silero VAD over 32 ms windows of 16 kHz mono (batched, state carried across chunks),
    with hysteresis (on at ``speech_threshold``, off 0.15 below) and gap joining."""

    MODEL = "silero-vad v6 (ONNX from faster-whisper, onnxruntime)"
    BATCH = 64  # windows per model call (~2 s)

    def __init__(self, options: AudioOptions) -> None:
        self.session = _vad()
        self.on = options.speech_threshold
        self.off = max(options.speech_threshold - 0.15, 0.01)
        self.tracker = SpanTracker(options.speech_min_s, options.speech_gap_s)
        self.pending = np.zeros(0, dtype=np.float32)
        self.h = np.zeros((1, 1, 128), np.float32)
        self.c = np.zeros((1, 1, 128), np.float32)
        self.context = np.zeros(VAD_CONTEXT, np.float32)
        self.windows = 0
        self.speaking = False
        self.start = 0.0
        self.hits = 0

    def push(self, mono: np.ndarray, final: bool = False) -> None:
        x = np.concatenate([self.pending, mono]) if len(self.pending) else mono
        if final and len(x) % VAD_WINDOW:
            x = np.concatenate([x, np.zeros(VAD_WINDOW - len(x) % VAD_WINDOW, np.float32)])
        batch = VAD_WINDOW * (1 if final else self.BATCH)
        whole = len(x) // batch * batch
        self.pending = x[whole:]
        if not whole:
            return
        w = x[:whole].astype(np.float32).reshape(-1, VAD_WINDOW)
        ctx = np.concatenate([self.context[None], w[:-1, -VAD_CONTEXT:]], axis=0)
        probs, self.h, self.c = self.session.run(None, {"input": np.concatenate([ctx, w], axis=1), "h": self.h, "c": self.c})
        self.context = w[-1, -VAD_CONTEXT:].copy()
        for p in np.asarray(probs).reshape(-1):
            t = self.windows * VAD_WINDOW / VAD_RATE
            if not self.speaking and p >= self.on:
                self.speaking, self.start, self.hits = True, t, 0
            elif self.speaking and p < self.off:
                self._close(t)
            self.hits += p >= self.on
            self.windows += 1

    def _close(self, t: float) -> None:
        self.speaking = False
        if self.hits >= MIN_SPEECH_HITS:  # a few confident windows: not one chord that looked like a vowel
            self.tracker.add(self.start, t)

    def finish(self) -> list[tuple[float, float]]:
        samples = self.windows * VAD_WINDOW + len(self.pending)
        self.push(np.zeros(0, np.float32), final=True)
        end = samples / VAD_RATE
        if self.speaking:
            self._close(end)
        return self.tracker.finish(end)


def _complement(spans: list[tuple[float, float]], start: float, end: float, min_s: float) -> list[tuple[float, float]]:
    out, cursor = [], start
    for a, b in sorted(spans):
        if a - cursor >= min_s:
            out.append((cursor, a))
        cursor = max(cursor, b)
    if end - cursor >= min_s:
        out.append((cursor, end))
    return out


def loudness_verdict(integrated: float | None, true_peak: float | None) -> str:
    if integrated is None:
        return "silent: no measurable loudness"

    def against(target: float, name: str) -> str:
        d = integrated - target
        if abs(d) <= 1.0:
            return f"on target for {name} ({target:.0f} LUFS)"
        return f"{abs(d):.1f} LU {'below' if d < 0 else 'above'} the {name} target ({target:.0f} LUFS)"

    words = f"{integrated:.1f} LUFS: {against(STREAMING_TARGET_LUFS, 'streaming')}; " \
            f"{against(BROADCAST_TARGET_LUFS, 'broadcast')}"
    if true_peak is not None and true_peak > -1.0:
        words += f"; true peak {true_peak:.1f} dBTP is above -1 dBTP (may clip after encoding)"
    return words


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
            self._meter = LoudnessMeter(_channel_weights(layout))
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
        sound = _complement([*silences, *speech_spans], 0.0, duration, options.silence_min_s)
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
