"""Subtitle tracks carried by the file, with their cues."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from video_json_ai.models.common import Model


class SubtitleCue(Model):
    start_s: float = Field(description="When the cue appears, seconds from the first video frame.")
    end_s: float = Field(description="When it goes away, seconds from the first video frame.")
    text: str = Field(description="Plain text, lines joined by newlines; styling and ASS override tags removed.")


class SubtitleTrack(Model):
    stream_index: int = Field(description="Index of the stream in the container (as in metadata.subtitles).")
    codec: str = Field(description="FFmpeg's codec name, e.g. 'ass', 'subrip', 'mov_text', 'webvtt', 'hdmv_pgs_subtitle'.")
    kind: Literal["text", "bitmap"] = Field(description="Text tracks carry their words; bitmap tracks (PGS, DVD) carry pictures.")
    language: str | None = Field(default=None, description="ISO 639-2 code from the container, when set.")
    title: str | None = None
    default: bool = False
    forced: bool = False
    cue_count: int = Field(description="Cues in the track (for bitmap tracks: pictures shown).")
    cues: list[SubtitleCue] = Field(default_factory=list, description="Text cues in time order (empty for bitmap tracks).")
    note: str | None = Field(default=None, description="Why the cues are missing or incomplete, when they are.")
