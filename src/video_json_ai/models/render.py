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
