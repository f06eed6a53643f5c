"""Render spans of sources, in order, to one file: the local export engine.

Each span is decoded from a seek point before its start; frames before the start are dropped, so
trims are frame-accurate. Video goes to a constant output rate (a frame is repeated or skipped as
needed), upright, scaled and padded or cropped to the output size; audio is resampled to 48 kHz
stereo and placed by its timestamps, with silence where a source has none, so picture and sound
stay together across trims and joins. The file is written under a temporary name and renamed
only when complete. What to render (sizes, rates, lengths per span) is planned in ``plan.py``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from pathlib import Path

import av
import numpy as np

from video_json_ai.util.progress import CancelToken, ProgressFn
from video_json_ai.engine.media import open_media
from video_json_ai.util.atomic import atomic_path
from video_json_ai.engine.render.output import AUDIO_RATE, check_output_path, probe_output
from video_json_ai.engine.render.plan import DEFAULT_FPS, RenderPlan, SourceSpan, plan_render
from video_json_ai.engine.render.shape import FrameShaper
from video_json_ai.engine.render.title import TitleOverlay
from video_json_ai.engine.render.writer import GifWriter, MediaWriter, Writer
from video_json_ai.errors import InvalidInput, MediaError
from video_json_ai.models.render import ExportInfo, RenderOptions, RenderSegment
from video_json_ai.util.time import timecode, utc_now

SEEK_MARGIN_S = 0.5
"""Seek this far before a span's start, so the first frames and samples are surely decoded."""
AUDIO_RESYNC_S = 0.02
"""Audio whose timestamp strays further than this from the running position is re-placed."""


def render(
    segments: Sequence[RenderSegment],
    options: RenderOptions,
    output_path: Path,
    *,
    progress: ProgressFn,
    cancel: CancelToken,
    overwrite: bool = False,
    temp_path: Path | None = None,
) -> ExportInfo:
    """Render ``segments`` in order to ``output_path``; return what was written.

    Raises InvalidInput (bad request), MediaError (unreadable source), Cancelled. On any failure
    nothing is left under ``output_path``; an existing file there is kept unless ``overwrite``.
    ``temp_path`` (beside ``output_path``) names the file written until the end, so a caller that
    kills this process can delete it (see ``util.atomic.temp_beside``).
    """
    final = check_output_path(Path(output_path), options, overwrite)
    plan = plan_render(segments, options)
    cancel.raise_if_cancelled()
    title = None
    if options.title and plan.size is None:
        raise InvalidInput(f"A title cannot be shown in {options.format}: it has no picture",
                           "Leave title out, or render mp4, webm or gif.")
    if options.title and plan.size is not None:
        title = TitleOverlay.draw(options.title, plan.size[0], plan.size[1], options.title_position,
                                  options.title_duration_s)
    progress(0.0, f"rendering {plan.duration_s:.1f} s to {final.name}")
    with atomic_path(final, overwrite=overwrite, tmp=temp_path) as tmp:
        writer: Writer
        if options.format == "gif":
            assert plan.fps is not None
            writer = GifWriter(tmp, plan.fps)
        else:
            writer = MediaWriter(tmp, plan.preset, size=plan.size, fps=plan.fps, audio=plan.audio)
        try:
            _Renderer(plan, options, writer, title, progress, cancel).run()
            progress(0.99, "finishing the file")
            writer.close()
        except BaseException:
            writer.abort()
            raise
    written = probe_output(final)
    progress(1.0, f"rendered {final.name}")
    return ExportInfo(
        export_id=uuid.uuid4().hex[:12],
        path=str(final),
        format=options.format,
        created_at=utc_now(),
        settings=options.model_dump(mode="json"),
        warnings=list(plan.warnings),
        **written.export_fields(),  # type: ignore[arg-type]
    )


