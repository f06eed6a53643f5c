"""Speech to text: a transcript in timed segments."""

from __future__ import annotations

from video_json_ai.models.common import Model


class TranscriptSegment(Model):
    start_s: float
    end_s: float
    text: str


class Transcript(Model):
    language: str | None
    model: str
    segments: list[TranscriptSegment]
