"""Scenes as other formats people ask for: CSV, CMX 3600 EDL and SRT here; WebVTT and YouTube chapters
(formats/chapters.py), OpenTimelineIO (formats/otio.py); ``render_scenes`` picks by name."""

from __future__ import annotations

import csv
import io

from video_json_ai.errors import NotAvailable
from video_json_ai.models.report import Report
from video_json_ai.util.time import cue_time, smpte


def require_scenes(report: Report | None) -> Report:
    if report is None or report.scenes is None:
        raise NotAvailable("This report has no scenes", "Extract with the 'scenes' feature to export scenes.")
    return report


def scenes_csv(report: Report) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["index", "start_s", "end_s", "start_timecode", "end_timecode", "duration_s", "start_frame",
                     "end_frame", "transition_in", "mean_brightness", "motion", "dominant_colours", "keyframe_path"])
    for s in report.scenes or []:
        writer.writerow([s.index, f"{s.start_s:.3f}", f"{s.end_s:.3f}", s.start_timecode, s.end_timecode,
                         f"{s.duration_s:.3f}", s.start_frame, s.end_frame, s.transition_in.kind,
                         f"{s.mean_brightness:.3f}", s.motion, " ".join(c.hex for c in s.dominant_colours),
                         s.keyframe.path if s.keyframe and s.keyframe.path else ""])
    return buf.getvalue()


def report_fps(report: Report) -> float:
    """The video's frame rate (25 when the report has none)."""
    return (report.metadata.video[0].fps if report.metadata and report.metadata.video else None) or 25.0


def scenes_edl(report: Report) -> str:
    fps = report_fps(report)
    title = report.video.file_name.rsplit(".", 1)[0][:60].upper()
    lines = [f"TITLE: {title}", "FCM: NON-DROP FRAME", ""]
    record = 0.0
    for n, s in enumerate(report.scenes or [], start=1):
        dur = s.end_s - s.start_s
        lines.append(f"{n:03d}  AX       V     C        {smpte(s.start_s, fps)} {smpte(s.end_s, fps)} "
                     f"{smpte(record, fps)} {smpte(record + dur, fps)}")
        lines.append(f"* FROM CLIP NAME: {report.video.file_name}")
        lines.append(f"* SCENE {s.index} ({s.transition_in.kind})")
        lines.append("")
        record += dur
    return "\n".join(lines)


def scenes_srt(report: Report) -> str:
    out = []
    for n, s in enumerate(report.scenes or [], start=1):
        out.append(f"{n}\n{cue_time(s.start_s, ',')} --> {cue_time(s.end_s, ',')}\nScene {s.index + 1}"
                   f" ({s.transition_in.kind}, {s.duration_s:.1f}s)\n")
    return "\n".join(out)


SCENE_FORMATS = ("csv", "edl", "srt", "vtt", "chapters", "otio")
"""Every format of the scenes, for the CLI's --format (beside json and html)."""


def render_scenes(report: Report | None, fmt: str) -> str:
    from video_json_ai.formats.chapters import chapters_vtt, chapters_youtube

    report = require_scenes(report)
    if fmt == "otio":
        from video_json_ai.formats.otio import scenes_otio  # OpenTimelineIO loads only when asked for

        return scenes_otio(report)
    return {"csv": scenes_csv, "edl": scenes_edl, "srt": scenes_srt, "vtt": chapters_vtt,
            "chapters": chapters_youtube}[fmt](report)
