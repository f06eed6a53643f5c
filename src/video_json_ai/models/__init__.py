"""The pydantic models: the one definition of the JSON schema."""

from video_json_ai.models.common import SCHEMA_VERSION
from video_json_ai.models.report import Report

__all__ = ["SCHEMA_VERSION", "Report"]
