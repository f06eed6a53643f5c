"""From an export request to concrete spans of source files (where they are written: backends/outputs.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from video_json_ai.errors import InvalidInput, NotFound
from video_json_ai.models.render import RenderSegment
from video_json_ai.models.requests import RenderRequest
from video_json_ai.models.scenes import Scene



@dataclass(frozen=True)
class Span:
    video_id: str
    path: str
    start_s: float
    end_s: float
    to_end: bool = False
    """The span runs to the end of its source (end_s is then the probed length, a guide only)."""

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


def _scene_spans(request: RenderRequest, video: dict, scenes: list[Scene] | None) -> list[Span]:
    if scenes is None:
        raise InvalidInput(
            f"No scenes are known for '{video['video_id']}' yet",
            f"Call extract_json(video_id='{video['video_id']}', features=['scenes']) first, then pick scene indices.",
        )
    by_index = {s.index: s for s in scenes}
    unknown = [i for i in request.scenes or [] if i not in by_index]
    if unknown:
        raise InvalidInput(
            f"Unknown scene index(es) {unknown}: the video has {len(scenes)} scenes, 0 to {len(scenes) - 1}",
            "Use the 'index' values from extract_json's scenes.",
        )
    return [Span(video["video_id"], video["path"], by_index[i].start_s, by_index[i].end_s) for i in request.scenes or []]


def _trim(spans: list[Span], start_s: float | None, end_s: float | None) -> list[Span]:
    """Cut the concatenated spans to ``start_s..end_s`` of the output timeline."""
    total = sum(s.duration_s for s in spans)
    start = start_s or 0.0
    end = total if end_s is None else end_s
    if start >= total:
        raise InvalidInput(f"start_s {start:g} is at or past the end of the material ({total:.3f} s)",
                           f"Pick a start before {total:.3f} s.")
    if end_s is not None and end_s > total + 1e-3:
        raise InvalidInput(f"end_s {end_s:g} is past the end of the material ({total:.3f} s)",
                           f"Pick an end up to {total:.3f} s, or leave end_s out.")
    out: list[Span] = []
    position = 0.0
    for s in spans:
        a, b = position, position + s.duration_s
        lo, hi = max(a, start), min(b, end)
        if hi - lo > 1e-6:
            out.append(Span(s.video_id, s.path, s.start_s + (lo - a), s.start_s + (hi - a),
                            to_end=s.to_end and hi >= b - 1e-9))
        position = b
    return out


def plan_spans(
    request: RenderRequest,
    videos: list[dict],
    scenes_of: Callable[[str], list[Scene] | None],
) -> list[Span]:
    """The spans to render, in order: one video or the whole timeline, scenes, then the trim."""
    if not videos:
        raise NotFound("Nothing to render: no video was uploaded in this session", "Call upload_video first.")
    if request.video_id is not None:
        chosen = [v for v in videos if v["video_id"] == request.video_id]
        if not chosen:
            raise NotFound(f"No uploaded video with id '{request.video_id}'", "Call upload_video first, or use get_state() to list ids.")
    else:
        chosen = videos
    for v in chosen:
        if not v.get("path") or not Path(v["path"]).is_file():
            raise NotFound(f"The file of '{v['video_id']}' is gone ({v.get('path')})", "Upload it again from its new place.")
    if request.scenes:
        if len(chosen) != 1:
            raise InvalidInput("Scene selection needs one video", "Pass video_id together with scenes.")
        spans = _scene_spans(request, chosen[0], scenes_of(chosen[0]["video_id"]))
    else:
        spans = [Span(v["video_id"], v["path"], 0.0, float((v.get("summary") or {}).get("duration_s") or 0.0), to_end=True)
                 for v in chosen]
    if request.start_s is not None or request.end_s is not None:
        spans = _trim(spans, request.start_s, request.end_s)
    return spans


def to_segments(spans: list[Span]) -> list[RenderSegment]:
    """Engine segments; a span to the end of its source ends where the decoded picture ends."""
    return [RenderSegment(path=s.path, start_s=s.start_s, end_s=None if s.to_end else s.end_s) for s in spans]


def name_extra(request: RenderRequest) -> str | None:
    """The part of a default file name that tells the cut: ``scenes-2-5``, ``12.5-20s``."""
    parts = []
    if request.scenes:
        shown = request.scenes[:8]
        parts.append("scenes-" + "-".join(str(i) for i in shown) + ("-more" if len(request.scenes) > 8 else ""))
    if request.start_s is not None or request.end_s is not None:
        start = f"{request.start_s or 0:g}"
        end = f"{request.end_s:g}" if request.end_s is not None else "end"
        parts.append(f"{start}-{end}s")
    return "_".join(parts) or None
