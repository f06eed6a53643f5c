"""A batch over many videos: one index row per video, and the run's summary."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from video_json_ai.models.common import Model

RowStatus = Literal["done", "failed"]
EngineName = Literal["local", "ray"]


class IndexRow(Model):
    """One video of a batch, as ``index.jsonl`` and ``index.csv`` hold it (the newest row of a source wins)."""

    source: str = Field(description="The video's absolute path or URL, as the batch read it.")
    status: RowStatus
    video_id: str | None = Field(default=None, description="Content id: pass to extract_json(video_id).")
    sha256: str | None = Field(default=None, description="Content hash of the file.")
    error: str | None = Field(default=None, description="Why the video failed (status 'failed').")
    duration_s: float | None = None
    scene_count: int | None = None
    loudness_lufs: float | None = Field(default=None, description="EBU R128 integrated loudness.")
    speech_share: float | None = Field(default=None, description="Share of the audio with speech, 0..1.")
    report: str | None = Field(default=None, description="The report's file name inside the batch folder.")
    cache_key: str | None = Field(default=None, description="Content hash + options: the report cache key.")
    options_key: str = Field(description="The options part of cache_key.")
    size_bytes: int | None = None
    mtime_ns: int | None = Field(default=None, description="The file's modification time when it was hashed.")
    elapsed_s: float | None = Field(default=None, description="Wall time spent on this video, seconds.")
    finished_at: str


CSV_COLUMNS: tuple[str, ...] = tuple(IndexRow.model_fields)


class BatchSummary(Model):
    """What a batch run did."""

    out_dir: str
    index_path: str
    csv_path: str
    engine: EngineName
    workers: int
    total: int = Field(description="Videos in the set.")
    done: int = Field(description="Videos analysed by this run.")
    skipped: int = Field(description="Videos whose report already existed for the same content and options.")
    failed: int = Field(description="Videos that failed in this run.")
    failed_earlier: int = Field(default=0, description="Videos left alone because an earlier run failed on "
                                "them; retry them with retry_failed / --retry-failed.")
    media_hours: float = Field(description="Media analysed by this run, hours.")
    set_media_hours: float = Field(description="Media of all the set's reports, hours.")
    wall_s: float
    media_hours_per_hour: float | None = Field(default=None, description="Throughput: media hours per wall hour.")
