"""A transcript as subtitles: SubRip and WebVTT."""

from __future__ import annotations

from video_json_ai.formats.subtitles import srt_text, vtt_text
from video_json_ai.models.transcript import Transcript


def transcript_srt(transcript: Transcript) -> str:
    """SubRip subtitles: one numbered cue per segment."""
    return srt_text((s.start_s, s.end_s, s.text) for s in transcript.segments)


def transcript_vtt(transcript: Transcript) -> str:
    """WebVTT subtitles (the language, when known, in the header)."""
    return vtt_text(((s.start_s, s.end_s, s.text) for s in transcript.segments), transcript.language)
