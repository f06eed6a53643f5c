"""The one output rule of both backends."""

from __future__ import annotations

from pathlib import Path

import pytest

from video_json_ai.backends.outputs import output_target
from video_json_ai.config import Config
from video_json_ai.errors import InvalidInput


def test_explicit_paths(config: Config, tmp_path: Path) -> None:
    root = config.allowed_dirs[0]
    assert output_target(str(root / "cut"), "mp4", config, "x") == root / "cut.mp4"
    assert output_target(str(root / "cut.MP4"), "mp4", config, "x") == root / "cut.MP4"
    assert output_target(str(root / "cut.notes"), "wav", config, "x") == root / "cut.notes.wav"
    (tmp_path / "elsewhere").mkdir()
    (root / "link").symlink_to(tmp_path / "elsewhere")
    (root / "taken.mp4").write_bytes(b"x")
    (root / "dangling.mp4").symlink_to(tmp_path / "nothing.mp4")
    cases = [
        (str(tmp_path / "out.mp4"), "outside the directories this server may write"),
        ("/etc/evil.mp4", "outside"),
        (str(root / "link" / "out.mp4"), "outside"),
        (str(root / "taken.mp4"), "never overwritten"),
        (str(root / "dangling.mp4"), "is a link"),
        (str(root / "no" / "x.mp4"), "does not exist"),
        (str(root / "teaser.mov"), "ends in .mov, but the format is mp4"),
        (str(root / ".hidden.mp4"), "not a usable file name"),
        ("$HOME/out.mp4", "outside"),
    ]
    for requested, words in cases:
        with pytest.raises(InvalidInput, match=words):
            output_target(requested, "mp4", config, "x")


def test_default_names_are_free_and_in_the_output_folder(config: Config) -> None:
    first = output_target(None, "mp4", config, "demo_high.mp4")
    assert first == (config.output_dir / "renders" / "demo_high.mp4").resolve()
    first.write_bytes(b"x")
    second = output_target(None, "mp4", config, "demo_high.mp4", busy={first.with_name("demo_high-2.mp4")})
    assert second.name == "demo_high-3.mp4"
    with pytest.raises(InvalidInput, match="Unsupported format"):
        output_target(None, "avi", config, "x")
