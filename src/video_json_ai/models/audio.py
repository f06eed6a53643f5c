"""Audio facts, on-screen text and transcripts."""

from __future__ import annotations

from pydantic import Field

from video_json_ai.models.common import Box, Model, TimeSpan


class AudioReport(Model):
    stream_index: int = Field(description="Index among the file's audio streams (0 = first).")
    duration_s: float
    integrated_lufs: float | None = Field(description="EBU R128 integrated loudness; None for digital silence.")
    loudness_range_lu: float | None
    true_peak_dbtp: float | None
    delta_to_streaming_lu: float | None = Field(default=None, description="integrated - (-14 LUFS).")
    delta_to_broadcast_lu: float | None = Field(default=None, description="integrated - (-23 LUFS).")
    loudness_verdict: str = Field(description="Plain-language verdict against the targets.")
    silences: list[TimeSpan] = Field(default_factory=list)
    silence_threshold_db: float
    silence_min_s: float
    speech: list[TimeSpan] = Field(default_factory=list)
    speech_ratio: float | None = Field(default=None, ge=0, le=1)
    non_speech_sound: list[TimeSpan] = Field(
        default_factory=list, description="Music or noise: not silent and not speech."
    )
    vad_model: str | None = None


class TextOverlay(Model):
    start_s: float
    end_s: float
    scene_index: int | None
    text: str
    confidence: float = Field(ge=0, le=1)
    box: Box


class TranscriptSegment(Model):
    start_s: float
    end_s: float
    text: str


class Transcript(Model):
    language: str | None
    model: str
    segments: list[TranscriptSegment]