class _Renderer:
    """Walks the spans, feeding the writer with output frames and samples."""

    def __init__(self, plan: RenderPlan, options: RenderOptions, writer: Writer, title: TitleOverlay | None,
                 progress: ProgressFn, cancel: CancelToken) -> None:
        self.plan, self.writer, self.title = plan, writer, title
        self.progress, self.cancel = progress, cancel
        self.shaper = (FrameShaper(plan.size[0], plan.size[1], options.fit, options.pad_style)
                       if plan.size else None)
        self.frames_done = 0
        self.samples_done = 0
        self.total_frames = sum(plan.frames)
        self.total_samples = sum(plan.samples)

    def run(self) -> None:
        for i, span in enumerate(self.plan.spans):
            n_frames = self.plan.frames[i] if self.plan.frames else 0
            self._span(span, n_frames, self.plan.samples[i])

    def _report(self) -> None:
        if self.total_frames:
            fraction = self.frames_done / self.total_frames
            at = self.frames_done / float(self.plan.fps or 1)
        else:
            fraction = self.samples_done / max(1, self.total_samples)
            at = self.samples_done / AUDIO_RATE
        self.progress(min(0.98, 0.98 * fraction), f"rendering {timecode(at)}")

    def _span(self, span: SourceSpan, n_frames: int, n_samples: int) -> None:
        audio = _AudioSpan(self, span, n_samples) if self.plan.audio else None
        video = _VideoSpan(self, span, n_frames, audio) if n_frames else None
        if video is None and audio is not None:
            audio.set_start(span.start_s)
        want_audio = audio is not None and span.has_audio
        with open_media(span.path) as c:
            vs = c.streams.video[0] if video is not None else None
            as_ = c.streams.audio[0] if want_audio else None
            if vs is not None:
                vs.thread_type = "AUTO"
            streams = [s for s in (vs, as_) if s is not None]
            lead = streams[0]
            if span.start_s > SEEK_MARGIN_S / 2:
                target = span.origin_s + span.start_s - SEEK_MARGIN_S
                c.seek(int(target / lead.time_base), stream=lead, backward=True, any_frame=False)
            for packet in c.demux(*streams):
                self.cancel.raise_if_cancelled()
                try:
                    decoded = packet.decode()
                except av.error.InvalidDataError:
                    continue  # a damaged packet: skip it, its neighbours still decode
                for frame in decoded:
                    if video is not None and packet.stream is vs:
                        video.feed(frame)  # type: ignore[arg-type]
                    elif audio is not None and packet.stream is as_:
                        audio.feed(frame)  # type: ignore[arg-type]
                if (video is None or video.done) and (not want_audio or (audio is not None and audio.done)):
                    break
        if video is not None:
            video.finish()
        if audio is not None:
            audio.finish()

    def emit_video(self, frame: av.VideoFrame) -> None:
        if self.title is not None:
            frame = self.title.apply(frame, self.frames_done / float(self.plan.fps or 1))
        self.writer.video(frame, self.frames_done)
        self.frames_done += 1
        if self.frames_done % 12 == 0:
            self._report()

    def emit_audio(self, samples: np.ndarray) -> None:
        self.writer.audio(samples, self.samples_done)
        self.samples_done += samples.shape[1]
        if not self.total_frames:
            self._report()


class _VideoSpan:
    """Picks, for each output frame time, the source frame shown at that moment.

    The span starts on the frame shown at ``start_s`` (the anchor, at most one source frame
    earlier); the span's sound starts at the same instant, so a cut between frames moves picture
    and sound together.
    """

    def __init__(self, r: _Renderer, span: SourceSpan, n_frames: int, audio: _AudioSpan | None) -> None:
        self.r, self.span, self.n, self.audio = r, span, n_frames, audio
        assert r.plan.fps is not None
        self.step = 1.0 / float(r.plan.fps)
        self.tolerance = self.step * 0.1
        self.src_step = 1.0 / float(span.fps or DEFAULT_FPS)
        self.anchor: float | None = None
        self.k = 0
        self.last_t: float | None = None
        self.prev: av.VideoFrame | None = None
        self.prev_t = 0.0
        self.prev_shaped: av.VideoFrame | None = None

    @property
    def done(self) -> bool:
        return self.k >= self.n

    def _time(self, frame: av.VideoFrame) -> float:
        if frame.pts is not None and frame.time_base is not None:
            return float(frame.pts * frame.time_base) - self.span.origin_s
        return (self.last_t + self.src_step) if self.last_t is not None else 0.0

    def _set_anchor(self) -> float:
        start = self.span.start_s
        if self.prev is not None and start - 1.01 * self.src_step <= self.prev_t <= start + self.tolerance:
            self.anchor = self.prev_t
        else:
            self.anchor = start
        if self.audio is not None:
            self.audio.set_start(self.anchor)
        return self.anchor

    def feed(self, frame: av.VideoFrame) -> None:
        if self.done:
            return
        t = self._time(frame)
        self.last_t = t
        if self.anchor is None:
            if t <= self.span.start_s + self.tolerance:
                self.prev, self.prev_t, self.prev_shaped = frame, t, None
                return
            self._set_anchor()
        anchor = self.anchor
        assert anchor is not None
        while self.k < self.n and t > anchor + self.k * self.step + self.tolerance:
            self._emit(self.prev if self.prev is not None else frame)
        self.prev, self.prev_t, self.prev_shaped = frame, t, None

    def _emit(self, frame: av.VideoFrame) -> None:
        assert self.r.shaper is not None
        if frame is not self.prev or self.prev_shaped is None:
            shaped = self.r.shaper.shape(frame, self.span.sar)
            if frame is self.prev:
                self.prev_shaped = shaped
        else:
            shaped = self.prev_shaped
        self.r.emit_video(shaped)
        self.k += 1

    def finish(self) -> None:
        if self.prev is None:
            raise MediaError(f"No picture could be decoded from '{self.span.path.name}' between "
                             f"{self.span.start_s:.3f} s and {self.span.end_s:.3f} s",
                             "The file may be damaged; re-encode it to H.264 MP4 and try again.")
        if self.anchor is None:
            self._set_anchor()
        while self.k < self.n:  # the source ended a little early: hold its last frame
            self._emit(self.prev)


