"""The application core shared by the MCP server and the CLI: config, store, backend, jobs."""

from __future__ import annotations

import logging
from functools import cached_property, lru_cache
from pathlib import Path

from video_json_ai.backends.base import Backend
from video_json_ai.config import Config
from video_json_ai.errors import InvalidInput, NotFound
from video_json_ai.core.jobs import JobRunner, interrupted_info, pid_alive
from video_json_ai.util.time import utc_now
from video_json_ai.models.report import Report
from video_json_ai.models.state import JobInfo, SessionState
from video_json_ai.models.tools import ExportResult, ExtractResult, JobDetail, UploadResult
from video_json_ai.core.store import Store

log = logging.getLogger(__name__)
BACKENDS = ("local", "nemo")
RESULT_MODELS = {"extract": ExtractResult, "export": ExportResult, "upload": UploadResult}


@lru_cache(maxsize=4)
def _read_report(path: str, mtime_ns: int, size: int) -> Report:
    """A report file, parsed once while it is unchanged (by path, mtime and size): paging and the
    report view's many keyframe requests do not re-read it."""
    return Report.model_validate_json(Path(path).read_text(encoding="utf-8"))


class App:
    def __init__(self, config: Config | None = None) -> None:
        self.config = config or Config.from_env()
        if self.config.backend not in BACKENDS:
            raise InvalidInput(
                f"Unknown backend '{self.config.backend}' in VIDEO_JSON_BACKEND",
                f"Set VIDEO_JSON_BACKEND to one of: {', '.join(BACKENDS)} (default: local).",
            )
        from video_json_ai.engine import process

        process.configure(self.config.workers, self.config.worker_memory_mb)

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
        st = path.stat()
        return _read_report(str(path), st.st_mtime_ns, st.st_size)

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
        """The backend's session with the newest jobs (this process's and saved ones): their status
        lines only, no stored result is read."""
        session = await self.jobs.call(self.backend.session_state())
        live = [j.info() for j in self.jobs.jobs()]
        known = {j.job_id for j in live}
        saved = [self._saved_info(i) for i in self.store.job_infos(self.config.backend, limit)]
        jobs = sorted(live + [j for j in saved if j.job_id not in known], key=lambda j: j.created_at, reverse=True)
        session.jobs = jobs[:limit]
        return session

    def _saved_info(self, info: dict) -> JobInfo:  # type: ignore[type-arg]
        """A job saved by an earlier run: one saved as running whose server is gone was interrupted."""
        if info.get("status") == "running" and self.jobs.get(info["job_id"]) is None and not pid_alive(info.get("owner_pid")):
            info = interrupted_info(info, utc_now())
        return JobInfo.model_validate({k: v for k, v in info.items() if k in JobInfo.model_fields})

    def _job_detail(self, job_id: str) -> JobDetail | None:
        job = self.jobs.get(job_id)
        if job is not None:
            return JobDetail(**job.info().model_dump(), result=job.result)  # type: ignore[arg-type]
        saved = self.store.job(job_id)
        if saved is None:
            return None
        info, result = saved
        detail = self._saved_info(info)
        model = RESULT_MODELS.get(detail.kind)
        return JobDetail(**detail.model_dump(), result=model.model_validate(result) if (model and result) else None)

    def with_report(self, result: ExtractResult) -> ExtractResult:
        """A finished extraction with its report read back from ``report_path`` (jobs keep the path,
        not the report). The last few reports read stay parsed, so paging does not re-read them."""
        if result.report is not None or not result.report_path:
            return result
        path = Path(result.report_path)
        try:
            st = path.stat()
        except OSError:
            raise NotFound(f"The report file '{path.name}' is gone (the cache was pruned or cleaned)",
                           "Run extract_json again with the same arguments; it is made afresh.") from None
        return result.model_copy(update={"report": _read_report(str(path), st.st_mtime_ns, st.st_size)})

    def close(self) -> None:
        if "jobs" in self.__dict__:
            backend = self.__dict__.get("backend")
            self.jobs.close(backend.aclose if backend is not None else None)
        if "store" in self.__dict__:
            self.store.close()

