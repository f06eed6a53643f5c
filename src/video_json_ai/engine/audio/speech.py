"""Speech (voice activity): Silero VAD v6 (MIT) as the ONNX file that ships inside the
faster-whisper wheel (MIT), run on onnxruntime in batches of windows (no PyTorch, no download;
~0.1 s of CPU per minute), over 16 kHz mono.
"""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path
from typing import Any

import numpy as np

from video_json_ai.engine.audio.spans import SpanTracker
from video_json_ai.errors import NotAvailable
from video_json_ai.models.audio import AudioOptions

VAD_RATE = 16_000
VAD_WINDOW = 512  # samples at 16 kHz = 32 ms, fixed by Silero v5/v6
VAD_CONTEXT = 64  # samples of the previous window the model sees
MIN_SPEECH_HITS = 6  # windows at or above the speech threshold that a segment needs (~0.2 s)


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
