"""Scenes as other formats people ask for: CSV, CMX 3600 EDL, SRT and WebVTT chapters."""

from __future__ import annotations

import csv
import io

from video_json_ai.errors import NotAvailable
from video_json_ai.models.report import Report
from video_json_ai.util.time import cue_time


def _require_scenes(report: Report | None) -> Report:
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


def _smpte(seconds: float, fps: float) -> str:
    """Non-drop-frame SMPTE timecode HH:MM:SS:FF at an integer frame base."""
    base = max(1, int(round(fps)))
    frames = int(round(seconds * fps))
    ff = frames % base
    total_s = frames // base
    return f"{total_s // 3600:02d}:{total_s // 60 % 60:02d}:{total_s % 60:02d}:{ff:02d}"


def scenes_edl(report: Report) -> str:
    fps = (report.metadata.video[0].fps if report.metadata and report.metadata.video else None) or 25.0
    title = report.video.file_name.rsplit(".", 1)[0][:60].upper()
    lines = [f"TITLE: {title}", "FCM: NON-DROP FRAME", ""]
    record = 0.0
    for n, s in enumerate(report.scenes or [], start=1):
        dur = s.end_s - s.start_s
        lines.append(f"{n:03d}  AX       V     C        {_smpte(s.start_s, fps)} {_smpte(s.end_s, fps)} "
                     f"{_smpte(record, fps)} {_smpte(record + dur, fps)}")
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


def scenes_vtt(report: Report) -> str:
    out = ["WEBVTT", ""]
    for s in report.scenes or []:
        out.append(f"scene-{s.index}\n{cue_time(s.start_s, '.')} --> {cue_time(s.end_s, '.')}\nScene {s.index + 1}"
                   f" ({s.transition_in.kind}, {s.duration_s:.1f}s)\n")
    return "\n".join(out)


def render_scenes(report: Report | None, fmt: str) -> str:
    report = _require_scenes(report)
    return {"csv": scenes_csv, "edl": scenes_edl, "srt": scenes_srt, "vtt": scenes_vtt}[fmt](report)
