"""The local backend's videos: registering a file or a URL, and finding a file that still holds a
video's content.

A video is its content (``video_id`` from the SHA-256). Registering checks the path (roots,
kind, size), hashes it, and probes it in a worker process; a URL is downloaded first (core/fetch.py)
into the output directory's ``downloads``. Every path the content was seen at is kept with that
file's identity (size, mtime, inode, device); using a video checks the identity again and hashes
the file again when any of it changed, so a file overwritten with other content is never taken
for the old one.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from video_json_ai.config import Config
from video_json_ai.core.fetch import Limits, fetch, private_allowance
from video_json_ai.util.progress import CancelToken, ProgressFn, scaled
from video_json_ai.core.sources import (
    SUPPORTED_EXTENSIONS, check_local_video, hash_file, inside_allowed, outside_error, video_id_for)
from video_json_ai.core.store import Store
from video_json_ai.engine.probe import probe_file, summarize
from video_json_ai.engine.process import run_in_worker
from video_json_ai.errors import InvalidInput, NotFound, VideoJsonError
from video_json_ai.models.metadata import Metadata
from video_json_ai.models.outcomes import UploadInfo
from video_json_ai.util.atomic import publish
from video_json_ai.util.files import Identity, identity

log = logging.getLogger(__name__)
PROBE_TIME_LIMIT_S = 60.0
CONTENT_TYPES = {"video/mp4": "mp4", "video/quicktime": "mov", "video/webm": "webm", "video/x-matroska": "mkv",
                 "video/x-msvideo": "avi", "audio/mpeg": "mp3", "audio/wav": "wav", "audio/x-wav": "wav",
                 "audio/mp4": "m4a", "audio/aac": "aac", "image/png": "png", "image/jpeg": "jpg",
                 "image/gif": "gif", "image/webp": "webp"}


class VideoFiles:
    def __init__(self, config: Config, store: Store, session_id: str) -> None:
        self.config, self.store, self.session_id = config, store, session_id

    @property
    def downloads(self) -> Path:
        folder = self.config.output_dir / "downloads"
        folder.mkdir(parents=True, exist_ok=True)
        return folder.resolve()

    # -- registering ----------------------------------------------------------------------------
    def register_file(self, source: str, progress: ProgressFn, cancel: CancelToken) -> UploadInfo:
        path = check_local_video(source, self.config)
        progress(0.0, f"checking {path.name}")
        digest, ident = hash_file(path, scaled(progress, 0.0, 0.6), cancel)
        meta = self.probe(path, scaled(progress, 0.6, 0.95), cancel)
        return self._record(path, path.name, digest, ident, meta, progress)

    def register_url(self, url: str, progress: ProgressFn, cancel: CancelToken) -> UploadInfo:
        limits = Limits(self.config.max_upload_bytes, allow_private=private_allowance(self.config.private_urls))
        progress(0.0, "downloading")
        got = fetch(url, self.downloads, limits, progress=scaled(progress, 0.0, 0.8), cancel=cancel)
        try:
            ext = _extension(got.file_name, got.content_type)
            final = got.path.parent / f"{got.sha256[:16]}.{ext}"
            meta = self.probe(got.path, scaled(progress, 0.8, 0.95), cancel, named=f"{Path(got.file_name).stem}.{ext}")
            if final.is_file() and final.stat().st_size == got.size:
                got.path.unlink(missing_ok=True)  # the same content was downloaded before
            else:
                publish(got.path, final)
        except BaseException:
            got.path.unlink(missing_ok=True)
            raise
        ident = identity(final)
        assert ident is not None
        return self._record(final, got.file_name, got.sha256, ident, meta.model_copy(update={"file_name": got.file_name}),
                            progress)

    def probe(self, path: Path, progress: ProgressFn, cancel: CancelToken, *, named: str | None = None) -> Metadata:
        """Probe in a worker (a hostile file cannot take the server down), the extension checked
        against the content (that of ``named`` for a download, whose own name is temporary)."""
        return run_in_worker(probe_file, {"path": path, "named": named}, progress=progress, cancel=cancel,
                             what=f"reading '{named or path.name}'", timeout_s=PROBE_TIME_LIMIT_S)

    def _record(self, path: Path, name: str, digest: str, ident: Identity, meta: Metadata,
                progress: ProgressFn) -> UploadInfo:
        summary = summarize(meta)
        video_id = video_id_for(digest)
        is_new = self.store.add_video(self.session_id, {
            "video_id": video_id, "file_name": name, "path": str(path), "size_bytes": ident.size, "sha256": digest,
            "summary": summary.model_dump(mode="json"), "identity": tuple(ident)})
        progress(1.0, "uploaded")
        return UploadInfo(
            video_id=video_id, file_name=name, size_bytes=ident.size, path=str(path), backend="local",
            already_uploaded=not is_new, summary=summary,
            message=(f"Registered {name} as {video_id}." if is_new
                     else f"{name} was already uploaded as {video_id}; its path is noted too."))

    # -- using ----------------------------------------------------------------------------------
    def row(self, video_id: str) -> dict[str, Any]:
        row = self.store.video(self.session_id, video_id)
        if row is None:
            known = [v["video_id"] for v in self.store.videos(self.session_id)]
            raise NotFound(
                f"No uploaded video with id '{video_id}'",
                "Call upload_video first, or pass source=<file path> to extract_json"
                + (f". Known ids: {', '.join(known[:10])}" if known else ""),
            )
        return row

    def locate(self, video_id: str, progress: ProgressFn, cancel: CancelToken) -> tuple[dict[str, Any], Path, Identity]:
        """The video's row, a path that holds its content now, and that file's identity.

        Paths are tried newest first; one whose size, mtime, inode or device changed is hashed
        again and dropped when its content is no longer the video's.
        """
        row = self.row(video_id)
        changed: list[str] = []
        outside: list[Path] = []
        for text, seen in self.store.video_paths(self.session_id, video_id) or [(row["path"], None)]:
            path = Path(text)
            if not inside_allowed(path, self.config):  # the roots may have changed since the upload
                outside.append(path)
                continue
            now = identity(path)
            if now is None:
                continue
            if seen is not None and now == Identity(*seen):
                return row, path, now
            try:
                check_local_video(text, self.config)
                digest, now = hash_file(path, progress, cancel)
            except VideoJsonError as exc:
                log.info("path %s of %s is unusable: %s", text, video_id, exc)
                continue
            if digest == row["sha256"]:
                self.store.put_video_path(self.session_id, video_id, text, tuple(now))
                return row, path, now
            self.store.drop_video_path(self.session_id, video_id, text)
            changed.append(path.name)
        if changed:
            raise NotFound(f"The file of '{video_id}' changed since it was uploaded ({', '.join(changed)} holds other "
                           "content now)", "Upload it again: changed content is a new video with a new video_id.")
        if outside:
            raise outside_error(outside[0], self.config)
        raise NotFound(f"The file of '{video_id}' is gone ({row['path']})", "Upload it again from its new place.")

    def still_same(self, path: Path, ident: Identity) -> None:
        """After work on ``path``: it must still be the version that was checked."""
        if identity(path) != ident:
            raise InvalidInput(f"'{path.name}' changed while it was being analysed",
                               "Wait until the file is completely written, then extract again.")


def _extension(name: str, content_type: str | None) -> str:
    ext = os.path.splitext(name)[1].lower().lstrip(".")
    if ext in SUPPORTED_EXTENSIONS:
        return "jpg" if ext == "jpeg" else ext
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind in CONTENT_TYPES:
        return CONTENT_TYPES[kind]
    raise InvalidInput(f"The URL's file '{name}' is not a supported media type ({kind or 'no content type'})",
                       "Pass a URL ending in .mp4, .mov, .webm, .mkv, .mp3, .png... (or served as video/*, audio/*, image/*).")

