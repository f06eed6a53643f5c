"""The allowed roots: where they come from, and the folders never allowed by default."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from video_json_ai.config import Config
from video_json_ai.core.roots import ClientRootsCache, Roots, client_roots_scope, current, refusal, roots_from_uris
from video_json_ai.errors import InvalidInput


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"HOME": str(tmp_path), "VIDEO_JSON_HOME": str(tmp_path / "data"), **extra}


def test_default_is_home_only_never_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir("/")
    config = Config.from_env(_env(tmp_path))
    assert config.allowed_dirs == (tmp_path.resolve(),) and config.roots_origin == "home directory"
    assert not config.roots.contains(Path("/var/tmp/clip.mp4"))


@pytest.mark.parametrize("bad", ["/", "/etc", "/usr/share", "/var", "/tmp", "/home", "/proc/self"])
def test_system_folders_refuse_to_start(tmp_path: Path, bad: str) -> None:
    with pytest.raises(InvalidInput, match="cannot be a folder this server reads") as err:
        Config.from_env(_env(tmp_path, VIDEO_JSON_ALLOWED_DIRS=bad))
    assert "VIDEO_JSON_ALLOW_ANY_DIR" in err.value.fix
    config = Config.from_env(_env(tmp_path, VIDEO_JSON_ALLOWED_DIRS=bad, VIDEO_JSON_ALLOW_ANY_DIR="1"))
    assert config.allowed_dirs == (Path(bad).resolve(),)


def test_a_home_of_slash_refuses_to_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", "/")
    with pytest.raises(InvalidInput, match="home directory"):
        Config.from_env({"VIDEO_JSON_HOME": str(tmp_path)})


def test_subfolders_of_shared_places_are_fine(tmp_path: Path) -> None:
    assert refusal(Path("/var/tmp/media")) is None and refusal(Path("/home/me")) is None
    assert refusal(tmp_path) is None and refusal(Path("/srv/nas/videos")) is None
    assert refusal(Path("/etc/ssl")) and refusal(Path("/"))


def test_env_dirs_expand_tilde_not_variables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "$X").mkdir()
    config = Config.from_env(_env(tmp_path, VIDEO_JSON_ALLOWED_DIRS=os.pathsep.join(["~/a", "$X", str(tmp_path / "$X")]),
                                  X="/etc"))
    assert Path(tmp_path / "a") in config.allowed_dirs and Path("/etc") not in config.allowed_dirs
    assert tmp_path / "$X" in config.allowed_dirs


def test_client_roots_replace_the_configured_ones_within_their_scope(tmp_path: Path) -> None:
    configured = Roots((tmp_path / "a",), "VIDEO_JSON_ALLOWED_DIRS")
    client, skipped = roots_from_uris([f"file://{tmp_path}/b", "file:///", "https://example.com/x", "file:///etc"], False)
    assert client is not None and client.dirs == (tmp_path / "b",) and len(skipped) == 3
    out = tmp_path / "out"
    assert current(configured, out).dirs == (tmp_path / "a", out)
    with client_roots_scope(client):
        assert current(configured, out).dirs == (tmp_path / "b", out)
        assert current(configured, out).origin == "client roots"
    assert current(configured, out).dirs[0] == tmp_path / "a"


def test_file_uris_are_unquoted(tmp_path: Path) -> None:
    roots, _ = roots_from_uris([f"file://{tmp_path}/my%20videos"], False)
    assert roots is not None and roots.dirs == (tmp_path / "my videos",)


@pytest.mark.anyio
async def test_cache_asks_once_per_session_until_invalidated(tmp_path: Path) -> None:
    cache = ClientRootsCache(allow_any=False)
    calls: list[int] = []

    class Session:
        pass

    session = Session()

    async def fetch() -> list[str]:
        calls.append(1)
        return [f"file://{tmp_path}/v{len(calls)}"]

    first = await cache.get(session, fetch)
    again = await cache.get(session, fetch)
    assert first == again and len(calls) == 1
    cache.invalidate(session)
    changed = await cache.get(session, fetch)
    assert changed is not None and changed.dirs == (tmp_path / "v2",)
