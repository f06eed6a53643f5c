"""Bounded state on disk: reports, keyframes and downloads within ``VIDEO_JSON_CACHE_MB``, finished
jobs pruned by age and count.

The least recently used reports go first (with their keyframes); downloads (URL sources) only
when no report is left to drop. A report being served is never the one dropped: the newest stays.
"""

from __future__ import annotations

import logging
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

from video_json_ai.core.store import Store

log = logging.getLogger(__name__)
MB = 1024 * 1024
KEEP_JOBS = 1000
JOB_DAYS = 30


def tree_bytes(path: Path) -> int:
    """Bytes of a file, or of every file under a folder."""
    if path.is_file():
        return path.stat().st_size
    if not path.is_dir():
        return 0
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def keyframes_dir_of(report: Path) -> Path:
    """``report-<key>.json`` keeps its keyframes in ``keyframes-<key>`` beside it."""
    return report.with_name(report.stem.replace("report-", "keyframes-", 1))


def report_bytes(report: Path) -> int:
    return tree_bytes(report) + tree_bytes(keyframes_dir_of(report))


def prune_cache(store: Store, downloads: Path, limit_mb: int) -> int:
    """Drop least recently used reports (then the oldest downloads) until the cache fits; bytes freed."""
    limit = limit_mb * MB
    reports = store.reports_by_use()
    download_files = sorted((p for p in downloads.glob("*") if p.is_file()), key=lambda p: p.stat().st_mtime) \
        if downloads.is_dir() else []
    total = sum(b for _, _, b in reports) + sum(p.stat().st_size for p in download_files)
    freed = 0
    for key, path, size in reports[:-1]:  # the newest report stays: it is the one just made or used
        if total <= limit:
            return freed
        report = Path(path)
        report.unlink(missing_ok=True)
        shutil.rmtree(keyframes_dir_of(report), ignore_errors=True)
        store.drop_report(key)
        total -= size
        freed += size
    for file in download_files:
        if total <= limit:
            break
        size = file.stat().st_size
        file.unlink(missing_ok=True)
        total -= size
        freed += size
    if freed:
        log.info("cache over %d MB: freed %.1f MB", limit_mb, freed / MB)
    return freed


def prune_jobs(store: Store, keep: int = KEEP_JOBS, days: int = JOB_DAYS) -> int:
    """Forget finished jobs beyond the newest ``keep`` or older than ``days``."""
    cutoff = (datetime.now(timezone.utc) - timedelta(days=days)).isoformat(timespec="seconds")
    return store.prune_jobs(keep, cutoff)
