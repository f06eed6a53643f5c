"""Technical cues in the single decode pass: one FrameAnalyzer, plus the tone detector on the audio.

Per analysed frame (on the ~96x54 luma the pass makes anyway; ``pictures.py``, ``credits.py``):
black, colour bars (the colour looked at only when the luma has the bar pattern, at most every
0.5 s), still (for freezes) and scrolling credits. At the end, runs of marked frames become cues:

* ``black``: black frames lasting ``black_min_s``; confidence 1 for pure black, 0.5 at the threshold;
* ``colour_bars``: bar frames (one-frame gaps bridged) lasting ``bars_min_s``;
* ``freeze``: one picture held ``freeze_min_s`` (black and bars excepted: they are their own cues),
  from the frame that first shows it; a change of up to 1.5 levels (or 4x ``freeze_noise``) for at
  most two frames (a key frame's refresh) does not end it. A still photograph held in an edit is a
  freeze too; a live shot of a quiet scene is not (its sensor noise and small motions move it);
* ``end_credits``: a run of credit frames (gaps up to 0.5 s bridged) lasting ``credits_min_s`` that
  ends in the last third of the video and that the OCR confirms (see ``credits.py``); scrolling
  text earlier on (opening credits) is not typed;
* ``test_tone``: from ``tone.py`` on the audio the pass decodes;
* ``content``: between the opening and the closing cues (``segments.content_cue``: black, bars,
  tone, credits; a freeze is a flag inside the programme, not one of its ends).
Frames the pass left undecoded (calm stretches of H.264/HEVC) belong to the analysed frame before them.
"""

from __future__ import annotations

import numpy as np

from video_json_ai.engine.analysis.frames import DecodedFrame
from video_json_ai.engine.cues.credits import LAG_S, CreditsTracker
from video_json_ai.engine.cues.pictures import bar_spans, bars_colours, black_share, mean_change
from video_json_ai.engine.cues.segments import Timeline, content_cue, runs
from video_json_ai.engine.cues.tone import ToneSpan
from video_json_ai.models.cues import CueOptions, TechnicalCue

BLACK, BARS, STILL, CREDITS, CREDITS_BG = 1, 2, 4, 8, 16
_BARS_RECHECK_S = 0.5


