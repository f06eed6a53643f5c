"""The state store: videos, jobs, reports, exports and settings in SQLite.

One file under the data directory (``VIDEO_JSON_HOME``), mode 0600 (it may hold a cloud token).
SQLite's journal makes every write atomic: a crash mid-write loses nothing already committed.
Connections are per call so worker threads can use the store safely.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from video_json_ai.util.time import utc_now

SCHEMA = """
CREATE TABLE IF NOT EXISTS kv (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    expires_at TEXT
);
CREATE TABLE IF NOT EXISTS videos (
    video_id TEXT NOT NULL,
    session_id TEXT NOT NULL,
    file_name TEXT NOT NULL,
    path TEXT,
    size_bytes INTEGER,
    sha256 TEXT,
    summary_json TEXT,
    uploaded_at TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (session_id, video_id)
);
CREATE TABLE IF NOT EXISTS reports (
    cache_key TEXT PRIMARY KEY,
    video_id TEXT NOT NULL,
    path TEXT NOT NULL,
    has_scenes INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS jobs (
    job_id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    info_json TEXT NOT NULL,
    result_json TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS exports (
    export_id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    info_json TEXT NOT NULL,
    created_at TEXT NOT NULL
);
"""


class Store:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
            os.close(fd)
        os.chmod(path, 0o600)
        with self._connect() as db:
            db.executescript(SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            db = sqlite3.connect(self.path, timeout=30)
            try:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=FULL")
                with db:  # one transaction: committed whole or not at all
                    yield db
            finally:
                db.close()

    # -- key/value settings (client id, session id, tokens) --------------------------------
    def get_value(self, key: str) -> str | None:
        """The value, or None when missing or expired."""
        with self._connect() as db:
            row = db.execute("SELECT value, expires_at FROM kv WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        value, expires_at = row
        if expires_at and expires_at <= utc_now():
            return None
        return value

    def set_value(self, key: str, value: str, *, expires_at: str | None = None) -> None:
        with self._connect() as db:
            db.execute(
                "INSERT INTO kv(key, value, expires_at) VALUES(?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at",
                (key, value, expires_at),
            )

    def delete_value(self, key: str) -> None:
        with self._connect() as db:
            db.execute("DELETE FROM kv WHERE key = ?", (key,))

    # -- videos ----------------------------------------------------------------------------
    def add_video(self, session_id: str, row: dict[str, Any]) -> bool:
        """Register a video in the session; False when it was there already."""
        with self._connect() as db:
            exists = db.execute(
                "SELECT 1 FROM videos WHERE session_id = ? AND video_id = ?", (session_id, row["video_id"])
            ).fetchone()
            if exists:
                db.execute(
                    "UPDATE videos SET path = ?, file_name = ? WHERE session_id = ? AND video_id = ?",
                    (row.get("path"), row["file_name"], session_id, row["video_id"]),
                )
                return False
            position = db.execute(
                "SELECT COALESCE(MAX(position), -1) + 1 FROM videos WHERE session_id = ?", (session_id,)
            ).fetchone()[0]
            db.execute(
                "INSERT INTO videos(video_id, session_id, file_name, path, size_bytes, sha256, summary_json, "
                "uploaded_at, position) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    row["video_id"],
                    session_id,
                    row["file_name"],
                    row.get("path"),
                    row.get("size_bytes"),
                    row.get("sha256"),
                    json.dumps(row.get("summary")) if row.get("summary") is not None else None,
                    row.get("uploaded_at") or utc_now(),
                    position,
                ),
            )
            return True

    def videos(self, session_id: str) -> list[dict[str, Any]]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT video_id, file_name, path, size_bytes, sha256, summary_json, uploaded_at FROM videos "
                "WHERE session_id = ? ORDER BY position",
                (session_id,),
            ).fetchall()
        keys = ("video_id", "file_name", "path", "size_bytes", "sha256", "summary", "uploaded_at")
        out = []
        for r in rows:
            d = dict(zip(keys, r))
            d["summary"] = json.loads(d["summary"]) if d["summary"] else None
            out.append(d)
        return out

    def video(self, session_id: str, video_id: str) -> dict[str, Any] | None:
        return next((v for v in self.videos(session_id) if v["video_id"] == video_id), None)

    # -- reports cache ---------------------------------------------------------------------
    def report_path(self, cache_key: str) -> Path | None:
        with self._connect() as db:
            row = db.execute("SELECT path FROM reports WHERE cache_key = ?", (cache_key,)).fetchone()
        if row and Path(row[0]).is_file():
            return Path(row[0])
        return None

    def latest_report(self, video_id: str, *, with_scenes: bool = False) -> Path | None:
        """The newest report written for a video (optionally: the newest that has scenes)."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT path, has_scenes FROM reports WHERE video_id = ? ORDER BY created_at DESC, rowid DESC",
                (video_id,),
            ).fetchall()
        return next((Path(p) for p, scenes in rows if Path(p).is_file() and (scenes or not with_scenes)), None)

    def put_report(self, cache_key: str, video_id: str, path: Path, *, has_scenes: bool = False) -> None:
        with self._connect() as db:
            db.execute(
                "INSERT OR REPLACE INTO reports(cache_key, video_id, path, has_scenes, created_at) VALUES(?, ?, ?, ?, ?)",
                (cache_key, video_id, str(path), int(has_scenes), utc_now()),
            )

    # -- jobs ------------------------------------------------------------------------------
    def save_job(self, session_id: str, job_id: str, info: dict[str, Any], result: Any | None) -> None:
        with self._connect() as db:
            db.execute(
                "INSERT INTO jobs(job_id, session_id, info_json, result_json, created_at) VALUES(?, ?, ?, ?, ?) "
                "ON CONFLICT(job_id) DO UPDATE SET info_json = excluded.info_json, result_json = excluded.result_json",
                (job_id, session_id, json.dumps(info), json.dumps(result) if result is not None else None, utc_now()),
            )

    def jobs(self, session_id: str, limit: int = 50) -> list[tuple[dict[str, Any], Any | None]]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT info_json, result_json FROM jobs WHERE session_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?",
                (session_id, limit),
            ).fetchall()
        return [(json.loads(i), json.loads(r) if r else None) for i, r in rows]

    def job(self, job_id: str) -> tuple[dict[str, Any], Any | None] | None:
        with self._connect() as db:
            row = db.execute("SELECT info_json, result_json FROM jobs WHERE job_id = ?", (job_id,)).fetchone()
        return (json.loads(row[0]), json.loads(row[1]) if row[1] else None) if row else None

    # -- exports ---------------------------------------------------------------------------
    def add_export(self, session_id: str, export_id: str, info: dict[str, Any]) -> None:
        with self._connect() as db:
            db.execute(
                "INSERT OR REPLACE INTO exports(export_id, session_id, info_json, created_at) VALUES(?, ?, ?, ?)",
                (export_id, session_id, json.dumps(info), utc_now()),
            )

    def exports(self, session_id: str) -> list[dict[str, Any]]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT info_json FROM exports WHERE session_id = ? ORDER BY created_at, rowid", (session_id,)
            ).fetchall()
        return [json.loads(r[0]) for r in rows]
