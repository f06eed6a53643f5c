"""From shot boundaries to Scene models: the detector's feed and the scene builder."""

from __future__ import annotations

from collections.abc import Iterable

from video_json_ai.engine.analysis.frames import DecodedFrame
from video_json_ai.engine.analysis.record import FrameRecord
from video_json_ai.engine.scenes.detector import Boundary, ShotDetector
from video_json_ai.engine.scenes.keyframes import KeyframePicker
from video_json_ai.engine.scenes.stats import ColourSampler, motion_level
from video_json_ai.models.scenes import Scene, Transition
from video_json_ai.util.time import timecode


class ShotFeed:
    """A FrameAnalyzer that hands each analysed frame to a ShotDetector (positions counted in
    analysed frames, with the frames skipped before each one)."""

    def __init__(self, detector: ShotDetector) -> None:
        self.detector = detector

    def on_frame(self, frame: DecodedFrame) -> None:
        self.detector.push(frame.position, frame.time_s, frame.luma, frame.skipped_before)

    def finish(self) -> None:
        pass  # the pass takes the detector's last boundaries itself (``ShotDetector.finish``)


class SceneBuilder:
    """Turns settled boundaries into Scene models, finishing keyframes and colours on the way."""

    def __init__(self, record: FrameRecord, picker: KeyframePicker | None, colours: ColourSampler) -> None:
        self.record = record
        self.picker = picker
        self.colours = colours
        self.scenes: list[Scene] = []
        self._open_first = 0
        self._open_in: Boundary | None = None
        self.missing_keyframes = 0

    def settle(self, boundaries: Iterable[Boundary]) -> None:
        """Boundaries a detector settled (in its analysed-frame positions), in order."""
        for b in boundaries:
            self.boundary(self.record.in_frames(b))

    def boundary(self, b: Boundary) -> None:
        """The next boundary, in frame numbers of the full video."""
        self._close(b.frame - 1, b)
        self._open_first = b.frame
        self._open_in = b

    def finish(self, last_frame: int, end_s: float) -> None:
        self._close(last_frame, None, end_s)

    def _close(self, last: int, nxt: Boundary | None, end_s: float | None = None) -> None:
        first = self._open_first
        if last < first:
            return
        rec = self.record
        times = rec.times
        lo, hi = rec.position(first), rec.position(last + 1)  # analysed frames of this scene: lo..hi-1
        start_s = float(times[lo])
        end = float(times[hi]) if end_s is None else end_s
        avoid = [b.span for b in (self._open_in, nxt) if b is not None and b.kind != "cut"]
        keyframe = self.picker.close(len(self.scenes), first, last, avoid) if self.picker else None
        if self.picker and keyframe is None:
            self.missing_keyframes += 1
        mean, motion = rec.scene_means(lo, hi)
        self.scenes.append(Scene(
            index=len(self.scenes),
            start_s=round(start_s, 3),
            end_s=round(end, 3),
            start_frame=first,
            end_frame=last,
            start_timecode=timecode(start_s) or "",
            end_timecode=timecode(end) or "",
            duration_s=round(end - start_s, 3),
            transition_in=self._transition_in(),
            mean_brightness=round(min(max(float(mean) / 255.0, 0.0), 1.0), 4),
            dominant_colours=self.colours.close(first, last),
            motion=motion_level(motion),  # type: ignore[arg-type]
            motion_score=round(motion, 3),
            keyframe=keyframe,
        ))

    def _transition_in(self) -> Transition:
        b = self._open_in
        if b is None:
            return Transition(kind="start", start_s=0.0, end_s=0.0, start_frame=0, end_frame=0)
        rec = self.record
        t0, t1 = rec.times[rec.position(b.span[0])], rec.times[rec.position(b.span[1])]
        return Transition(kind=b.kind, start_s=round(float(t0), 3), end_s=round(float(t1), 3),
                          start_frame=b.span[0], end_frame=b.span[1], through=b.through)
