"""Speech to text with a model the user has: a faster-whisper (CTranslate2) model directory.

No English speech-to-text model of adequate quality ships inside a package we can vouch for, so
nothing is transcribed by default. Set ``VIDEO_JSON_ASR_MODEL`` to a faster-whisper model folder
(the one holding ``model.bin``, ``config.json``, ``tokenizer.json``...); faster-whisper itself is a
dependency. Without a model, ``transcribe`` raises NotAvailable, which the report turns into a
warning: text is never invented.
"""

from __future__ import annotations

import os
from pathlib import Path

import av
import numpy as np

from video_json_ai.engine.audio.analysis import time_offset
from video_json_ai.engine.media import open_media
from video_json_ai.errors import InvalidInput, NotAvailable
from video_json_ai.models.transcript import Transcript, TranscriptSegment
from video_json_ai.util.progress import CancelToken, ProgressFn, no_progress

ASR_ENV = "VIDEO_JSON_ASR_MODEL"
ASR_RATE = 16_000
HOW_TO = (f"Set {ASR_ENV} to a faster-whisper model folder (CTranslate2 format, e.g. a converted whisper-small) "
          "in the server's environment, then extract again.")


def model_dir() -> Path:
    """The configured model folder; NotAvailable when none is set or usable."""
    value = os.environ.get(ASR_ENV, "").strip()
    if not value:
        raise NotAvailable("no speech-to-text model is configured, so there is no transcript", HOW_TO)
    path = Path(value).expanduser()
    if not (path / "model.bin").is_file():
        raise NotAvailable(f"{ASR_ENV}={value} is not a faster-whisper model folder (no model.bin in it)", HOW_TO)
    return path


def load_audio(path: Path, stream_index: int = 0) -> tuple[np.ndarray, float]:
    """The audio stream as 16 kHz mono float32, resampled by FFmpeg, and its start relative to the
    first video frame (seconds). Whisper needs the whole signal: 64 KB per second of audio."""
    container = open_media(path)
    try:
        streams = container.streams.audio
        if stream_index >= len(streams):
            raise InvalidInput(f"{path.name} has no audio stream {stream_index}",
                               "Leave out 'transcript' for a silent video.")
        offset = time_offset(container, streams[stream_index])
        resampler = av.AudioResampler(format="flt", layout="mono", rate=ASR_RATE)
        parts = []
        for frame in container.decode(streams[stream_index]):
            parts.extend(f.to_ndarray()[0] for f in resampler.resample(frame))
        parts.extend(f.to_ndarray()[0] for f in resampler.resample(None))
    finally:
        container.close()
    return (np.concatenate(parts).astype(np.float32) if parts else np.zeros(0, np.float32)), offset


def transcribe(
    path: Path,
    *,
    stream_index: int = 0,
    language: str | None = None,
    progress: ProgressFn = no_progress,
    cancel: CancelToken | None = None,
    audio: tuple[np.ndarray, float] | None = None,
) -> Transcript:
    """Segments with times and the detected language. NotAvailable when no model is set up.
    ``audio``: the 16 kHz mono signal and its start offset when the caller already decoded it
    (the video pass does); else the file's audio stream is read here."""
    cancel = cancel or CancelToken()
    folder = model_dir()
    try:
        from faster_whisper import WhisperModel
    except ImportError as exc:
        raise NotAvailable(f"{ASR_ENV} is set but faster-whisper is not installed",
                           "Reinstall video-json-ai (pip install -e .), which brings faster-whisper.") from exc
    audio, offset = audio if audio is not None else load_audio(Path(path), stream_index)
    duration = len(audio) / ASR_RATE
    progress(0.0, "loading the speech model")
    model = WhisperModel(str(folder), device="cpu", compute_type="int8", cpu_threads=os.cpu_count() or 2)
    progress(0.05, "transcribing")
    if duration < 0.1:
        return Transcript(language=None, model=f"faster-whisper: {folder.name}", segments=[])
    segments, info = model.transcribe(audio, language=language, beam_size=5, vad_filter=False,
                                      condition_on_previous_text=False)
    out = []
    for seg in segments:  # a generator: the work happens while iterating
        cancel.raise_if_cancelled()
        text = seg.text.strip()
        if text:
            out.append(TranscriptSegment(start_s=round(max(float(seg.start) + offset, 0.0), 3),
                                         end_s=round(float(seg.end) + offset, 3), text=text))
        progress(0.05 + 0.95 * min(float(seg.end) / duration, 1.0), "transcribing")
    return Transcript(language=info.language, model=f"faster-whisper: {folder.name}", segments=out)
