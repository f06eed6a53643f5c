"""Timed text as SubRip (.srt) and WebVTT (.vtt): a file's subtitle tracks, and transcripts."""

from __future__ import annotations

from collections.abc import Iterable

from video_json_ai.errors import InvalidInput, NotAvailable
from video_json_ai.models.report import Report
from video_json_ai.models.subtitles import SubtitleTrack
from video_json_ai.util.time import cue_time

Cue = tuple[float, float, str]
"""(start_s, end_s, text)"""


def _lines(text: str) -> str:
    """No blank line inside a cue: it would end the cue early."""
    return "\n".join(line for line in text.splitlines() if line.strip()) or " "


def srt_text(cues: Iterable[Cue]) -> str:
    """SubRip: numbered cues, ``HH:MM:SS,mmm --> HH:MM:SS,mmm``."""
    out = [f"{n}\n{cue_time(a, ',')} --> {cue_time(b, ',')}\n{_lines(text)}\n"
           for n, (a, b, text) in enumerate(cues, start=1)]
    return "\n".join(out)


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def vtt_text(cues: Iterable[Cue], language: str | None = None) -> str:
    """WebVTT (the language, when known, in the header); ``&``, ``<`` and ``>`` escaped, so that
    the text reads back as it was."""
    head = "WEBVTT" + (f"\nLanguage: {language}" if language else "") + "\n"
    out = [f"{cue_time(a, '.')} --> {cue_time(b, '.')}\n{_vtt_escape(_lines(text))}\n" for a, b, text in cues]
    return "\n".join([head, *out])


def track_cues(track: SubtitleTrack) -> list[Cue]:
    return [(c.start_s, c.end_s, c.text) for c in track.cues]


def pick_track(report: Report | None, stream_index: int | None) -> SubtitleTrack:
    """The text track with that container stream index (None: the first text track)."""
    if report is None or report.subtitles is None:
        raise NotAvailable("This report has no subtitles", "Extract with the 'subtitles' feature first.")
    text_tracks = [t for t in report.subtitles if t.kind == "text"]
    if not text_tracks:
        raise NotAvailable("The video carries no text subtitle track",
                           "Bitmap tracks (PGS, DVD) are listed in the report but have no text to export.")
    if stream_index is None:
        return text_tracks[0]
    for t in text_tracks:
        if t.stream_index == stream_index:
            return t
    raise InvalidInput(f"No text subtitle track at stream index {stream_index}",
                       f"Use one of: {', '.join(str(t.stream_index) for t in text_tracks)}.")


def render_track(track: SubtitleTrack, fmt: str) -> str:
    if fmt == "srt":
        return srt_text(track_cues(track))
    if fmt == "vtt":
        return vtt_text(track_cues(track), track.language)
    raise InvalidInput(f"Unknown subtitle format {fmt!r}", "Use 'srt' or 'vtt'.")


def track_file_name(stem: str, track: SubtitleTrack, fmt: str) -> str:
    """``<stem>.<stream index>[.<language>].<fmt>``: one file per track, players pick the language up."""
    lang = f".{track.language}" if track.language else ""
    return f"{stem}.{track.stream_index}{lang}.{fmt}"
