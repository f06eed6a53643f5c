"""Scenes as an OpenTimelineIO timeline: one video track, one clip per scene, cut from the source file.

Source ranges are in frames at the video's frame rate (a ``RationalTime`` whose value is the scene's
first frame, whose duration is its frame count), so they are frame-exact in any editor that reads
OTIO; every clip points at the source media (an ``ExternalReference`` with a ``file://`` URL).
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from video_json_ai.errors import NotAvailable
from video_json_ai.formats.scenes import require_scenes, report_fps
from video_json_ai.models.report import Report


def _otio():  # type: ignore[no-untyped-def]
    try:
        import opentimelineio
    except ImportError as exc:  # pragma: no cover - it is a dependency
        raise NotAvailable("OpenTimelineIO is not installed", "Reinstall video-json-ai: pip install -e .") from exc
    return opentimelineio


def otio_rate(report: Report) -> float:
    """The frame rate the ranges count in: the video's, as the exact NTSC fraction when it is one."""
    return float(Fraction(report_fps(report)).limit_denominator(1001))


def scenes_timeline(report: Report):  # type: ignore[no-untyped-def]
    """The ``opentimelineio.schema.Timeline`` of the report's scenes."""
    otio = _otio()
    report = require_scenes(report)
    scenes = report.scenes or []
    rate = otio_rate(report)
    video = report.metadata.video[0] if report.metadata and report.metadata.video else None
    total = (video.frame_count if video and video.frame_count else None) or (scenes[-1].end_frame + 1 if scenes else 0)
    url = Path(report.video.path).absolute().as_uri()
    available = otio.opentime.TimeRange(otio.opentime.RationalTime(0, rate), otio.opentime.RationalTime(total, rate))
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    for s in scenes:
        clip = otio.schema.Clip(
            name=f"Scene {s.index + 1}",
            media_reference=otio.schema.ExternalReference(target_url=url, available_range=available),
            source_range=otio.opentime.TimeRange(otio.opentime.RationalTime(s.start_frame, rate),
                                                 otio.opentime.RationalTime(s.end_frame - s.start_frame + 1, rate)),
            metadata={"video_json_ai": {"index": s.index, "start_s": s.start_s, "end_s": s.end_s,
                                        "transition_in": s.transition_in.kind, "motion": s.motion}},
        )
        track.append(clip)
    return otio.schema.Timeline(name=Path(report.video.file_name).stem, tracks=[track],
                                metadata={"video_json_ai": {"video_id": report.video.video_id}})


def scenes_otio(report: Report) -> str:
    """The timeline as OTIO JSON (``.otio``)."""
    return _otio().adapters.write_to_string(scenes_timeline(report), "otio_json")
