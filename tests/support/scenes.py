"""Scene models made directly (for units that take scenes, not media)."""

from __future__ import annotations

from video_json_ai.models.scenes import Scene, Transition
from video_json_ai.util.time import timecode


def scene(index: int, start_s: float, end_s: float, fps: float = 25.0) -> Scene:
    a, b = round(start_s * fps), round(end_s * fps) - 1
    kind = "start" if index == 0 else "cut"
    return Scene(index=index, start_s=start_s, end_s=end_s, start_frame=a, end_frame=b,
                 start_timecode=timecode(start_s), end_timecode=timecode(end_s), duration_s=end_s - start_s,
                 transition_in=Transition(kind=kind, start_s=start_s, end_s=start_s, start_frame=a, end_frame=a),
                 mean_brightness=0.5, motion="low", motion_score=1.0)


def scenes(count: int, length_s: float = 2.0) -> list[Scene]:
    return [scene(i, i * length_s, (i + 1) * length_s) for i in range(count)]
