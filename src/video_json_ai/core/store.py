"""The state store: videos, jobs, reports, exports and settings in SQLite.

One file under the data directory (``VIDEO_JSON_HOME``), mode 0600 (it may hold a cloud token).
A video keeps every path its content was seen at (``video_paths``, with each file's identity then),
so a moved or deleted copy leaves the others usable and a changed file is noticed.
SQLite's journal makes every write atomic: a crash mid-write loses nothing already committed.
One connection, shared by the threads under a lock.
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
from video_json_ai.core.redact import REDACTOR, SECRET_WORDS

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
CREATE TABLE IF NOT EXISTS video_paths (
    session_id TEXT NOT NULL,
    video_id TEXT NOT NULL,
    path TEXT NOT NULL,
    size_bytes INTEGER,
    mtime_ns INTEGER,
    inode INTEGER,
    device INTEGER,
    seen_at TEXT NOT NULL,
    PRIMARY KEY (session_id, video_id, path)
);
CREATE TABLE IF NOT EXISTS exports (
    export_id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    info_json TEXT NOT NULL,
    created_at TEXT NOT NULL
);
"""
COLUMNS = {"reports": {"bytes": "INTEGER NOT NULL DEFAULT 0", "used_at": "TEXT"},
           "jobs": {"status": "TEXT", "owner_pid": "INTEGER"}}
"""Columns added since the first schema: added to an older database when it is opened."""
FINISHED = ("completed", "failed", "cancelled", "interrupted")


def _note_secret(key: str, value: str) -> None:
    """A token read from or saved to the store is never let out (core/redact.py)."""
    if any(word in key.upper() for word in SECRET_WORDS):
        REDACTOR.add(value)


