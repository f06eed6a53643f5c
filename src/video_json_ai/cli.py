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
from video_json_ai.models.features import ALL_FEATURES

OUTPUT_FORMATS = ("json", "html", "csv", "edl", "srt", "vtt", "chapters", "otio")
"""--format of extract: the report (json), its page (html), or its scenes (formats/scenes.py SCENE_FORMATS)."""


class ProgressBar:
    """A one-line progress bar of one job on stderr (tqdm), drawn only when stderr is a terminal."""

    STEPS = 1000

    def __init__(self, label: str, stream: Any = None) -> None:
        from tqdm import tqdm

        self.bar = tqdm(total=self.STEPS, desc=label, file=stream or sys.stderr, disable=None, leave=True,
                        bar_format="{desc} {bar:28} {percentage:5.1f}% {elapsed}{postfix}", dynamic_ncols=True)
        self.message = ""

    def update(self, fraction: float, message: str) -> None:
        step = int(round(self.STEPS * max(0.0, min(fraction, 1.0))))
        if step > self.bar.n:
            self.bar.update(step - self.bar.n)
        if message != self.message:
            self.message = message
            self.bar.set_postfix_str(message[:40])

    def close(self) -> None:
        self.bar.close()


def _configure_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def _app_for_paths(*paths: Path):  # type: ignore[no-untyped-def]
    """An App whose allowed directories also cover the files named on the command line."""
    from video_json_ai.core.app import App
    from video_json_ai.config import Config

    config = Config.from_env()
    extra = tuple(p.expanduser().resolve().parent for p in paths)
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


def _features(args: argparse.Namespace, extract: bool = False) -> list[Any]:
    """The features asked for; for ``extract``, plus what the chosen outputs need."""
    from video_json_ai.core.features import resolve_features

    features = resolve_features(args.features.split(",") if args.features else None, args.instructions or "")
    if not extract:
        return features
    needs = set()
    if args.format != "json":
        needs.add("scenes")
    if args.format == "html" or args.storyboard:
        needs.update(("scenes", "keyframes"))
    if args.transcript_srt or args.transcript_vtt:
        needs.add("transcript")
    missing = [f for f in sorted(needs) if f not in features]
    return resolve_features([*features, *missing], "") if missing else features


def analysis_request(args: argparse.Namespace, features: list[Any], **fields: Any):  # type: ignore[no-untyped-def]
    """The ExtractRequest of the analysis options (``_add_analysis_options``) on the command line."""
    from video_json_ai.models.audio import AudioOptions
    from video_json_ai.models.requests import ExtractRequest
    from video_json_ai.models.scenes import SceneOptions

    return ExtractRequest(instructions=args.instructions or "", features=features,
                          scene_options=SceneOptions(sensitivity=args.sensitivity, min_scene_s=args.min_scene,
                                                     every_frame=args.every_frame),
                          audio_options=AudioOptions(silence_threshold_db=args.silence_db,
                                                     silence_min_s=args.silence_min), **fields)


def cmd_extract(args: argparse.Namespace) -> int:

    video = Path(args.video)
    app = _app_for_paths(video)
    try:
        request = analysis_request(args, _features(args, extract=True), source=str(video), refresh=args.refresh)
        result = _run_job(app, "extract", lambda p, c: app.backend.extract(request, progress=p, cancel=c),
                          f"extract {video.name}")
        report = result.report
        if args.keyframes_dir and report is not None:
            _copy_keyframes(report, Path(args.keyframes_dir))
        if args.transcript_srt or args.transcript_vtt:
            _write_transcripts(report, args.transcript_srt, args.transcript_vtt)
        if args.storyboard:
            _write_storyboard(report, Path(args.storyboard))
        _emit(_extract_output(args, result), args.output)
    finally:
        app.close()
    return 0


def _extract_output(args: argparse.Namespace, result) -> str:  # type: ignore[no-untyped-def]
    report = result.report
    if args.format == "json":
        pretty = sys.stdout.isatty() and not args.output
        payload = report if report is not None else result
        return payload.model_dump_json(indent=2 if (pretty or args.output) else None, exclude_none=False)
    if args.format == "html":
        from video_json_ai.errors import NotAvailable
        from video_json_ai.formats.html import keyframe_data_uris, report_page

        if result.report_html_path and Path(result.report_html_path).is_file():  # the backend wrote it beside the report
            return Path(result.report_html_path).read_text(encoding="utf-8")
        if report is None:
            raise NotAvailable("No report to show", "This backend returned no report; use --format json.")
        return report_page(report, keyframe_data_uris(report))
    from video_json_ai.formats.scenes import render_scenes

    return render_scenes(report, args.format)


