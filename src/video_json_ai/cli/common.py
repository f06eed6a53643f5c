"""What every command shares: the progress bar, the App for named files, running a job, the analysis options."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
import time
from pathlib import Path
from typing import Any

from video_json_ai.models.features import ALL_FEATURES


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


def configure_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def app_for_paths(*paths: Path, output: Path | None = None):  # type: ignore[no-untyped-def]
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


def run_job(app, kind: str, work, label: str):  # type: ignore[no-untyped-def]
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


def emit(text: str, output: str | None) -> None:
    if output and output != "-":
        from video_json_ai.util.atomic import write_text_atomic

        write_text_atomic(Path(output), text if text.endswith("\n") else text + "\n")
        print(f"wrote {output}", file=sys.stderr)
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def features_of(args: argparse.Namespace, extract: bool = False) -> list[Any]:
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
    if getattr(args, "subtitles_dir", None):
        needs.add("subtitles")
    missing = [f for f in sorted(needs) if f not in features]
    return resolve_features([*features, *missing], "") if missing else features


def analysis_request(args: argparse.Namespace, features: list[Any], **fields: Any):  # type: ignore[no-untyped-def]
    """The ExtractRequest of the analysis options (``add_analysis_options``) on the command line."""
    from video_json_ai.models.audio import AudioOptions
    from video_json_ai.models.requests import ExtractRequest
    from video_json_ai.models.scenes import SceneOptions

    return ExtractRequest(instructions=args.instructions or "", features=features,
                          scene_options=SceneOptions(sensitivity=args.sensitivity, min_scene_s=args.min_scene,
                                                     every_frame=args.every_frame),
                          audio_options=AudioOptions(silence_threshold_db=args.silence_db,
                                                     silence_min_s=args.silence_min), **fields)


def add_analysis_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--features", help=f"comma-separated: {','.join(ALL_FEATURES)}")
    p.add_argument("--instructions", help="plain-language request, e.g. 'scenes and audio'")
    p.add_argument("--sensitivity", type=float, default=0.5)
    p.add_argument("--min-scene", type=float, default=0.4, help="shortest scene, seconds")
    p.add_argument("--every-frame", action="store_true",
                   help="decode every frame (default: H.264/HEVC frames nothing refers to are skipped where no cut can be)")
    p.add_argument("--silence-db", type=float, default=-50.0, help="audio quieter than this (dBFS) is silence")
    p.add_argument("--silence-min", type=float, default=0.5, help="shortest silence reported, seconds")
