"""Technical cues: typed stretches of the video a QC or an archive editor trims or checks."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from video_json_ai.models.common import Model

CueKind = Literal["black", "colour_bars", "freeze", "test_tone", "end_credits", "content"]


class CueOptions(Model):
    """Knobs of the cue rules. The black-frame ones mean what AWS Rekognition's do."""

    black_max_pixel: float = Field(default=0.1, ge=0, le=1, description=(
        "Brightest a pixel may be and still count as black, as a fraction of the luma range (0 = only pure "
        "black). Rekognition's MaxPixelThreshold; its default is 0.2, ours 0.1 (at 0.2 dark film shots read as black)."))
    black_min_coverage: float = Field(default=0.99, ge=0.5, le=1, description=(
        "Share of a frame's pixels that must be black for the frame to be black (Rekognition's "
        "MinCoveragePercentage / 100)."))
    black_min_s: float = Field(default=0.5, ge=0, le=60, description="Shortest black stretch reported, seconds.")
    bars_min_s: float = Field(default=0.5, ge=0, le=60, description="Shortest colour-bar stretch reported, seconds.")
    freeze_min_s: float = Field(default=2.0, ge=0.1, le=600, description="Shortest held picture reported, seconds.")
    freeze_noise: float = Field(default=0.1, gt=0, le=10, description=(
        "Largest mean luma change per frame (0-255 scale, on the ~96x54 analysis picture) of a held picture. "
        "Repeated frames measure ~0.001, still photographs in an encode under 0.05, live shots of a quiet "
        "scene 0.15 and more."))
    tone_min_s: float = Field(default=1.0, ge=0.1, le=600, description="Shortest steady tone reported, seconds.")
    credits_min_s: float = Field(default=3.0, ge=0.5, le=600, description="Shortest scrolling credits reported, seconds.")


class TechnicalCue(Model):
    kind: CueKind = Field(description=(
        "black: black frames; colour_bars: SMPTE/EBU bar patterns; freeze: one picture held; test_tone: a steady "
        "sine in the audio; end_credits: text scrolling up over a dark or flat background, ending in the last third; "
        "content: the programme between the opening and the closing cues."))
    start_s: float = Field(description="Seconds from the first frame.")
    end_s: float = Field(description="End (exclusive: the start of the next frame), seconds.")
    duration_s: float
    start_frame: int
    end_frame: int = Field(description="Last frame of the cue (inclusive).")
    start_timecode: str = Field(description="HH:MM:SS.mmm")
    end_timecode: str
    start_smpte: str = Field(description="HH:MM:SS:FF, non-drop-frame at the nominal frame rate (as Rekognition gives).")
    end_smpte: str
    confidence: float = Field(ge=0, le=1)
    frequency_hz: float | None = Field(default=None, description="test_tone: the tone's frequency.")
    level_dbfs: float | None = Field(default=None, description=(
        "test_tone: its RMS level in the mono downmix (a tone on both stereo channels reads 3 dB above each one's)."))
    text: str | None = Field(default=None, description="end_credits: some of the lines the OCR read in it.")
