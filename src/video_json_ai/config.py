"""Settings read from the environment, in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from video_json_ai.core.roots import ALLOWED_ENV, ANY_DIR_ENV, Roots, checked, resolve_dir
from video_json_ai.errors import InvalidInput


def _default_home() -> Path:
    base = os.environ.get("XDG_DATA_HOME")
    return (Path(base) if base else Path.home() / ".local" / "share") / "video-json-ai"


def _flag(env: dict[str, str], name: str) -> bool:
    return (env.get(name) or "").strip().lower() in ("1", "true", "yes", "on")


def _number(env: dict[str, str], name: str, default: int, low: int = 1) -> int:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if value < low:
        raise InvalidInput(f"{name}='{raw}' is not a whole number of at least {low}", f"Unset it (default {default}) or fix it.")
    return value


@dataclass(frozen=True)
class Config:
    home: Path
    """Data directory: the state database, reports, keyframes, renders."""
    output_dir: Path
    """Where reports, keyframes, renders and downloads are written (always readable and writable)."""
    allowed_dirs: tuple[Path, ...]
    """The configured roots: only files under these directories may be read or written (MCP client
    roots, when a client offers them, take their place for that client's requests)."""
    backend: str
    max_upload_bytes: int = 500 * 1024 * 1024
    """VIDEO_JSON_MAX_UPLOAD_MB: the largest file (or download) accepted."""
    env: dict[str, str] = field(default_factory=dict, repr=False)
    roots_origin: str = ALLOWED_ENV
    allow_any_dir: bool = False
    private_urls: str = ""
    """VIDEO_JSON_ALLOW_PRIVATE_URLS: 1, or the private addresses/networks URL sources may be on (a NAS, tests)."""
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    """VIDEO_JSON_WORKERS: decode processes at once; more requests wait in a fair queue."""
    worker_memory_mb: int = 4096
    """VIDEO_JSON_WORKER_MEMORY_MB: each worker's address-space cap (RLIMIT_AS)."""
    cache_mb: int = 2048
    """VIDEO_JSON_CACHE_MB: reports, keyframes and downloads kept; the least recently made go first."""

    @property
    def db_path(self) -> Path:
        return self.home / "state.sqlite3"

    @property
    def roots(self) -> Roots:
        return Roots(self.allowed_dirs, self.roots_origin)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "Config":
        """Raises InvalidInput when a configured root is ``/`` or a system folder (unless
        VIDEO_JSON_ALLOW_ANY_DIR=1): the server refuses to start rather than expose the disk."""
        env = dict(os.environ if environ is None else environ)
        home = Path(env["VIDEO_JSON_HOME"]).expanduser() if env.get("VIDEO_JSON_HOME") else _default_home()
        output = Path(env["VIDEO_JSON_OUTPUT_DIR"]).expanduser() if env.get("VIDEO_JSON_OUTPUT_DIR") else home / "output"
        allow_any = _flag(env, ANY_DIR_ENV)
        raw = env.get(ALLOWED_ENV, "")
        if raw.strip():
            dirs, origin = [resolve_dir(p) for p in raw.split(os.pathsep) if p.strip()], ALLOWED_ENV
        else:
            dirs, origin = [Path.home().resolve()], "home directory"
        allowed = checked(dirs, origin, allow_any)
        checked([output.resolve()], "VIDEO_JSON_OUTPUT_DIR", allow_any)
        backend = (env.get("VIDEO_JSON_BACKEND") or "local").strip().lower()
        return cls(home=home, output_dir=output, allowed_dirs=allowed, backend=backend, env=env,
                   max_upload_bytes=_number(env, "VIDEO_JSON_MAX_UPLOAD_MB", 500) * 1024 * 1024,
                   roots_origin=origin, allow_any_dir=allow_any,
                   private_urls=env.get("VIDEO_JSON_ALLOW_PRIVATE_URLS", ""),
                   workers=_number(env, "VIDEO_JSON_WORKERS", os.cpu_count() or 1),
                   worker_memory_mb=_number(env, "VIDEO_JSON_WORKER_MEMORY_MB", 4096, low=256),
                   cache_mb=_number(env, "VIDEO_JSON_CACHE_MB", 2048, low=0))
