"""Audio facts: loudness, silences, speech."""

from __future__ import annotations

from pydantic import Field

from video_json_ai.models.common import Model, TimeSpan

STREAMING_TARGET_LUFS = -14.0
BROADCAST_TARGET_LUFS = -23.0


class AudioOptions(Model):
    """Knobs of the audio analysis."""

    stream_index: int = Field(default=0, ge=0, description="Which audio stream, 0 = the first.")
    silence_threshold_db: float = Field(
        default=-50.0, ge=-120, le=0, description="A 10 ms window quieter than this (RMS, dBFS, every channel) is silent."
    )
    silence_min_s: float = Field(default=0.5, gt=0, le=600, description="Shortest silence reported, seconds.")
    speech_threshold: float = Field(default=0.5, gt=0, lt=1, description="Voice-activity probability that starts speech.")
    speech_min_s: float = Field(default=0.25, ge=0, description="Shortest speech segment kept, seconds.")
    speech_gap_s: float = Field(default=0.3, ge=0, description="Pauses shorter than this join two speech segments.")


class AudioReport(Model):
    stream_index: int = Field(description="Index among the file's audio streams (0 = first).")
    duration_s: float
    integrated_lufs: float | None = Field(description="EBU R128 integrated loudness; None for digital silence.")
    loudness_range_lu: float | None = Field(description="EBU Tech 3342 loudness range (LRA), LU.")
    true_peak_dbtp: float | None = Field(description="Highest true peak (4x oversampled), dBTP; None for silence.")
    delta_to_streaming_lu: float | None = Field(default=None, description="integrated - (-14 LUFS).")
    delta_to_broadcast_lu: float | None = Field(default=None, description="integrated - (-23 LUFS).")
    loudness_verdict: str = Field(description="Plain-language verdict against the targets.")
    silences: list[TimeSpan] = Field(default_factory=list)
    silence_threshold_db: float
    silence_min_s: float
    speech: list[TimeSpan] = Field(default_factory=list, description="Voice activity, seconds from the first frame.")
    speech_ratio: float | None = Field(default=None, ge=0, le=1, description="Share of the audio with speech.")
    non_speech_sound: list[TimeSpan] = Field(
        default_factory=list, description="Music or noise: not silent and not speech."
    )
    vad_model: str | None = None
