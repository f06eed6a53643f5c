"""The command line's arguments; each sub-command names the function that runs it."""

from __future__ import annotations

import argparse
from typing import Any

from video_json_ai import __version__
from video_json_ai.cli.common import add_analysis_options
from video_json_ai.cli.commands import cmd_batch, cmd_credits, cmd_render, cmd_sample, cmd_schema, cmd_serve, cmd_state
from video_json_ai.cli.extract import OUTPUT_FORMATS, cmd_extract


def _add_batch_parser(sub: Any) -> None:
    p = sub.add_parser("batch", help="extract many videos (files, folders, manifests) into a folder of reports; "
                       "resumable, on this machine or a Ray cluster")
    p.add_argument("inputs", nargs="+", metavar="INPUT",
                   help="media files, folders (recursive) or manifests (.txt/.list: a path or URL per line; "
                        ".csv: a 'source' column)")
    p.add_argument("-o", "--out-dir", required=True, help="the batch folder: reports, keyframes, index.jsonl, index.csv")
    add_analysis_options(p)
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
    add_analysis_options(p)
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
    p.add_argument("--subtitles-dir", metavar="DIR",
                   help="also write each text subtitle track of the file here, as SRT and WebVTT")
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
