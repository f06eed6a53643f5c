"""The command line: the MCP server (`serve`) and the same work from a terminal."""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any, Sequence

from video_json_ai import __version__

FEATURE_NAMES = ("metadata", "scenes", "keyframes", "audio", "text", "transcript")


class ProgressBar:
    """A one-line progress bar on stderr, drawn only when stderr is a terminal."""

    def __init__(self, label: str, stream: Any = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self.label = label
        self.start = time.monotonic()
        self._last = ""

    def update(self, fraction: float, message: str) -> None:
        if not self.enabled:
            return
        width = 28
        filled = int(round(width * max(0.0, min(fraction, 1.0))))
        elapsed = time.monotonic() - self.start
        line = f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {fraction:5.1%} {elapsed:5.1f}s {message[:40]:<40}"
        if line != self._last:
            self.stream.write(line)
            self.stream.flush()
            self._last = line

    def close(self) -> None:
        if self.enabled and self._last:
            self.stream.write("\n")
            self.stream.flush()


def _configure_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def _app_for_paths(*paths: Path, output: Path | None = None):  # type: ignore[no-untyped-def]
    """An App that may also read the files a person named on the command line (those files, not
    their folders) and write in the folder of the ``output`` they named."""
    from video_json_ai.core.app import App
    from video_json_ai.core.sources import user_path
    from video_json_ai.config import Config

    config = Config.from_env()
    extra = [user_path(str(p)) for p in paths]
    if output is not None:
        extra.append(user_path(str(output)).parent)
    config = dataclasses.replace(config, allowed_dirs=tuple(dict.fromkeys((*config.allowed_dirs, *extra))))
    return App(config)


def _run_job(app, kind: str, work, label: str):  # type: ignore[no-untyped-def]
    """Run a backend job with a progress bar; Ctrl-C cancels it."""
    bar = ProgressBar(label)
    job = app.jobs.start(kind, work)
    try:
        while not job.done:
            bar.update(job.progress, job.message)
            time.sleep(0.1)
        bar.update(job.progress, job.message)
    except KeyboardInterrupt:
        app.jobs.cancel(job.job_id)
        bar.close()
        raise
    bar.close()
    if job.status != "completed":
        print(f"error: {job.error or job.status}", file=sys.stderr)
        raise SystemExit(130 if job.status == "cancelled" else 2)
    return job.result


def _emit(text: str, output: str | None) -> None:
    if output and output != "-":
        from video_json_ai.util.atomic import write_text_atomic

        write_text_atomic(Path(output), text if text.endswith("\n") else text + "\n")
        print(f"wrote {output}", file=sys.stderr)
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


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


def cmd_extract(args: argparse.Namespace) -> int:
    from video_json_ai.formats.scenes import render_scenes
    from video_json_ai.core.features import resolve_features
    from video_json_ai.models.requests import ExtractRequest
    from video_json_ai.models.scenes import SceneOptions
    from video_json_ai.models.audio import AudioOptions

    video = Path(args.video)
    app = _app_for_paths(video)
    try:
        features = resolve_features(args.features.split(",") if args.features else None, args.instructions or "")
        if args.format != "json" and "scenes" not in features:
            features = resolve_features([*features, "scenes"], "")
        if (args.transcript_srt or args.transcript_vtt) and "transcript" not in features:
            features = resolve_features([*features, "transcript"], "")
        request = ExtractRequest(source=str(video), instructions=args.instructions or "", features=features,
                                 refresh=args.refresh,
                                 scene_options=SceneOptions(sensitivity=args.sensitivity, min_scene_s=args.min_scene,
                                                            every_frame=args.every_frame),
                                 audio_options=AudioOptions(silence_threshold_db=args.silence_db,
                                                            silence_min_s=args.silence_min))
        result = _run_job(app, "extract", lambda p, c: app.backend.extract(request, progress=p, cancel=c),
                          f"extract {video.name}")
        report = result.report
        if args.keyframes_dir and report is not None:
            _copy_keyframes(report, Path(args.keyframes_dir))
        if args.transcript_srt or args.transcript_vtt:
            _write_transcripts(report, args.transcript_srt, args.transcript_vtt)
        if args.format == "json":
            pretty = sys.stdout.isatty() and not args.output
            payload = report if report is not None else result
            text = payload.model_dump_json(indent=2 if (pretty or args.output) else None, exclude_none=False)
        else:
            text = render_scenes(report, args.format)
        _emit(text, args.output)
    finally:
        app.close()
    return 0


def _write_transcripts(report, srt: str | None, vtt: str | None) -> None:  # type: ignore[no-untyped-def]
    from video_json_ai.util.atomic import write_text_atomic
    from video_json_ai.engine.transcript.whisper import transcript_srt, transcript_vtt
    from video_json_ai.errors import NotAvailable

    if report is None or report.transcript is None:
        why = next((w for w in (report.warnings if report else []) if "transcript" in w), "no transcript was made")
        raise NotAvailable(why, "No subtitle file was written.")
    for target, render in ((srt, transcript_srt), (vtt, transcript_vtt)):
        if target:
            write_text_atomic(Path(target), render(report.transcript))
            print(f"transcript in {target}", file=sys.stderr)


def _copy_keyframes(report, target: Path) -> None:  # type: ignore[no-untyped-def]
    import shutil

    from video_json_ai.util.atomic import atomic_path

    target.mkdir(parents=True, exist_ok=True)
    for scene in report.scenes or []:
        if scene.keyframe and scene.keyframe.path and Path(scene.keyframe.path).is_file():
            dest = target / f"scene-{scene.index:04d}.jpg"
            with atomic_path(dest) as tmp:
                shutil.copyfile(scene.keyframe.path, tmp)
    print(f"keyframes in {target}", file=sys.stderr)


def cmd_render(args: argparse.Namespace) -> int:
    from video_json_ai.errors import InvalidInput
    from video_json_ai.models.requests import ExtractRequest, RenderRequest

    video = Path(args.video)
    output = Path(args.output) if args.output else None
    app = _app_for_paths(video, output=output)
    try:
        try:
            scenes = [int(i) for i in args.scenes.split(",") if i.strip()] if args.scenes else None
        except ValueError:
            raise InvalidInput(f"--scenes '{args.scenes}' is not a list of scene numbers",
                               "Pass scene indices from the report, e.g. --scenes 2,5.") from None
        uploaded = _run_job(app, "upload", lambda p, c: app.backend.upload(str(video), progress=p, cancel=c),
                            f"check {video.name}")
        if scenes:  # the scene indices of the report: extract scenes first (cached when done before)
            extract = ExtractRequest(video_id=uploaded.video_id, features=["scenes"])
            _run_job(app, "extract", lambda p, c: app.backend.extract(extract, progress=p, cancel=c),
                     f"scenes {video.name}")
        request = RenderRequest(
            video_id=uploaded.video_id, format=args.format, quality=args.quality, resolution=args.resolution,
            aspect=args.aspect, fit=args.fit, pad_style=args.pad_style, allow_upscale=args.upscale,
            start_s=args.start, end_s=args.end, scenes=scenes, title=args.title,
            title_position=args.title_position, title_duration_s=args.title_duration,
            output_path=str(output.expanduser().absolute()) if output else None,
        )
        info = _run_job(app, "export", lambda p, c: app.backend.export(request, progress=p, cancel=c),
                        f"render {video.name}")
        _emit(info.model_dump_json(indent=2 if sys.stdout.isatty() else None, exclude_none=True), None)
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
        _emit(state.model_dump_json(indent=2), None)
    finally:
        app.close()
    return 0


def cmd_credits(args: argparse.Namespace) -> int:
    from video_json_ai.core.app import App

    app = App()
    try:
        _emit(app.jobs.call_sync(app.backend.credits()).model_dump_json(indent=2), None)
    finally:
        app.close()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="video-json-ai", description="Turn videos into structured JSON; an MCP server.")
    parser.add_argument("--version", action="version", version=f"video-json-ai {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging on stderr")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", help="run the MCP server (stdio by default)")
    p.add_argument("--transport", choices=("stdio", "http"), default="stdio")
    p.add_argument("--no-fast-start", action="store_true",
                   help="stdio straight from the MCP SDK: no handshake answered from a recording while it loads")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("extract", help="extract a video's JSON report")
    p.add_argument("video")
    p.add_argument("--features", help=f"comma-separated: {','.join(FEATURE_NAMES)}")
    p.add_argument("--instructions", help="plain-language request, e.g. 'scenes and audio'")
    p.add_argument("--format", choices=("json", "csv", "edl", "srt", "vtt"), default="json",
                   help="json report, or the scenes as CSV, CMX 3600 EDL, SRT or WebVTT chapters")
    p.add_argument("-o", "--output", help="write here instead of stdout")
    p.add_argument("--keyframes-dir", help="copy the keyframe JPEGs here")
    p.add_argument("--sensitivity", type=float, default=0.5)
    p.add_argument("--min-scene", type=float, default=0.4, help="shortest scene, seconds")
    p.add_argument("--every-frame", action="store_true",
                   help="decode every frame (default: H.264/HEVC frames nothing refers to are skipped where no cut can be)")
    p.add_argument("--silence-db", type=float, default=-50.0, help="audio quieter than this (dBFS) is silence")
    p.add_argument("--silence-min", type=float, default=0.5, help="shortest silence reported, seconds")
    p.add_argument("--refresh", action="store_true", help="ignore the cache")
    p.add_argument("--transcript-srt", metavar="FILE", help="also write the transcript as SRT subtitles here")
    p.add_argument("--transcript-vtt", metavar="FILE", help="also write the transcript as WebVTT subtitles here")
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("render", help="render a video to mp4/webm/gif/mp3/wav: trims, scenes, aspect, title")
    p.add_argument("video")
    p.add_argument("-o", "--output", help="the file to write (never overwritten); default: the output folder")
    p.add_argument("--format", choices=("mp4", "webm", "gif", "mp3", "wav"), default="mp4")
    p.add_argument("--quality", choices=("low", "medium", "high", "max"), default="high")
    p.add_argument("--resolution", choices=("2160p", "1080p", "720p", "480p", "source"), default="source")
    p.add_argument("--upscale", action="store_true", help="allow a resolution above the source's")
    p.add_argument("--aspect", choices=("16:9", "9:16", "1:1", "4:5", "source"), default="source")
    p.add_argument("--fit", choices=("pad", "crop"), default="pad")
    p.add_argument("--pad-style", choices=("blur", "black"), default="blur")
    p.add_argument("--start", type=float, help="trim: start, seconds")
    p.add_argument("--end", type=float, help="trim: end, seconds")
    p.add_argument("--scenes", help="scene indices to keep, in order, e.g. 2,5 (scenes are extracted first)")
    p.add_argument("--title", help="text drawn over the first seconds")
    p.add_argument("--title-position", choices=("top", "center", "bottom"), default="bottom")
    p.add_argument("--title-duration", type=float, default=3.0, help="seconds")
    p.set_defaults(func=cmd_render)

    p = sub.add_parser("schema", help="print the report's JSON Schema")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("sample", help="write a short sample clip")
    p.add_argument("output")
    p.set_defaults(func=cmd_sample)

    p = sub.add_parser("state", help="show the session: videos, timeline, jobs, exports")
    p.set_defaults(func=cmd_state)

    p = sub.add_parser("credits", help="show credits")
    p.set_defaults(func=cmd_credits)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from video_json_ai.core.redact import install_stderr

    install_stderr()  # before any log handler is made: no secret value reaches a log line
    _configure_logging(args.verbose)
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
