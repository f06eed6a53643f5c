"""Shared pieces of the JSON models."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1.1"


class Model(BaseModel):
    """Base of every model in the report: strict field names, no surprises."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class TimeSpan(Model):
    """A span of the video, in seconds from the first frame."""

    start_s: float = Field(description="Start, seconds.")
    end_s: float = Field(description="End, seconds.")


class Box(Model):
    """A rectangle in normalised 0..1 coordinates of the displayed frame."""

    x: float = Field(ge=0, le=1)
    y: float = Field(ge=0, le=1)
    width: float = Field(ge=0, le=1)
    height: float = Field(ge=0, le=1)
