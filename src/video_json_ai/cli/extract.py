"""`video-json-ai extract`: one video's report, or its scenes in another format, its page, storyboard, keyframes."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from video_json_ai.cli.common import analysis_request, app_for_paths, emit, features_of, run_job

OUTPUT_FORMATS = ("json", "html", "csv", "edl", "srt", "vtt", "chapters", "otio")
"""--format of extract: the report (json), its page (html), or its scenes (formats/scenes.py SCENE_FORMATS)."""


def cmd_extract(args: argparse.Namespace) -> int:

    video = Path(args.video)
    app = app_for_paths(video)
    try:
        request = analysis_request(args, features_of(args, extract=True), source=str(video), refresh=args.refresh)
        result = run_job(app, "extract", lambda p, c: app.backend.extract(request, progress=p, cancel=c),
                          f"extract {video.name}")
        report = result.report
        if args.keyframes_dir and report is not None:
            _copy_keyframes(report, Path(args.keyframes_dir))
        if args.transcript_srt or args.transcript_vtt:
            _write_transcripts(report, args.transcript_srt, args.transcript_vtt)
        if args.subtitles_dir:
            _write_subtitle_tracks(report, Path(args.subtitles_dir), video.stem)
        if args.storyboard:
            _write_storyboard(report, Path(args.storyboard))
        emit(_extract_output(args, result), args.output)
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


def _write_subtitle_tracks(report, target: Path, stem: str) -> None:  # type: ignore[no-untyped-def]
    """One SRT and one WebVTT file per text subtitle track of the file."""
    from video_json_ai.formats.subtitles import render_track, track_file_name
    from video_json_ai.util.atomic import write_text_atomic

    tracks = [t for t in (report.subtitles or []) if t.kind == "text"] if report is not None else []
    target.mkdir(parents=True, exist_ok=True)
    for track in tracks:
        for fmt in ("srt", "vtt"):
            write_text_atomic(target / track_file_name(stem, track, fmt), render_track(track, fmt))
    print(f"{len(tracks)} subtitle track(s) in {target}" if tracks else "the video carries no text subtitle track",
          file=sys.stderr)


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
