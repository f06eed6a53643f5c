"""The one atomic writer: never over an existing file or link, into the folder that was checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from video_json_ai.errors import InvalidInput
from video_json_ai.util.atomic import atomic_path, publish, temp_beside, write_text_atomic


def test_publish_never_replaces_a_file_or_a_dangling_link(tmp_path: Path) -> None:
    final = tmp_path / "out.mp4"
    final.write_bytes(b"keep")
    tmp = temp_beside(final)
    tmp.write_bytes(b"new")
    with pytest.raises(InvalidInput, match="never overwritten"):
        publish(tmp, final)
    assert final.read_bytes() == b"keep"
    link = tmp_path / "link.mp4"
    link.symlink_to(tmp_path / "nowhere.mp4")
    with pytest.raises(InvalidInput, match="never overwritten"):
        publish(tmp, link)
    assert not (tmp_path / "nowhere.mp4").exists()


def test_publish_refuses_a_folder_swapped_for_a_link(tmp_path: Path) -> None:
    folder = tmp_path / "renders"
    folder.mkdir()
    final = folder / "a.mp4"
    tmp = temp_beside(final)
    tmp.write_bytes(b"x")
    other = tmp_path / "other"
    other.mkdir()
    folder.rename(tmp_path / "moved")
    folder.symlink_to(other)
    with pytest.raises(InvalidInput, match="folder"):
        publish(tmp_path / "renders" / tmp.name, final)
    assert not (other / "a.mp4").exists()


def test_a_failed_block_leaves_nothing(tmp_path: Path) -> None:
    final = tmp_path / "r.json"
    with pytest.raises(RuntimeError):
        with atomic_path(final, overwrite=False) as tmp:
            tmp.write_text("half")
            raise RuntimeError("killed")
    assert list(tmp_path.iterdir()) == []
    write_text_atomic(final, "one")
    write_text_atomic(final, "two")  # our own files may be replaced
    assert final.read_text() == "two"
    with pytest.raises(InvalidInput):
        write_text_atomic(final, "three", overwrite=False)
    assert final.read_text() == "two" and [p.name for p in tmp_path.iterdir()] == ["r.json"]
