"""Checking a user's path before it is read: no variables, links resolved, roots, kinds, sizes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from video_json_ai.config import Config
from video_json_ai.core.sources import check_local_video, hash_file, user_path
from video_json_ai.errors import InvalidInput, NotFound


def _root(config: Config) -> Path:
    return config.allowed_dirs[0]


def test_only_tilde_is_expanded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("SECRET_TOKEN", "sk-live-123")
    assert user_path("~/a.mp4") == tmp_path / "a.mp4"
    for text in ("$SECRET_TOKEN", "${SECRET_TOKEN}", "%SECRET_TOKEN%"):
        assert "sk-live" not in str(user_path(text)) and text in str(user_path(text))


def test_a_file_inside_the_root_passes(config: Config) -> None:
    clip = _root(config) / "a.mp4"
    clip.write_bytes(b"x" * 10)
    assert check_local_video(str(clip), config) == clip


def test_outside_the_roots_is_refused_naming_the_roots(config: Config, tmp_path: Path) -> None:
    outside = tmp_path / "b.mp4"
    outside.write_bytes(b"x")
    with pytest.raises(InvalidInput, match="outside the directories this server may read") as err:
        check_local_video(str(outside), config)
    assert str(_root(config)) in err.value.fix and "VIDEO_JSON_ALLOWED_DIRS" in err.value.fix


def test_a_link_inside_a_root_pointing_out_is_refused(config: Config, tmp_path: Path) -> None:
    target = tmp_path / "secret.mp4"
    target.write_bytes(b"x")
    link = _root(config) / "innocent.mp4"
    link.symlink_to(target)
    with pytest.raises(InvalidInput, match="outside"):
        check_local_video(str(link), config)
    inner = _root(config) / "real.mp4"
    inner.write_bytes(b"y")
    (_root(config) / "alias.mp4").symlink_to(inner)
    assert check_local_video(str(_root(config) / "alias.mp4"), config) == inner


def test_dot_dot_cannot_climb_out(config: Config) -> None:
    with pytest.raises(InvalidInput, match="outside"):
        check_local_video(str(_root(config) / ".." / ".." / "etc" / "passwd.mp4"), config)


def test_kinds_and_sizes(config: Config) -> None:
    root = _root(config)
    (root / "empty.mp4").write_bytes(b"")
    (root / "notes.txt").write_text("hi")
    (root / "dir.mp4").mkdir()
    os.mkfifo(root / "fifo.mp4")
    cases = [("", "No file was given"), (str(root / "nope.mp4"), "No file at"), (str(root / "empty.mp4"), "empty"),
             (str(root / "notes.txt"), "unsupported format"), (str(root / "dir.mp4"), "is a directory"),
             (str(root / "fifo.mp4"), "not a plain file"), ("a\0b.mp4", "NUL")]
    for source, words in cases:
        with pytest.raises((InvalidInput, NotFound), match=words):
            check_local_video(source, config)


def test_protocol_names_are_plain_paths(config: Config) -> None:
    for source in ("concat:/etc/passwd|/etc/hosts", "pipe:0", "file:/etc/passwd", "http:evil.mp4", "-"):
        with pytest.raises((InvalidInput, NotFound)) as err:
            check_local_video(source, config)
        assert "outside" in str(err.value) or "No file" in str(err.value)


def test_hash_notes_the_identity_of_what_it_read(config: Config) -> None:
    clip = _root(config) / "a.mp4"
    clip.write_bytes(b"abc")
    digest, ident = hash_file(clip)
    assert digest == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert ident.size == 3 and ident.inode == clip.stat().st_ino


def test_a_link_swapped_in_after_the_check_is_caught_at_open(config: Config, tmp_path: Path) -> None:
    root = _root(config)
    sub = root / "sub"
    sub.mkdir()
    clip = sub / "a.mp4"
    clip.write_bytes(b"abc")
    checked = check_local_video(str(clip), config)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "a.mp4").write_bytes(b"secret")
    sub.rename(root / "old")
    sub.symlink_to(elsewhere)
    with pytest.raises(InvalidInput, match="another file"):
        hash_file(checked)
    clip2 = root / "b.mp4"
    clip2.write_bytes(b"x")
    checked2 = check_local_video(str(clip2), config)
    clip2.unlink()
    clip2.symlink_to(elsewhere / "a.mp4")
    with pytest.raises(InvalidInput, match="link"):
        hash_file(checked2)
