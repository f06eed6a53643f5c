"""The attribution headers every request carries (leaving them out makes export fail with 402)."""

from __future__ import annotations

from pathlib import Path

import video_json_ai

SKILL_SOURCE = "video-json-ai"


def skill_platform(install_path: Path | None = None, home: Path | None = None) -> str:
    """``clawhub`` under ~/.clawhub/, ``cursor`` under ~/.cursor/skills/, else ``unknown``."""
    where = (install_path or Path(video_json_ai.__file__)).expanduser().resolve()
    home = (home or Path.home()).expanduser().resolve()
    if where.is_relative_to(home / ".clawhub"):
        return "clawhub"
    if where.is_relative_to(home / ".cursor" / "skills"):
        return "cursor"
    return "unknown"


def attribution_headers(platform: str | None = None) -> dict[str, str]:
    return {
        "X-Skill-Source": SKILL_SOURCE,
        "X-Skill-Version": video_json_ai.__version__,
        "X-Skill-Platform": platform or skill_platform(),
    }
