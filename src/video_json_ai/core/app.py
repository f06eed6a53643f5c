"""The application core shared by the MCP server and the CLI: config, store, backend, jobs."""

from __future__ import annotations

import logging
from functools import cached_property, lru_cache
from pathlib import Path

from video_json_ai.backends.base import Backend
from video_json_ai.config import Config
from video_json_ai.errors import InvalidInput, NotFound
from video_json_ai.core.jobs import JobRunner
from video_json_ai.models.report import Report
from video_json_ai.models.state import JobInfo, SessionState
from video_json_ai.models.tools import ExportResult, ExtractResult, JobDetail, UploadResult
from video_json_ai.core.store import Store

log = logging.getLogger(__name__)
BACKENDS = ("local", "nemo")
RESULT_MODELS = {"extract": ExtractResult, "export": ExportResult, "upload": UploadResult}


@lru_cache(maxsize=4)
def _read_report(path: str, mtime_ns: int) -> Report:
    """A report file, parsed once while it is unchanged (the report view asks for many keyframes)."""
    return Report.model_validate_json(Path(path).read_text(encoding="utf-8"))


class App:
    def __init__(self, config: Config | None = None) -> None:
        self.config = config or Config.from_env()
        if self.config.backend not in BACKENDS:
            raise InvalidInput(
                f"Unknown backend '{self.config.backend}' in VIDEO_JSON_BACKEND",
                f"Set VIDEO_JSON_BACKEND to one of: {', '.join(BACKENDS)} (default: local).",
            )

    @cached_property
    def store(self) -> Store:
        return Store(self.config.db_path)

    @cached_property
    def backend(self) -> Backend:
        """Created on first use, so starting the server stays fast."""
        if self.config.backend == "nemo":
            from video_json_ai.backends.nemo.backend import NemoBackend

            return NemoBackend(self.config, self.store)
        from video_json_ai.backends.local.backend import LocalBackend

        return LocalBackend(self.config, self.store)

    @cached_property
    def jobs(self) -> JobRunner:
        return JobRunner(self.store, session_id=self.config.backend)

    def latest_report(self, video_id: str) -> Report:
        """The newest report extracted for a video."""
        path = self.store.latest_report(video_id)
        if path is None:
            raise NotFound(f"No report for '{video_id}' yet", f"Call extract_json(video_id='{video_id}') first.")
        return _read_report(str(path), path.stat().st_mtime_ns)

    def keyframe_file(self, video_id: str, scene: int) -> Path:
        """The keyframe JPEG of scene ``scene`` (0-based) of a video's newest report."""
        scenes = self.latest_report(video_id).scenes or []
        if not 0 <= scene < len(scenes):
            raise NotFound(f"Scene {scene} does not exist: the report has {len(scenes)} scenes (0-based)",
                           "Pass a scene index from the report.")
        kf = scenes[scene].keyframe
        if kf is None or not kf.path or not Path(kf.path).is_file():
            raise NotFound(f"Scene {scene} has no keyframe file", "Extract with the 'keyframes' feature.")
        return Path(kf.path)

    def job_detail(self, job_id: str) -> JobDetail:
        """A job of this process, or one saved by an earlier run."""
        detail = self._job_detail(job_id)
        if detail is None:
            raise NotFound(f"No job with id '{job_id}'", "Use a job_id returned by a tool, or call get_state() to list jobs.")
        return detail

    async def session_state(self, limit: int = 50) -> SessionState:
        """The backend's session with the newest jobs (this process's and saved ones), results left out."""
        session = await self.jobs.call(self.backend.session_state())
        known = {j.job_id for j in self.jobs.jobs()}
        live = [self._job_detail(j) for j in known]
        saved = [self._job_detail(i["job_id"]) for i, _ in self.store.jobs(self.config.backend)]
        jobs = sorted([j for j in live if j] + [j for j in saved if j and j.job_id not in known],
                      key=lambda j: j.created_at, reverse=True)
        session.jobs = [j.model_copy(update={"result": None}) for j in jobs][:limit]  # type: ignore[misc]
        return session

    def _job_detail(self, job_id: str) -> JobDetail | None:
        job = self.jobs.get(job_id)
        if job is not None:
            return JobDetail(**job.info().model_dump(), result=job.result)  # type: ignore[arg-type]
        saved = self.store.job(job_id)
        if saved is None:
            return None
        info, result = saved
        detail = JobInfo.model_validate(info)
        if detail.status == "running":  # its process ended before the job did
            detail = detail.model_copy(update={
                "status": "failed",
                "error": "The server stopped before this job finished. Run the request again.",
                "message": "interrupted by a server restart",
            })
        model = RESULT_MODELS.get(detail.kind)
        return JobDetail(**detail.model_dump(), result=model.model_validate(result) if (model and result) else None)

    def close(self) -> None:
        if "jobs" in self.__dict__:
            backend = self.__dict__.get("backend")
            self.jobs.close(backend.aclose if backend is not None else None)
