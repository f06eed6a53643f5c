"""Seconds to readable timecodes and subtitle cue times; the current time as stored and reported."""

from __future__ import annotations

from datetime import datetime, timezone


def utc_now() -> str:
    """Now, in UTC, as ISO 8601 to the second (``2024-05-01T12:00:00+00:00``)."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


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
    """``HH:MM:SS<sep>mmm`` for subtitle cues: ``,`` for SRT, ``.`` for WebVTT (negative times clamp to 0)."""
    ms = int(round(max(seconds, 0.0) * 1000))
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}{sep}{ms % 1000:03d}"


def smpte(seconds: float, fps: float) -> str:
    """Non-drop-frame SMPTE timecode HH:MM:SS:FF at an integer frame base."""
    base = max(1, int(round(fps)))
    frames = int(round(seconds * fps))
    ff = frames % base
    total_s = frames // base
    return f"{total_s // 3600:02d}:{total_s // 60 % 60:02d}:{total_s % 60:02d}:{ff:02d}"
