"""The batch index: ``index.jsonl`` grows by one synced line per finished video; ``index.csv`` is
written whole at the end.

A run killed at any moment leaves at most one partial last line; reading drops it (and trims it
from the file before the next append), and the newest row of a source wins, so the index read back
never holds a source twice. At the end of a run the file is rewritten (atomically) with one line per
source.
"""

from __future__ import annotations

import csv
import io
import logging
import os
from pathlib import Path

from pydantic import ValidationError

from video_json_ai.batch.naming import INDEX_CSV, INDEX_JSONL
from video_json_ai.models.batch import CSV_COLUMNS, IndexRow
from video_json_ai.util.atomic import write_text_atomic

log = logging.getLogger(__name__)


class BatchIndex:
    """The rows of one batch folder, newest per source, and the appending writer."""

    def __init__(self, out_dir: Path) -> None:
        self.path = out_dir / INDEX_JSONL
        self.csv_path = out_dir / INDEX_CSV
        self.rows: dict[str, IndexRow] = {}
        self._lines = 0
        self._fd: int | None = None

    def load(self) -> dict[str, IndexRow]:
        """Read the file back; a partial last line (a kill mid-write) is dropped and cut off."""
        self.rows, self._lines = {}, 0
        if not self.path.is_file():
            return self.rows
        data = self.path.read_bytes()
        complete = data[: data.rfind(b"\n") + 1]
        for number, line in enumerate(complete.splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = IndexRow.model_validate_json(line)
            except ValidationError:
                log.warning("%s line %d is not an index row; ignored", self.path, number)
                continue
            self.rows[row.source] = row
            self._lines += 1
        if len(complete) < len(data):
            log.warning("%s ended in a partial line (an interrupted run); dropped it", self.path)
            os.truncate(self.path, len(complete))
        return self.rows

    def append(self, row: IndexRow) -> None:
        """Add one row and sync it to disk before returning."""
        if self._fd is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.write(self._fd, (row.model_dump_json() + "\n").encode("utf-8"))
        os.fsync(self._fd)
        self.rows[row.source] = row
        self._lines += 1

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def finish(self) -> None:
        """One line per source in ``index.jsonl``, and ``index.csv`` of the same rows (both atomic)."""
        self.close()
        if self._lines != len(self.rows):
            write_text_atomic(self.path, "".join(r.model_dump_json() + "\n" for r in self.rows.values()))
            self._lines = len(self.rows)
        write_text_atomic(self.csv_path, rows_csv(list(self.rows.values())))


def rows_csv(rows: list[IndexRow]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(CSV_COLUMNS), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if v is None else v) for k, v in row.model_dump(mode="json").items()})
    return buffer.getvalue()
