"""The one interface both backends implement: upload, extract, state, credits, export.

Methods are async and may run for minutes; they report through ``progress`` and stop when
``cancel`` is set. The job system (``jobs.py``) runs them and enforces the bounded wait.
"""

from __future__ import annotations

from typing import Protocol

from video_json_ai.models.render import ExportInfo
from video_json_ai.models.requests import ExtractRequest, RenderRequest
from video_json_ai.models.metadata import MetadataSummary
from video_json_ai.models.state import SessionState, VideoEntry
from video_json_ai.models.outcomes import Extraction, UploadInfo
from video_json_ai.models.tools import CreditsResult
from video_json_ai.util.progress import CancelToken, ProgressFn


def video_entries(rows: list[dict]) -> list[VideoEntry]:
    """The store's video rows as the session lists them (both backends)."""
    return [
        VideoEntry(video_id=v["video_id"], file_name=v["file_name"], path=v["path"], size_bytes=v["size_bytes"],
                   uploaded_at=v["uploaded_at"],
                   summary=MetadataSummary.model_validate(v["summary"]) if v.get("summary") else None)
        for v in rows
    ]


class Backend(Protocol):
    name: str
    """'local' or 'nemo'."""

    async def upload(self, source: str, *, progress: ProgressFn, cancel: CancelToken) -> UploadInfo:
        """Register (local) or send (cloud) a video; ``source`` is a path (or URL where supported)."""
        ...

    async def extract(self, request: ExtractRequest, *, progress: ProgressFn, cancel: CancelToken) -> Extraction:
        """Do the extraction and return a completed result (the job layer adds job ids/paging)."""
        ...

    async def session_state(self) -> SessionState:
        """Uploaded videos, the readable draft timeline, exports (jobs are added by the job layer)."""
        ...

    async def credits(self) -> CreditsResult: ...

    async def export(self, request: RenderRequest, *, progress: ProgressFn, cancel: CancelToken) -> ExportInfo:
        """Render the draft (or one video) and return the finished export."""
        ...

    async def aclose(self) -> None:
        """Release connections and files."""
        ...
