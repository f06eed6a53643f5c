"""The cloud draft (short field names) → a readable timeline, a one-line summary, and what changed.

Draft fields, from the spec: ``t`` tracks, ``tt`` track type (0 video, 1 audio, 7 text), ``sg``
segments, ``d`` duration in ms, ``m`` metadata (kept as ``metadata`` on tracks and segments). The
spec does not name the segment fields; we read the most plausible ones (see ``START_KEYS`` etc.)
and fall back gracefully.
"""

from __future__ import annotations

from typing import Any

from video_json_ai.models.state import Segment, Timeline, Track

TRACK_TYPES: dict[int, str] = {0: "video", 1: "audio", 7: "text"}
START_KEYS = ("s", "st", "start", "start_ms", "ts")
END_KEYS = ("e", "end", "end_ms")
IN_KEYS = ("i", "in", "source_in", "trim_start", "ss")
NAME_KEYS = ("name", "title", "label", "n", "file_name", "filename", "desc", "description", "src", "url")
TEXT_KEYS = ("text", "content", "txt")
VOLUME_KEYS = ("volume", "vol", "v")
ID_KEYS = ("video_id", "vid", "media_id", "id")


def _first(mapping: dict[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        value = mapping.get(key)
        if value not in (None, ""):
            return value
    return None


def _num(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _meta(item: dict[str, Any]) -> dict[str, Any]:
    meta = item.get("m")
    return meta if isinstance(meta, dict) else {}


def _segment(raw: Any, track_type: str, position: float) -> Segment:
    item = raw if isinstance(raw, dict) else {}
    meta = _meta(item)
    both = {**item, **meta}
    start_ms = _num(_first(item, START_KEYS))
    start_ms = _num(_first(meta, START_KEYS)) if start_ms is None else start_ms
    start = start_ms / 1000 if start_ms is not None else position
    dur_ms = _num(item.get("d"))
    end_ms = _num(_first(both, END_KEYS))
    end = end_ms / 1000 if end_ms is not None else start + (dur_ms or 0) / 1000
    text = _first(both, TEXT_KEYS) if track_type == "text" else None
    name = _first(meta, NAME_KEYS) or _first(item, NAME_KEYS) or (str(text) if text else None)
    if isinstance(name, str) and "/" in name:
        name = name.rstrip("/").rsplit("/", 1)[-1] or name
    volume = _num(_first(both, VOLUME_KEYS)) if track_type in ("audio", "video") else None
    if volume is not None and volume > 1:
        volume /= 100  # given as a percentage
    source_in = _num(_first(both, IN_KEYS))
    vid = _first(both, ID_KEYS)
    return Segment(
        name=str(name or track_type),
        video_id=str(vid) if vid is not None else None,
        start_s=round(start, 3),
        end_s=round(max(end, start), 3),
        source_in_s=round(source_in / 1000, 3) if source_in is not None else None,
        volume=volume,
        text=str(text) if text is not None else None,
        metadata=meta or None,
    )


def _label(track: Track, meta: dict[str, Any]) -> str:
    kind = str(meta.get("type") or meta.get("role") or "").lower()
    if track.type == "audio":
        return "BGM" if kind in ("bgm", "music") or meta.get("bgm") else ("Voice" if kind in ("voice", "tts") else "Audio")
    if track.type == "text":
        return {"title": "Title", "subtitle": "Subtitles", "caption": "Captions"}.get(kind, "Text")
    return {"video": "Video", "other": "Track"}[track.type]


def _seconds(value: float) -> str:
    return f"{round(value, 1):g}"


def _describe(label: str, track: Track) -> str:
    parts = []
    for seg in track.segments:
        name = f'"{seg.text}"' if track.type == "text" and seg.text else seg.name
        extra = f", {seg.volume:.0%}" if track.type == "audio" and seg.volume is not None else ""
        parts.append(f"{name} ({_seconds(seg.start_s)}-{_seconds(seg.end_s)}s{extra})")
    return f"{label}: {', '.join(parts) if parts else 'empty'}"


def timeline_from_draft(draft: Any) -> Timeline:
    """The readable timeline of a cloud draft (an empty one when there is no draft)."""
    if isinstance(draft, str):
        import json

        try:
            draft = json.loads(draft)
        except ValueError:
            draft = None
    raw_tracks = draft.get("t") if isinstance(draft, dict) else None
    tracks: list[Track] = []
    lines: list[str] = []
    for index, raw in enumerate(raw_tracks if isinstance(raw_tracks, list) else []):
        item = raw if isinstance(raw, dict) else {}
        code = item.get("tt")
        type_code = int(code) if isinstance(code, (int, float)) and not isinstance(code, bool) else None
        kind = TRACK_TYPES.get(type_code, "other") if type_code is not None else "other"
        segments: list[Segment] = []
        position = 0.0
        for seg_raw in item.get("sg") or []:
            seg = _segment(seg_raw, kind, position)
            segments.append(seg)
            position = seg.end_s
        track = Track(index=index, type=kind, type_code=type_code, metadata=_meta(item) or None,  # type: ignore[arg-type]
                      segments=segments)
        tracks.append(track)
        lines.append(f"{index + 1}. {_describe(_label(track, _meta(item)), track)}")
    duration_ms = _num(draft.get("d")) if isinstance(draft, dict) else None
    ends = [s.end_s for t in tracks for s in t.segments]
    duration = duration_ms / 1000 if duration_ms is not None else max(ends, default=0.0)
    if tracks:
        summary = f"Timeline ({len(tracks)} track{'s' if len(tracks) != 1 else ''}): " + " ".join(lines)
    else:
        summary = "Timeline is empty: upload a video and ask for an edit to start."
    return Timeline(summary=summary, duration_s=round(duration, 3), tracks=tracks)


def changes_between(before: Timeline | None, after: Timeline) -> list[str]:
    """What changed from one timeline to the next, in words (empty when nothing did)."""
    if before is None:
        return []
    changes: list[str] = []
    old = {t.index: t for t in before.tracks}
    new = {t.index: t for t in after.tracks}
    for index, track in new.items():
        label = f"track {index + 1} ({track.type})"
        if index not in old:
            changes.append(f"added {label} with {len(track.segments)} segment(s)")
        elif old[index].model_dump() != track.model_dump():
            changes.append(f"changed {label}: {len(old[index].segments)} → {len(track.segments)} segment(s)")
    for index, track in old.items():
        if index not in new:
            changes.append(f"removed track {index + 1} ({track.type})")
    if not changes and abs(before.duration_s - after.duration_s) > 1e-6:
        changes.append(f"duration {before.duration_s:g}s → {after.duration_s:g}s")
    return changes