def _write_storyboard(report, target: Path) -> None:  # type: ignore[no-untyped-def]
    from video_json_ai.engine.storyboard import draw_storyboard
    from video_json_ai.errors import NotAvailable
    from video_json_ai.util.atomic import write_bytes_atomic

    board = draw_storyboard(report.scenes or []) if report is not None else None
    if board is None:
        raise NotAvailable("No keyframes to put in a storyboard", "Extract with the 'scenes' and 'keyframes' features.")
    write_bytes_atomic(target, board.jpeg)
    print(f"storyboard in {target} ({board.layout.width}x{board.layout.height}, "
          f"{len(board.scene_indices)} of {board.scenes_total} scenes)", file=sys.stderr)


def _write_transcripts(report, srt: str | None, vtt: str | None) -> None:  # type: ignore[no-untyped-def]
    from video_json_ai.util.atomic import write_text_atomic
    from video_json_ai.formats.transcript import transcript_srt, transcript_vtt
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


def cmd_batch(args: argparse.Namespace) -> int:
    from video_json_ai.batch.cli import run_batch_command

    return run_batch_command(args, analysis_request(args, _features(args)))


def cmd_render(args: argparse.Namespace) -> int:
    from video_json_ai.errors import InvalidInput
    from video_json_ai.models.requests import ExtractRequest, RenderRequest

    video = Path(args.video)
    output = Path(args.output) if args.output else None
    app = _app_for_paths(*(p for p in (video, output) if p is not None))
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


def _add_analysis_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--features", help=f"comma-separated: {','.join(ALL_FEATURES)}")
    p.add_argument("--instructions", help="plain-language request, e.g. 'scenes and audio'")
    p.add_argument("--sensitivity", type=float, default=0.5)
    p.add_argument("--min-scene", type=float, default=0.4, help="shortest scene, seconds")
    p.add_argument("--every-frame", action="store_true",
                   help="decode every frame (default: H.264/HEVC frames nothing refers to are skipped where no cut can be)")
    p.add_argument("--silence-db", type=float, default=-50.0, help="audio quieter than this (dBFS) is silence")
    p.add_argument("--silence-min", type=float, default=0.5, help="shortest silence reported, seconds")


def _add_batch_parser(sub: Any) -> None:
    p = sub.add_parser("batch", help="extract many videos (files, folders, manifests) into a folder of reports; "
                       "resumable, on this machine or a Ray cluster")
    p.add_argument("inputs", nargs="+", metavar="INPUT",
                   help="media files, folders (recursive) or manifests (.txt/.list: a path or URL per line; "
                        ".csv: a 'source' column)")
    p.add_argument("-o", "--out-dir", required=True, help="the batch folder: reports, keyframes, index.jsonl, index.csv")
    _add_analysis_options(p)
    p.add_argument("--workers", type=int, help="videos at once: local worker processes, or the CPUs of a local Ray instance "
                   "(default: the number of CPUs; a Ray cluster uses all of its own)")
    p.add_argument("--engine", choices=("local", "ray"), default="local",
                   help="local: a process pool here; ray: Ray tasks (pip install 'video-json-ai[ray]')")
    p.add_argument("--ray-address", help="the Ray cluster (default: RAY_ADDRESS, else a local Ray instance)")
    p.add_argument("--retry-failed", action="store_true", help="run the videos that failed before again")
    p.set_defaults(func=cmd_batch)


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
    _add_analysis_options(p)
    p.add_argument("--format", choices=OUTPUT_FORMATS, default="json",
                   help="json report; html: the report as one page that opens offline; or the scenes as CSV, "
                        "CMX 3600 EDL, SRT, WebVTT chapters (vtt), YouTube chapter lines (chapters) or an "
                        "OpenTimelineIO timeline (otio)")
    p.add_argument("-o", "--output", help="write here instead of stdout")
    p.add_argument("--keyframes-dir", help="copy the keyframe JPEGs here")
    p.add_argument("--storyboard", metavar="FILE", help="also write a JPEG grid of up to 30 keyframes, labelled with scene and time")
    p.add_argument("--refresh", action="store_true", help="ignore the cache")
    p.add_argument("--transcript-srt", metavar="FILE", help="also write the transcript as SRT subtitles here")
    p.add_argument("--transcript-vtt", metavar="FILE", help="also write the transcript as WebVTT subtitles here")
    p.set_defaults(func=cmd_extract)

    _add_batch_parser(sub)

    p = sub.add_parser("render", help="render a video to mp4/webm/gif/mp3/wav: trims, scenes, aspect, title")
    p.add_argument("video")
    p.add_argument("-o", "--output", help="the file to write (never overwritten); default: the output folder")
    p.add_argument("--format", choices=("mp4", "webm", "gif", "mp3", "wav"), default="mp4")
    p.add_argument("--quality", choices=("low", "medium", "high", "max"), default="high")
    p.add_argument("--resolution", choices=("2160p", "1080p", "720p", "480p", "source"), default="source")
    p.add_argument("--upscale", action="store_true", help="upscaling above the source's resolution is intended: no warning")
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
