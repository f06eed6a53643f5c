"""The per-video work of the local backend, shared by ``extract_json`` and the batch runner.

Both call :func:`cache_key` and :func:`report_for`, so the server and a batch can never disagree
about a report: the same key for the same content and options, the same report content.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from video_json_ai.util.progress import CancelToken, ProgressFn
from video_json_ai.engine.extract import build_report
from video_json_ai.models.common import SCHEMA_VERSION
from video_json_ai.models.report import Report, VideoRef
from video_json_ai.models.requests import ExtractRequest


def _options_spec(request: ExtractRequest) -> dict[str, object]:
    """Everything besides the content that changes a report."""
    asr_model = os.environ.get("VIDEO_JSON_ASR_MODEL") if "transcript" in request.features else None
    return {"v": SCHEMA_VERSION, "f": request.features, "o": request.scene_options.model_dump(mode="json"),
            "a": request.audio_options.model_dump(mode="json"), "asr": asr_model,
            "c": request.cue_options.model_dump(mode="json") if "cues" in request.features else None}


def cache_key(sha256: str, request: ExtractRequest) -> str:
    """The key of the report of this content with these options."""
    spec = json.dumps({**_options_spec(request), "sha": sha256}, sort_keys=True)
    return hashlib.sha256(spec.encode()).hexdigest()[:24]


def options_key(request: ExtractRequest) -> str:
    """The options part of :func:`cache_key` alone (a batch tells changed options from changed content)."""
    return hashlib.sha256(json.dumps(_options_spec(request), sort_keys=True).encode()).hexdigest()[:16]


def report_for(path: Path, video: VideoRef, request: ExtractRequest, keyframes_dir: Path | None, *,
               progress: ProgressFn, cancel: CancelToken) -> Report:
    """The report of one video file. Decodes the file: call it inside a worker process."""
    return build_report(
        path=path, video=video, features=list(request.features), options=request.scene_options,
        audio_options=request.audio_options, cue_options=request.cue_options,
        keyframes_dir=keyframes_dir if "keyframes" in request.features else None,
        progress=progress, cancel=cancel,
    )
