"""Record the handshake answers shipped with the package (``src/video_json_ai/mcp/stdio/recordings/``).

    make handshake      # after changing a tool, the server's instructions or the SDK version

For each backend and each protocol version the SDK knows, a real `video-json-ai serve` session in
a fresh data directory, without the shipped recording, answers the handshake and tools/list; what
it recorded becomes the shipped file. ``tests/test_stdio_relay.py`` fails when a shipped answer is
no longer what the server says.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.raw_stdio import LEGACY_VERSIONS, MODERN_VERSIONS, handshake_session  # noqa: E402
from video_json_ai.mcp.stdio.handshake import FILE_NAME, PACKAGED_DIR  # noqa: E402

BACKENDS = ("local", "nemo")


def main() -> None:
    PACKAGED_DIR.mkdir(exist_ok=True)
    for backend in BACKENDS:
        shipped = PACKAGED_DIR / f"{backend}.json"
        shipped.unlink(missing_ok=True)
        with tempfile.TemporaryDirectory() as home:
            env = {"VIDEO_JSON_HOME": home, "VIDEO_JSON_BACKEND": backend}
            for version in (*LEGACY_VERSIONS, *MODERN_VERSIONS):
                handshake_session(env, version)
            shutil.copyfile(Path(home) / FILE_NAME, shipped)
        print(f"wrote {shipped.relative_to(ROOT)} ({shipped.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
