"""What the tools ask a backend to do (validated inputs, backend-neutral)."""

from __future__ import annotations

from pydantic import Field, model_validator

from video_json_ai.errors import InvalidInput

from video_json_ai.models.audio import AudioOptions
from video_json_ai.models.common import Model
from video_json_ai.models.render import (
    PadStyle,
    RenderAspect,
    RenderFit,
    RenderFormat,
    RenderQuality,
    RenderResolution,
    TitlePosition,
)
from video_json_ai.models.cues import CueOptions
from video_json_ai.models.report import Feature
from video_json_ai.models.scenes import SceneOptions


class ExtractRequest(Model):
    video_id: str | None = None
    source: str | None = None
    instructions: str = ""
    features: list[Feature]
    scene_options: SceneOptions = Field(default_factory=SceneOptions)
    audio_options: AudioOptions = Field(default_factory=AudioOptions)
    cue_options: CueOptions = Field(default_factory=CueOptions)
    refresh: bool = Field(default=False, description="Ignore a cached report and extract again.")


class RenderRequest(Model):
    video_id: str | None = None
    source: str | None = Field(default=None, description="A file path or URL to upload first and render.")
    format: RenderFormat = "mp4"
    quality: RenderQuality = "high"
    resolution: RenderResolution = "source"
    aspect: RenderAspect = "source"
    fit: RenderFit = "pad"
    pad_style: PadStyle = "blur"
    allow_upscale: bool = False
    start_s: float | None = None
    end_s: float | None = None
    scenes: list[int] | None = None
    title: str | None = None
    title_position: TitlePosition = "bottom"
    title_duration_s: float = 3.0
    output_path: str | None = None
    download: bool = True

    @model_validator(mode="after")
    def _trim_in_order(self) -> "RenderRequest":
        if self.start_s is not None and self.end_s is not None and self.end_s <= self.start_s:
            raise InvalidInput(f"end_s ({self.end_s:g}) must be after start_s ({self.start_s:g})",
                               "Pick an end time later than the start.")
        return self
