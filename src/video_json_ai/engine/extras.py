"""What the asked-for features add to the single pass, and how their findings reach the report:

* ``text``: the on-screen text sampler (a frame analyser, OCR);
* ``cues``: the cue analyser (a frame analyser) and the tone detector (listening to the 16 kHz
  mono signal the pass's audio analysis makes);
* ``subtitles``: the subtitle reader (a packet reader: the subtitle packets of the same read).
"""

from __future__ import annotations

from typing import Any

from video_json_ai.util.progress import CancelToken
from video_json_ai.errors import NotAvailable
from video_json_ai.models.cues import CueOptions
from video_json_ai.models.metadata import Metadata
from video_json_ai.models.report import Feature, Report


class PassExtras:
    def __init__(self, features: list[Feature], meta: Metadata, cue_options: CueOptions | None,
                 cancel: CancelToken, warnings: list[str]) -> None:
        self.analyzers: list[Any] = []
        self.readers: list[Any] = []
        self.listeners: list[Any] = []
        self.text_sampler = self.cues = self.tone = self.subtitles = None
        self.no_subtitles = "subtitles" in features and not meta.subtitles
        if "text" in features:
            from video_json_ai.engine.text.ocr import TextSampler, ocr_engine

            try:
                ocr_engine()
                self.text_sampler = TextSampler(cancel=cancel)
                self.analyzers.append(self.text_sampler)
            except NotAvailable as exc:
                warnings.append(f"'text' left out: {exc}")
        if "cues" in features:
            from video_json_ai.engine.cues.analyzer import CueAnalyzer
            from video_json_ai.engine.cues.tone import ToneDetector

            options = cue_options or CueOptions()
            fps = meta.video[0].fps if meta.video and meta.video[0].fps else 25.0
            self.cues = CueAnalyzer(options, fps)
            self.analyzers.append(self.cues)
            if meta.audio:
                self.tone = ToneDetector(options.tone_min_s)
                self.listeners.append(self.tone.push)
        if "subtitles" in features and meta.subtitles:
            from video_json_ai.engine.subtitles.reader import SubtitleReader

            self.subtitles = SubtitleReader()
            self.readers.append(self.subtitles)

    def fill(self, report: Report, analysis: Any, timings: dict[str, float]) -> None:
        """Put what the pass found into the report (``analysis``: its VideoAnalysis)."""
        if self.text_sampler is not None:
            report.text = self.text_sampler.overlays([s.start_s for s in analysis.scenes])
            timings["text_ocr"] = round(self.text_sampler.ocr_s, 4)  # inside video_pass
        if self.cues is not None:
            tones = self.tone.finish(analysis.audio_offset_s or 0.0) \
                if self.tone is not None and analysis.audio_offset_s is not None else []
            report.cues = self.cues.cues(analysis.duration_s, analysis.frames - 1, tones)
            timings["cues_ocr"] = round(self.cues.credits.ocr_s, 4)  # inside video_pass
        if self.subtitles is not None:
            report.subtitles = self.subtitles.finish(analysis.start_time_s, analysis.duration_s)
        elif self.no_subtitles:
            report.subtitles = []
