"""Sessions, jobs, timelines: what get_state shows."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from video_json_ai.models.common import Model
from video_json_ai.models.metadata import MetadataSummary
from video_json_ai.models.render import ExportInfo

JobStatusName = Literal["running", "completed", "failed", "cancelled", "interrupted"]
"""interrupted: the server stopped (killed, restarted) while the job ran; run the request again."""
JobKind = Literal["upload", "extract", "export"]


class JobInfo(Model):
    job_id: str
    kind: JobKind
    status: JobStatusName
    progress: float = Field(ge=0, le=1)
    message: str
    video_id: str | None = None
    created_at: str
    finished_at: str | None = None
    error: str | None = None


class VideoEntry(Model):
    video_id: str
    file_name: str
    path: str | None = None
    size_bytes: int | None = None
    uploaded_at: str
    summary: MetadataSummary | None = None
    report_path: str | None = Field(default=None, description="The newest extraction report (JSON) of this video.")
    report_html_path: str | None = Field(default=None, description="That report as a page that opens offline in a browser.")
    storyboard_path: str | None = Field(default=None, description="Its storyboard: keyframes in one JPEG grid.")


class Segment(Model):
    name: str
    video_id: str | None = None
    start_s: float = Field(description="Position on the timeline, seconds.")
    end_s: float
    source_in_s: float | None = Field(default=None, description="Start inside the source media.")
    volume: float | None = Field(default=None, description="Audio volume 0..1, where set.")
    text: str | None = None
    metadata: dict[str, Any] | None = Field(default=None, description="Cloud backend: the draft segment's metadata (m).")


class Track(Model):
    index: int
    type: Literal["video", "audio", "text", "other"]
    type_code: int | None = Field(default=None, description="The cloud draft's track type code (tt).")
    metadata: dict[str, Any] | None = Field(default=None, description="Cloud backend: the draft track's metadata (m).")
    segments: list[Segment]


class Timeline(Model):
    summary: str = Field(description="One readable line, e.g. 'Timeline (1 track): 1. Video: a.mp4 (0-10s)'.")
    duration_s: float
    tracks: list[Track]


class SessionState(Model):
    backend: str
    session_id: str | None = None
    videos: list[VideoEntry] = Field(default_factory=list)
    timeline: Timeline
    jobs: list[JobInfo] = Field(default_factory=list)
    exports: list[ExportInfo] = Field(default_factory=list)
    video_infos: list[dict[str, Any]] | None = Field(default=None, description="Cloud backend: the state's video_infos.")
    generated_media: list[dict[str, Any]] | None = Field(default=None, description="Cloud backend: generated media.")
