"""The index file: appended and synced, read back whole after a kill mid-line, one row per source."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from video_json_ai.batch.index import BatchIndex
from video_json_ai.models.batch import CSV_COLUMNS, IndexRow


def row(source: str, status: str = "done", **fields: object) -> IndexRow:
    return IndexRow(source=source, status=status, options_key="k", finished_at="2026-01-01T00:00:00+00:00",
                    **fields)  # type: ignore[arg-type]


def test_rows_survive_a_partial_last_line_and_the_next_append_starts_clean(tmp_path: Path) -> None:
    index = BatchIndex(tmp_path)
    index.append(row("/a.mp4", scene_count=3))
    index.append(row("/b.mp4", status="failed", error="broken"))
    index.close()
    whole = index.path.read_bytes()
    index.path.write_bytes(whole + row("/c.mp4").model_dump_json().encode()[:40])  # SIGKILL mid-write

    again = BatchIndex(tmp_path)
    assert list(again.load()) == ["/a.mp4", "/b.mp4"]
    assert index.path.read_bytes() == whole  # the partial line is cut before anything is appended
    again.append(row("/c.mp4"))
    again.close()
    assert list(BatchIndex(tmp_path).load()) == ["/a.mp4", "/b.mp4", "/c.mp4"]


def test_newest_row_of_a_source_wins_and_finish_leaves_one_line_each(tmp_path: Path) -> None:
    index = BatchIndex(tmp_path)
    index.append(row("/a.mp4", status="failed", error="first try"))
    index.append(row("/b.mp4"))
    index.append(row("/a.mp4", scene_count=2))  # retried
    index.close()
    assert BatchIndex(tmp_path).load()["/a.mp4"].status == "done"
    assert index.path.read_text().count("\n") == 3
    index.finish()
    lines = index.path.read_text().splitlines()
    assert len(lines) == 2 and IndexRow.model_validate_json(lines[0]).scene_count == 2
    table = list(csv.DictReader(io.StringIO(index.csv_path.read_text())))
    assert [r["source"] for r in table] == ["/a.mp4", "/b.mp4"]
    assert tuple(table[0]) == CSV_COLUMNS and table[0]["scene_count"] == "2" and table[0]["error"] == ""


def test_a_line_that_is_not_a_row_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "index.jsonl").write_text(row("/a.mp4").model_dump_json() + "\n{\"source\": 3}\nnot json\n")
    assert list(BatchIndex(tmp_path).load()) == ["/a.mp4"]
