"""On-screen text found by OCR."""

from __future__ import annotations

from pydantic import Field

from video_json_ai.models.common import Box, Model


class TextOverlay(Model):
    start_s: float = Field(description="First sampled frame showing the text, seconds.")
    end_s: float = Field(description="Last sampled frame showing the text, seconds.")
    scene_index: int | None
    text: str
    confidence: float = Field(ge=0, le=1)
    box: Box
