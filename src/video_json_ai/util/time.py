"""Seconds to readable timecodes."""

from __future__ import annotations


def timecode(seconds: float | None) -> str | None:
    """``HH:MM:SS.mmm`` for a time in seconds (negative times get a leading ``-``)."""
    if seconds is None:
        return None
    sign = "-" if seconds < 0 else ""
    ms_total = int(round(abs(seconds) * 1000))
    hours, rest = divmod(ms_total, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, ms = divmod(rest, 1000)
    return f"{sign}{hours:02d}:{minutes:02d}:{secs:02d}.{ms:03d}"


def cue_time(seconds: float, sep: str) -> str:
    """A subtitle cue time, ``HH:MM:SS.mmm`` (WebVTT, ``sep='.'``) or ``HH:MM:SS,mmm`` (SRT, ``sep=','``)."""
    ms = int(round(max(seconds, 0.0) * 1000))
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}{sep}{ms % 1000:03d}"
