"""The command line: the MCP server (`serve`) and the same work from a terminal."""

from __future__ import annotations

import sys
from typing import Sequence

from video_json_ai.cli.common import configure_logging
from video_json_ai.cli.parser import build_parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from video_json_ai.core.redact import install_stderr

    install_stderr()  # before any log handler is made: no secret value reaches a log line
    configure_logging(args.verbose)
    from pydantic import ValidationError

    from video_json_ai.errors import VideoJsonError

    try:
        return int(args.func(args) or 0)
    except VideoJsonError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ValidationError as exc:
        for problem in exc.errors():
            where = ".".join(str(part) for part in problem["loc"])
            print(f"error: {where}: {problem['msg']} (got {problem.get('input')!r})", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("cancelled", file=sys.stderr)
        return 130
