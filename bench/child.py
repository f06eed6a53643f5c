"""Run one benchmark contender in a fresh Python process and read back its result line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def spawn(script: str, name: str, clip: Path) -> dict | None:
    """``script --child NAME CLIP`` must print one line ``RESULT <json>``; None (and the reason on
    stderr) when it fails."""
    proc = subprocess.run([sys.executable, script, "--child", name, str(clip)], capture_output=True, text=True)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
    print(f"{name}: failed ({tail})", file=sys.stderr)
    return None
