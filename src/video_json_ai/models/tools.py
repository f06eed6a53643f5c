"""What each MCP tool returns (these become the tools' outputSchema)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from video_json_ai.models.batch import BatchSummary, IndexRow
from video_json_ai.models.common import Model
from video_json_ai.models.metadata import MetadataSummary
from video_json_ai.models.render import ExportInfo
from video_json_ai.models.report import Feature, Report
from video_json_ai.models.state import JobInfo, JobStatusName, SessionState


class UploadResult(Model):
    status: JobStatusName = "completed"
    job_id: str | None = Field(default=None, description="Set while the upload still runs: poll get_state(job_id).")
    progress: float = Field(default=1.0, ge=0, le=1)
    message: str
    video_id: str | None = Field(default=None, description="Pass this to extract_json and export_render.")
    file_name: str | None = None
    size_bytes: int | None = None
    path: str | None = None
    backend: str | None = None
    already_uploaded: bool | None = Field(default=None, description="True when the same content was uploaded before.")
    summary: MetadataSummary | None = None


class CloudAnswer(Model):
    """What the cloud agent said, made structured (nemo backend)."""

    text: str = Field(description="The agent's answer, GUI wording translated.")
    data: dict[str, Any] | list[dict[str, Any]] | None = Field(default=None, description="JSON found in the answer, parsed (an object or a list of objects).")
    video_infos: list[dict[str, Any]] | None = None
    timeline_summary: str | None = None
    state_changed: bool | None = None
    changes: list[str] = Field(default_factory=list)


class ExtractResult(Model):
    status: JobStatusName
    job_id: str | None = None
    progress: float = Field(ge=0, le=1)
    message: str
    video_id: str | None = None
    features: list[Feature] = Field(default_factory=list)
    report: Report | None = Field(default=None, description="The report (scenes paged when long).")
    report_path: str | None = Field(default=None, description="The full report as a JSON file.")
    report_html_path: str | None = Field(default=None, description="The same report as one page that opens offline in a browser.")
    storyboard_path: str | None = Field(default=None, description="A JPEG grid of up to 30 keyframes labelled '#index start'.")
    scenes_total: int | None = None
    next_cursor: str | None = Field(default=None, description="Pass as cursor to get the next page of scenes "
                                    "(of videos, for a batch).")
    batch: BatchSummary | None = Field(default=None, description="A folder or a list of sources: what the batch did.")
    videos: list[IndexRow] | None = Field(default=None, description="A batch: one page of its index, a row per video. "
                                          "Read a report with extract_json(video_id) or video://{video_id}/report.")
    videos_total: int | None = None
    cloud: CloudAnswer | None = None
    warnings: list[str] = Field(default_factory=list)


class ExportResult(Model):
    status: JobStatusName
    job_id: str | None = None
    progress: float = Field(ge=0, le=1)
    message: str
    export: ExportInfo | None = None


class ThumbnailResult(Model):
    """keyframe_thumbnail (for the report view): which picture the image content holds."""

    video_id: str
    scene: int
    width: int
    height: int
    mime_type: str = "image/jpeg"


class CreditsResult(Model):
    backend: str
    unlimited: bool
    available: float | None = None
    frozen: float | None = None
    total: float | None = None
    message: str


class JobDetail(JobInfo):
    result: ExtractResult | ExportResult | UploadResult | None = None


class StateResult(Model):
    """get_state: the session (no job_id) or one job (job_id given)."""

    backend: str
    session: SessionState | None = None
    job: JobDetail | None = None
