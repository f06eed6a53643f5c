"""Render requests and finished exports."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from video_json_ai.models.common import Model

RenderFormat = Literal["mp4", "webm", "gif", "mp3", "wav"]
RenderQuality = Literal["low", "medium", "high", "max"]
RenderResolution = Literal["2160p", "1080p", "720p", "480p", "source"]
RenderAspect = Literal["16:9", "9:16", "1:1", "4:5", "source"]
RenderFit = Literal["pad", "crop"]
TitlePosition = Literal["top", "center", "bottom"]
FORMAT_SUFFIXES: dict[str, str] = {"mp4": ".mp4", "webm": ".webm", "gif": ".gif", "mp3": ".mp3", "wav": ".wav"}
"""The file suffix of each render format: the one map the engine and both backends use."""


class ExportInfo(Model):
    """A finished render."""

    export_id: str
    path: str | None = Field(default=None, description="The file on this machine, when there is one.")
    url: str | None = Field(default=None, description="Download URL (cloud backend).")
    format: str
    size_bytes: int | None = None
    duration_s: float | None = None
    width: int | None = None
    height: int | None = None
    video_codec: str | None = None
    audio_codec: str | None = None
    created_at: str
    source_video_ids: list[str] = Field(default_factory=list)
    settings: dict[str, object] = Field(default_factory=dict)
    warnings: list[str] = Field(default_factory=list, description="What differs from what was asked, e.g. an upscaled source.")


PadStyle = Literal["blur", "black"]


class RenderSegment(Model):
    """One span of one source, in output order. Times are seconds from the source's first frame."""

    path: str = Field(description="Source media file on this machine.")
    start_s: float = Field(default=0.0, description="Where the span starts in the source, seconds.")
    end_s: float | None = Field(default=None, description="Where it ends (exclusive); None = the end of the source.")


class RenderOptions(Model):
    """How to render: container and codecs, size, shape, title."""

    format: RenderFormat = Field(default="mp4", description="mp4 (H.264+AAC), webm (VP9+Opus), gif, mp3 or wav.")
    quality: RenderQuality = Field(default="high", description="Maps to CRF / bitrate presets.")
    resolution: RenderResolution = Field(
        default="source", description=("Short side of the output (1080p = 1920x1080 or 1080x1920), upscaling a smaller "
                                       "source; 'source' keeps the first source's and never upscales.")
    )
    allow_upscale: bool = Field(default=False, description=(
        "A resolution above the largest source's is always honoured (upscaled) with a warning; true: without the warning."))
    aspect: RenderAspect = Field(default="source", description="Output shape; 'source' keeps the first source's.")
    fit: RenderFit = Field(default="pad", description="pad: whole picture with bars; crop: fill, cut the edges.")
    pad_style: PadStyle = Field(default="blur", description="Bars when fit='pad': blurred picture or black.")
    fps: float | None = Field(default=None, gt=0, le=120, description="Output frame rate; default the first source's (at most 60).")
    title: str | None = Field(default=None, max_length=200, description="Text drawn over the first seconds.")
    title_position: TitlePosition = "bottom"
    title_duration_s: float = Field(default=3.0, gt=0, le=600, description="How long the title shows, seconds.")
