"""The extraction report: the JSON a user gets for one video."""

from __future__ import annotations


from pydantic import Field

from video_json_ai.models.audio import AudioReport
from video_json_ai.models.text import TextOverlay
from video_json_ai.models.transcript import Transcript
from video_json_ai.models.common import SCHEMA_VERSION, Model
from video_json_ai.models.metadata import Metadata
from video_json_ai.models.scenes import Scene, ScenesSummary
from video_json_ai.models.cues import TechnicalCue
from video_json_ai.models.subtitles import SubtitleTrack

from video_json_ai.models.features import ALL_FEATURES, DEFAULT_FEATURES, Feature  # noqa: F401 (re-exported)


class VideoRef(Model):
    video_id: str = Field(description="Content hash id of the video (same file, same id).")
    file_name: str
    path: str
    size_bytes: int
    sha256: str


class Summary(Model):
    """The few facts most people want first."""

    duration_s: float | None
    duration_timecode: str | None
    resolution: str | None = Field(description="Displayed width x height, e.g. '1920x1080'.")
    fps: float | None
    has_audio: bool
    scene_count: int | None = None
    has_speech: bool | None = None
    speech_share: float | None = None
    loudness_verdict: str | None = None
    text_overlay_count: int | None = None
    subtitle_languages: list[str] | None = Field(default=None, description="Languages of the text subtitle tracks.")


class Report(Model):
    schema_version: str = SCHEMA_VERSION
    generator: str
    created_at: str
    video: VideoRef
    features: list[Feature]
    summary: Summary
    metadata: Metadata | None = None
    scenes: list[Scene] | None = None
    scenes_summary: ScenesSummary | None = None
    audio: AudioReport | None = None
    text: list[TextOverlay] | None = None
    transcript: Transcript | None = None
    subtitles: list[SubtitleTrack] | None = Field(default=None, description=(
        "The file's subtitle tracks with their cues (text tracks), or listed with a note (bitmap tracks)."))
    cues: list[TechnicalCue] | None = Field(default=None, description=(
        "Technical cues in time order: black, colour_bars, freeze, test_tone, end_credits, and the content between."))
    warnings: list[str] = Field(default_factory=list)
    timings_s: dict[str, float] = Field(default_factory=dict, description="Wall time per step, seconds.")
