"""The other commands: serve, batch, render, schema, sample, state, credits."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

from video_json_ai.cli.common import analysis_request, app_for_paths, emit, features_of, run_job


def cmd_serve(args: argparse.Namespace) -> int:
    from video_json_ai.config import Config

    config = Config.from_env()
    apps: list[Any] = []

    def build():  # type: ignore[no-untyped-def]
        from video_json_ai.core.app import App
        from video_json_ai.mcp.server import create_server

        apps.append(App(config))
        return create_server(apps[0])

    logging.getLogger(__name__).info("serving on %s (backend %s)", args.transport, config.backend)
    try:
        if args.transport == "stdio" and args.no_fast_start:
            build().run("stdio")
        elif args.transport == "stdio":
            from video_json_ai.mcp.stdio.handshake import HandshakeCache
            from video_json_ai.mcp.stdio.relay import serve_stdio

            serve_stdio(build, HandshakeCache(config.home, config.backend))
        else:
            build().run("streamable-http", host=args.host, port=args.port)
    finally:
        for app in apps:
            app.close()
    return 0


def cmd_batch(args: argparse.Namespace) -> int:
    from video_json_ai.batch.cli import run_batch_command

    return run_batch_command(args, analysis_request(args, features_of(args)))


def cmd_render(args: argparse.Namespace) -> int:
    from video_json_ai.errors import InvalidInput
    from video_json_ai.models.requests import ExtractRequest, RenderRequest

    video = Path(args.video)
    output = Path(args.output) if args.output else None
    app = app_for_paths(video, output=output)
    try:
        try:
            scenes = [int(i) for i in args.scenes.split(",") if i.strip()] if args.scenes else None
        except ValueError:
            raise InvalidInput(f"--scenes '{args.scenes}' is not a list of scene numbers",
                               "Pass scene indices from the report, e.g. --scenes 2,5.") from None
        uploaded = run_job(app, "upload", lambda p, c: app.backend.upload(str(video), progress=p, cancel=c),
                            f"check {video.name}")
        if scenes:  # the scene indices of the report: extract scenes first (cached when done before)
            extract = ExtractRequest(video_id=uploaded.video_id, features=["scenes"])
            run_job(app, "extract", lambda p, c: app.backend.extract(extract, progress=p, cancel=c),
                     f"scenes {video.name}")
        request = RenderRequest(
            video_id=uploaded.video_id, format=args.format, quality=args.quality, resolution=args.resolution,
            aspect=args.aspect, fit=args.fit, pad_style=args.pad_style, allow_upscale=args.upscale,
            start_s=args.start, end_s=args.end, scenes=scenes, title=args.title,
            title_position=args.title_position, title_duration_s=args.title_duration,
            output_path=str(output.expanduser().absolute()) if output else None,
        )
        info = run_job(app, "export", lambda p, c: app.backend.export(request, progress=p, cancel=c),
                        f"render {video.name}")
        emit(info.model_dump_json(indent=2 if sys.stdout.isatty() else None, exclude_none=True), None)
        print(f"wrote {info.path}", file=sys.stderr)
    finally:
        app.close()
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from video_json_ai.models.report import Report

    print(json.dumps(Report.model_json_schema(), indent=2))
    return 0


def cmd_sample(args: argparse.Namespace) -> int:
    from video_json_ai.engine.sample import write_sample

    path = write_sample(Path(args.output))
    print(f"wrote {path}", file=sys.stderr)
    return 0


def cmd_state(args: argparse.Namespace) -> int:
    from video_json_ai.core.app import App

    app = App()
    try:
        state = app.jobs.call_sync(app.backend.session_state())
        emit(state.model_dump_json(indent=2), None)
    finally:
        app.close()
    return 0


def cmd_credits(args: argparse.Namespace) -> int:
    from video_json_ai.core.app import App

    app = App()
    try:
        emit(app.jobs.call_sync(app.backend.credits()).model_dump_json(indent=2), None)
    finally:
        app.close()
    return 0