class _AudioSpan:
    """Places a span's sound on the output sample grid: resampled, trimmed, gaps filled with silence.

    Positions are counted in samples from the source's origin; output starts at ``set_start``
    (decided by the video, or the span start for sound alone). Sound decoded before that is held.
    """

    HOLD_S = 1.0

    def __init__(self, r: _Renderer, span: SourceSpan, n_samples: int) -> None:
        self.r, self.span, self.n = r, span, n_samples
        self.cursor = 0
        self.resampler = av.AudioResampler(format="fltp", layout="stereo", rate=AUDIO_RATE)
        self.fed: int | None = None
        """Source position (samples from origin) where the next resampled sample belongs."""
        self.start: int | None = None
        self.held: list[tuple[int, np.ndarray]] = []

    @property
    def done(self) -> bool:
        return self.cursor >= self.n

    def set_start(self, start_s: float) -> None:
        self.start = int(round(start_s * AUDIO_RATE))
        for pos, data in self.held:
            self._place(pos - self.start, data)
        self.held.clear()

    def feed(self, frame: av.AudioFrame) -> None:
        if self.done:
            return
        if frame.pts is not None and frame.time_base is not None:
            expected = int(round((float(frame.pts * frame.time_base) - self.span.origin_s) * AUDIO_RATE))
            if self.fed is None or abs(expected - self.fed) > AUDIO_RESYNC_S * AUDIO_RATE:
                self.fed = expected
        elif self.fed is None:
            self.fed = int(round(self.span.start_s * AUDIO_RATE))
        for out in self.resampler.resample(frame):
            data = out.to_ndarray()
            assert self.fed is not None
            if self.start is not None:
                self._place(self.fed - self.start, data)
            elif self.fed + data.shape[1] >= (self.span.start_s - self.HOLD_S) * AUDIO_RATE:
                self.held.append((self.fed, data))
            self.fed += data.shape[1]

    def _place(self, pos: int, data: np.ndarray) -> None:
        if pos + data.shape[1] <= self.cursor:
            return  # before the span start (pre-roll) or already covered
        if pos > self.cursor:
            self._silence(min(pos, self.n) - self.cursor)
        elif pos < self.cursor:
            data = data[:, self.cursor - pos :]
        take = min(data.shape[1], self.n - self.cursor)
        if take > 0:
            self._write(data[:, :take])

    def _silence(self, count: int) -> None:
        while count > 0:
            size = min(count, AUDIO_RATE)
            self._write(np.zeros((2, size), np.float32))
            count -= size

    def _write(self, data: np.ndarray) -> None:
        self.r.emit_audio(data)
        self.cursor += data.shape[1]

    def finish(self) -> None:
        if self.start is None:
            self.set_start(self.span.start_s)
        if self.cursor < self.n:
            self._silence(self.n - self.cursor)
