"""Scenes as chapters: YouTube description lines (``00:00 Title``) and WebVTT chapter cues.

A chapter is titled after its scene (``Scene 3``, 1-based as people count) and, when the report has
on-screen text in that scene, its first line of text (``Scene 3: Summer sale``).
"""

from __future__ import annotations

import math

from video_json_ai.formats.scenes import require_scenes
from video_json_ai.models.report import Report
from video_json_ai.util.time import cue_time

TITLE_TEXT_MAX = 60


def chapter_titles(report: Report) -> list[str]:
    """One title per scene, in order."""
    first_text: dict[int, str] = {}
    for overlay in sorted(report.text or [], key=lambda o: o.start_s):
        if overlay.scene_index is not None and overlay.scene_index not in first_text:
            words = " ".join(overlay.text.split())
            if words:
                first_text[overlay.scene_index] = words[:TITLE_TEXT_MAX]
    titles = []
    for scene in report.scenes or []:
        title = f"Scene {scene.index + 1}"
        titles.append(f"{title}: {first_text[scene.index]}" if scene.index in first_text else title)
    return titles


def youtube_time(seconds: float, with_hours: bool) -> str:
    """``MM:SS`` (or ``H:MM:SS`` for videos of an hour or more), whole seconds rounded down."""
    total = int(math.floor(max(0.0, seconds) + 1e-6))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if with_hours else f"{minutes:02d}:{secs:02d}"


def chapters_youtube(report: Report) -> str:
    """One ``time title`` line per scene, to paste into a YouTube description. YouTube itself
    shows chapters only when there are at least 3, the first at 00:00, each at least 10 s long."""
    report = require_scenes(report)
    scenes = report.scenes or []
    end = report.summary.duration_s or (scenes[-1].end_s if scenes else 0.0)
    with_hours = end >= 3600
    return "".join(f"{youtube_time(s.start_s, with_hours)} {title}\n"
                   for s, title in zip(scenes, chapter_titles(report)))


def chapters_vtt(report: Report) -> str:
    """WebVTT chapters: one cue per scene, ``scene-<index>`` as its id, the chapter title as its text."""
    report = require_scenes(report)
    out = ["WEBVTT", ""]
    for s, title in zip(report.scenes or [], chapter_titles(report)):
        out.append(f"scene-{s.index}\n{cue_time(s.start_s, '.')} --> {cue_time(s.end_s, '.')}\n{title}\n")
    return "\n".join(out)