class Store:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
            os.close(fd)
        os.chmod(path, 0o600)
        with self._connect() as db:
            db.executescript(SCHEMA)
            for table, columns in COLUMNS.items():
                have = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
                for name, kind in columns.items():
                    if name not in have:
                        db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """The store's one connection, for one transaction (committed whole or not at all).

        WAL with synchronous=NORMAL: a killed process loses nothing committed and never leaves a
        half write; only a power cut may drop the last commits. One connection, opened once, keeps
        a write to a couple of milliseconds (get_state stays fast under load)."""
        with self._lock:
            if self._db is None:
                self._db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
            with self._db:
                yield self._db

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

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
        _note_secret(key, value)
        return value

    def set_value(self, key: str, value: str, *, expires_at: str | None = None) -> None:
        _note_secret(key, value)
        with self._connect() as db:
            db.execute(
                "INSERT INTO kv(key, value, expires_at) VALUES(?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at",
                (key, value, expires_at),
            )

    def delete_value(self, key: str) -> None:
        with self._connect() as db:
            db.execute("DELETE FROM kv WHERE key = ?", (key,))

    # -- videos and the paths their content was seen at ------------------------------------------
    def add_video(self, session_id: str, row: dict[str, Any]) -> bool:
        """Register a video in the session (and the path it was seen at, with that file's identity
        ``row["identity"]``: size, mtime_ns, inode, device); False when it was there already."""
        with self._connect() as db:
            exists = db.execute(
                "SELECT 1 FROM videos WHERE session_id = ? AND video_id = ?", (session_id, row["video_id"])
            ).fetchone()
            if exists:
                db.execute(
                    "UPDATE videos SET path = ?, file_name = ? WHERE session_id = ? AND video_id = ?",
                    (row.get("path"), row["file_name"], session_id, row["video_id"]),
                )
            else:
                position = db.execute(
                    "SELECT COALESCE(MAX(position), -1) + 1 FROM videos WHERE session_id = ?", (session_id,)
                ).fetchone()[0]
                db.execute(
                    "INSERT INTO videos(video_id, session_id, file_name, path, size_bytes, sha256, summary_json, "
                    "uploaded_at, position) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (row["video_id"], session_id, row["file_name"], row.get("path"), row.get("size_bytes"),
                     row.get("sha256"), json.dumps(row.get("summary")) if row.get("summary") is not None else None,
                     row.get("uploaded_at") or utc_now(), position),
                )
            if row.get("path") and row.get("identity") is not None:
                self._put_path(db, session_id, row["video_id"], row["path"], row["identity"])
            return not exists

    @staticmethod
    def _put_path(db: sqlite3.Connection, session_id: str, video_id: str, path: str, identity: Any) -> None:
        size, mtime_ns, inode, device = identity
        db.execute(
            "INSERT INTO video_paths(session_id, video_id, path, size_bytes, mtime_ns, inode, device, seen_at) "
            "VALUES(?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(session_id, video_id, path) DO UPDATE SET "
            "size_bytes = excluded.size_bytes, mtime_ns = excluded.mtime_ns, inode = excluded.inode, "
            "device = excluded.device, seen_at = excluded.seen_at",
            (session_id, video_id, path, size, mtime_ns, inode, device, utc_now()),
        )

    def put_video_path(self, session_id: str, video_id: str, path: str, identity: Any) -> None:
        with self._connect() as db:
            self._put_path(db, session_id, video_id, path, identity)

    def drop_video_path(self, session_id: str, video_id: str, path: str) -> None:
        with self._connect() as db:
            db.execute("DELETE FROM video_paths WHERE session_id = ? AND video_id = ? AND path = ?",
                       (session_id, video_id, path))

    def video_paths(self, session_id: str, video_id: str) -> list[tuple[str, tuple[int, int, int, int]]]:
        """Every path the video's content was seen at, newest first, with that file's identity then."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT path, size_bytes, mtime_ns, inode, device FROM video_paths WHERE session_id = ? AND "
                "video_id = ? ORDER BY seen_at DESC, rowid DESC", (session_id, video_id)).fetchall()
        return [(r[0], (r[1], r[2], r[3], r[4])) for r in rows]

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
        """The cached report's file (its use noted, for the cache's least-recently-used order)."""
        with self._connect() as db:
            row = db.execute("SELECT path FROM reports WHERE cache_key = ?", (cache_key,)).fetchone()
            if row:
                db.execute("UPDATE reports SET used_at = ? WHERE cache_key = ?", (utc_now(), cache_key))
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

    def put_report(self, cache_key: str, video_id: str, path: Path, *, has_scenes: bool = False,
                   size_bytes: int = 0) -> None:
        now = utc_now()
        with self._connect() as db:
            db.execute(
                "INSERT OR REPLACE INTO reports(cache_key, video_id, path, has_scenes, created_at, bytes, used_at) "
                "VALUES(?, ?, ?, ?, ?, ?, ?)",
                (cache_key, video_id, str(path), int(has_scenes), now, size_bytes, now),
            )

    def reports_by_use(self) -> list[tuple[str, str, int]]:
        """(cache key, report path, bytes) of every cached report, least recently used first."""
        with self._connect() as db:
            rows = db.execute("SELECT cache_key, path, bytes FROM reports "
                              "ORDER BY COALESCE(used_at, created_at), rowid").fetchall()
        return [(k, p, int(b or 0)) for k, p, b in rows]

    def drop_report(self, cache_key: str) -> None:
        with self._connect() as db:
            db.execute("DELETE FROM reports WHERE cache_key = ?", (cache_key,))

    # -- jobs ------------------------------------------------------------------------------
    def save_job(self, session_id: str, job_id: str, info: dict[str, Any], result: Any | None) -> None:
        with self._connect() as db:
            db.execute(
                "INSERT INTO jobs(job_id, session_id, info_json, result_json, created_at, status, owner_pid) "
                "VALUES(?, ?, ?, ?, ?, ?, ?) ON CONFLICT(job_id) DO UPDATE SET info_json = excluded.info_json, "
                "result_json = excluded.result_json, status = excluded.status",
                (job_id, session_id, json.dumps(info), json.dumps(result) if result is not None else None, utc_now(),
                 info.get("status"), os.getpid()),
            )

    def mark_job(self, job_id: str, info: dict[str, Any]) -> None:
        """Replace a saved job's status line (its result, session and owner stay)."""
        with self._connect() as db:
            db.execute("UPDATE jobs SET info_json = ?, status = ? WHERE job_id = ?",
                       (json.dumps(info), info.get("status"), job_id))

    def job_infos(self, session_id: str, limit: int = 50) -> list[dict[str, Any]]:
        """The newest jobs' status lines; their results are not read."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT info_json, owner_pid FROM jobs WHERE session_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?",
                (session_id, limit),
            ).fetchall()
        return [{**json.loads(i), "owner_pid": pid} for i, pid in rows]

    def job(self, job_id: str) -> tuple[dict[str, Any], Any | None] | None:
        with self._connect() as db:
            row = db.execute("SELECT info_json, result_json, owner_pid FROM jobs WHERE job_id = ?", (job_id,)).fetchone()
        return ({**json.loads(row[0]), "owner_pid": row[2]}, json.loads(row[1]) if row[1] else None) if row else None

    def running_jobs(self) -> list[tuple[str, dict[str, Any], int | None]]:
        """(job id, info, owner pid) of jobs saved as running, by any process."""
        with self._connect() as db:
            rows = db.execute("SELECT job_id, info_json, owner_pid FROM jobs WHERE "
                              "COALESCE(status, json_extract(info_json, '$.status')) = 'running'").fetchall()
        return [(j, json.loads(i), pid) for j, i, pid in rows]

    def prune_jobs(self, keep: int, older_than: str) -> int:
        """Forget finished jobs beyond the newest ``keep`` and those created before ``older_than``."""
        marks = ",".join("?" * len(FINISHED))
        with self._connect() as db:
            cur = db.execute(
                f"DELETE FROM jobs WHERE COALESCE(status, json_extract(info_json, '$.status')) IN ({marks}) AND "
                f"(created_at < ? OR job_id NOT IN (SELECT job_id FROM jobs ORDER BY created_at DESC, rowid DESC LIMIT ?))",
                (*FINISHED, older_than, keep))
            return cur.rowcount

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
