"""Settings read from the environment, in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def _default_home() -> Path:
    base = os.environ.get("XDG_DATA_HOME")
    return (Path(base) if base else Path.home() / ".local" / "share") / "video-json-ai"


@dataclass(frozen=True)
class Config:
    home: Path
    """Data directory: the state database, reports, keyframes, renders."""
    output_dir: Path
    """Where reports, keyframes and renders are written."""
    allowed_dirs: tuple[Path, ...]
    """Only files under these directories may be read or written."""
    backend: str
    max_upload_bytes: int = 500 * 1024 * 1024
    env: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def db_path(self) -> Path:
        return self.home / "state.sqlite3"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "Config":
        env = dict(os.environ if environ is None else environ)
        home = Path(env["VIDEO_JSON_HOME"]).expanduser() if env.get("VIDEO_JSON_HOME") else _default_home()
        output = Path(env["VIDEO_JSON_OUTPUT_DIR"]).expanduser() if env.get("VIDEO_JSON_OUTPUT_DIR") else home / "output"
        allowed_raw = env.get("VIDEO_JSON_ALLOWED_DIRS", "")
        if allowed_raw.strip():
            allowed = tuple(Path(p).expanduser().resolve() for p in allowed_raw.split(os.pathsep) if p.strip())
        else:
            allowed = (Path.home().resolve(), Path.cwd().resolve())
        # The output directory is always writable and readable by us.
        allowed = tuple(dict.fromkeys((*allowed, output.resolve())))
        backend = (env.get("VIDEO_JSON_BACKEND") or "local").strip().lower()
        return cls(home=home, output_dir=output, allowed_dirs=allowed, backend=backend, env=env)
