"""A transcript as subtitles: SubRip and WebVTT."""

from __future__ import annotations

from video_json_ai.models.transcript import Transcript
from video_json_ai.util.time import cue_time


def transcript_srt(transcript: Transcript) -> str:
    """SubRip subtitles: one numbered cue per segment."""
    cues = [f"{n}\n{cue_time(s.start_s, ',')} --> {cue_time(s.end_s, ',')}\n{s.text}\n"
            for n, s in enumerate(transcript.segments, start=1)]
    return "\n".join(cues)


def transcript_vtt(transcript: Transcript) -> str:
    """WebVTT subtitles (the language, when known, in the header)."""
    head = "WEBVTT" + (f"\nLanguage: {transcript.language}" if transcript.language else "") + "\n"
    cues = [f"{cue_time(s.start_s, '.')} --> {cue_time(s.end_s, '.')}\n{s.text.replace('-->', '->')}\n"
            for s in transcript.segments]
    return "\n".join([head, *cues])