class CueAnalyzer:
    """A FrameAnalyzer marking each frame; ``cues()`` turns the marks into typed segments."""

    def __init__(self, options: CueOptions | None = None, fps: float = 25.0, use_ocr: bool = True) -> None:
        self.options = options or CueOptions()
        self.fps = fps if fps and fps > 0 else 25.0
        self.credits = CreditsTracker(use_ocr)
        self._level = self.options.black_max_pixel * 255.0
        self._frames: list[int] = []
        self._times: list[float] = []
        self._marks: list[int] = []
        self._change: list[float] = []
        self._mean: list[float] = []
        self._prev: np.ndarray | None = None
        self._turns: int | None = None
        self._bars_checked = -1e9
        self._bars_colour = False

    def on_frame(self, frame: DecodedFrame) -> None:
        luma = frame.luma
        if self._turns is None:
            self._turns = int(round((frame.av_frame.rotation or 0) / 90.0)) % 4
        upright = np.rot90(luma, k=self._turns) if self._turns else luma
        mark = 0
        if black_share(luma, self._level) >= self.options.black_min_coverage:
            mark |= BLACK
        else:
            spans = bar_spans(upright)
            if spans is None:
                self._bars_checked = -1e9
            else:
                if frame.time_s - self._bars_checked >= _BARS_RECHECK_S:
                    self._bars_colour = bars_colours(frame.av_frame, spans, (luma.shape[1], luma.shape[0]), self._turns)
                    self._bars_checked = frame.time_s
                if self._bars_colour:
                    mark |= BARS
        change = mean_change(luma, self._prev)
        if change <= self.options.freeze_noise:
            mark |= STILL
        if not mark & (BLACK | BARS):
            candidate, background = self.credits.step(frame.time_s, upright, frame.av_frame, self._turns)
            mark |= (CREDITS if candidate else 0) | (CREDITS_BG if background else 0)
        self._prev = luma  # a new array each frame (the pass scales every frame afresh)
        self._frames.append(frame.index)
        self._times.append(frame.time_s)
        self._marks.append(mark)
        self._change.append(change)
        self._mean.append(float(luma.mean()) if mark & BLACK else 0.0)

    def finish(self) -> None:
        """Nothing to flush: the marks are turned into cues by ``cues()``, once the end is known."""

    def cues(self, end_s: float, last_frame: int, tones: list[ToneSpan] = ()) -> list[TechnicalCue]:  # type: ignore[assignment]
        """Every cue, in time order: ``end_s`` where the last frame ends, ``last_frame`` its number."""
        if not self._frames:
            return []
        tl = Timeline(np.asarray(self._frames), np.asarray(self._times, np.float64), end_s, last_frame, self.fps)
        marks = np.asarray(self._marks)
        o = self.options
        out: list[TechnicalCue] = []
        for a, b in runs(marks & BLACK > 0):
            if tl.end_of(b) - tl.times[a] >= o.black_min_s:
                level = float(np.mean(self._mean[a : b + 1]))
                out.append(tl.span_cue("black", a, b, 1.0 - 0.5 * level / max(self._level, 1.0)))
        for a, b in runs(marks & BARS > 0, fill=1):
            if tl.end_of(b) - tl.times[a] >= o.bars_min_s:
                out.append(tl.span_cue("colour_bars", a, b, float(np.mean(marks[a : b + 1] & BARS > 0))))
        out += self._freezes(tl, marks)
        out += self._credits(tl, marks)
        for t in tones:
            start, end = max(t.start_s, 0.0), min(t.end_s, end_s)
            if end > start:
                out.append(tl.cue("test_tone", start, end, tl.frame_at(start), tl.frame_at(end - 1e-3), t.purity,
                                  frequency_hz=t.frequency_hz, level_dbfs=t.level_dbfs))
        content = content_cue([c for c in out if c.kind != "freeze"], tl)
        out += [content] if content is not None else []
        return sorted(out, key=lambda c: (c.start_s, c.kind))

    def _freezes(self, tl: Timeline, marks: np.ndarray) -> list[TechnicalCue]:
        change = np.asarray(self._change)
        noise = self.options.freeze_noise
        other = marks & (BLACK | BARS) > 0
        held = (marks & STILL > 0) & ~other
        blip = (change <= max(4 * noise, 1.5)) & ~other  # a key frame's refresh inside a held picture
        out = []
        for a, b in runs(held | blip, fill=0):
            for c, d in runs(held[a : b + 1], fill=2):
                c, d = c + a, d + a
                first = c - 1 if c > 0 and not other[c - 1] else c  # the frame that first shows the picture
                if tl.end_of(d) - tl.times[first] >= self.options.freeze_min_s:
                    level = float(np.mean(change[c : d + 1]))
                    out.append(tl.span_cue("freeze", first, d, 1.0 - 0.5 * min(level / noise, 1.0)))
        return out

    def _credits(self, tl: Timeline, marks: np.ndarray) -> list[TechnicalCue]:
        out = []
        gap = max(1, int(0.5 * self.fps))
        bg = marks & CREDITS_BG > 0
        for a, b in runs(marks & CREDITS > 0, fill=gap):
            t0, t1 = float(tl.times[a]), float(tl.times[b])
            while a > 0 and bg[a - 1] and t0 - tl.times[a - 1] <= LAG_S + 0.1:
                a -= 1
            while b + 1 < len(bg) and bg[b + 1] and tl.times[b + 1] - t1 <= LAG_S + 0.1:
                b += 1
            start, end = float(tl.times[a]), tl.end_of(b)
            if end - start < self.options.credits_min_s or end < tl.end_s * 2 / 3:
                continue
            verdict = self.credits.verdict(start, end)
            if verdict is not None:
                out.append(tl.span_cue("end_credits", a, b, verdict[0], text=verdict[1]))
        return out
