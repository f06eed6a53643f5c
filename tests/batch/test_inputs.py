"""Turning inputs into sources: folders, manifests, URLs; output names that cannot collide."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.batch.conftest import CLIP_COUNT
from video_json_ai.batch.inputs import expand_inputs
from video_json_ai.batch.naming import report_name
from video_json_ai.errors import InvalidInput, NotFound


def test_a_folder_yields_its_media_recursively_without_hidden_or_other_files(library: Path) -> None:
    sources = expand_inputs([str(library)])
    assert len(sources) == CLIP_COUNT
    assert all(Path(s).is_absolute() for s in sources)
    names = [Path(s).relative_to(library).as_posix() for s in sources]
    assert "deep/x/y/c06.mkv" in names and "c07.mov" in names
    assert not any(n.startswith(".") or "/." in n or n.endswith((".txt", ".xyz")) for n in names)
    assert expand_inputs([str(library), str(library / "c00.mp4")]) == sources  # each source once


def test_text_manifest_with_comments_relative_paths_folders_and_urls(library: Path, tmp_path: Path) -> None:
    manifest = tmp_path / "list.txt"
    manifest.write_text(f"# campaign\n\n{library / 'c01.mp4'}\n  {library / 'sub'}  \nhttps://cdn.example/v/ad%201.mp4\n"
                        f"{Path('..') / 'nowhere.mp4'}\n")
    sources = expand_inputs([str(manifest)])
    assert sources[0] == str(library / "c01.mp4")
    assert sources[1:3] == [str(library / "sub" / "a" / "intro.mp4"), str(library / "sub" / "b" / "intro.mp4")]
    assert sources[3] == "https://cdn.example/v/ad%201.mp4"
    assert sources[4] == str(tmp_path.parent / "nowhere.mp4")  # kept: a cluster's worker may see it


def test_bad_inputs_say_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="No file or folder"):
        expand_inputs([str(tmp_path / "missing")])
    (tmp_path / "table.xlsx").write_bytes(b"PK")
    with pytest.raises(InvalidInput, match="neither a supported media file nor a manifest"):
        expand_inputs([str(tmp_path / "table.xlsx")])
    (tmp_path / "m.csv").write_text("path,title\n/a.mp4,x\n")
    with pytest.raises(InvalidInput, match="no 'source' column"):
        expand_inputs([str(tmp_path / "m.csv")])


def test_same_stem_different_content_never_share_a_name() -> None:
    a = report_name("/lib/a/intro.mp4", "1" * 64)
    b = report_name("/lib/b/intro.mp4", "2" * 64)
    assert a != b and a.startswith("intro-") and b.startswith("intro-")
    assert report_name("https://x.example/p/My%20Ad (final).mov?sig=1", "3" * 64) == "My_Ad_final-333333333333.json"
