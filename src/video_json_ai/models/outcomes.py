"""What the backends return: domain outcomes, free of job and paging fields (the MCP layer adds those)."""

from __future__ import annotations

from pydantic import Field

from video_json_ai.models.common import Model
from video_json_ai.models.metadata import MetadataSummary
from video_json_ai.models.report import Feature, Report
from video_json_ai.models.tools import CloudAnswer


class UploadInfo(Model):
    """A registered (local) or sent (cloud) video."""

    video_id: str
    file_name: str
    size_bytes: int | None = None
    path: str | None = None
    backend: str
    already_uploaded: bool = False
    summary: MetadataSummary | None = None
    message: str


class Extraction(Model):
    """A finished extraction: the report (local) or the cloud agent's answer (nemo)."""

    video_id: str | None = None
    features: list[Feature] = Field(default_factory=list)
    report: Report | None = None
    report_path: str | None = None
    report_html_path: str | None = None
    storyboard_path: str | None = None
    cloud: CloudAnswer | None = None
    warnings: list[str] = Field(default_factory=list)
    message: str
