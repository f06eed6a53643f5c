"""Build the report for one file: metadata, then the single video pass, then audio parts."""

from __future__ import annotations

import time
from pathlib import Path

from video_json_ai import __version__
from video_json_ai.engine.probe import probe
from video_json_ai.models.audio import AudioOptions
from video_json_ai.models.cues import CueOptions
from video_json_ai.models.report import Feature, Report, Summary, VideoRef
from video_json_ai.models.scenes import SceneOptions
from video_json_ai.util.progress import CancelToken, ProgressFn, scaled
from video_json_ai.util.time import utc_now


def build_report(
    path: Path,
    video: VideoRef,
    features: list[Feature],
    options: SceneOptions,
    *,
    audio_options: AudioOptions | None = None,
    cue_options: CueOptions | None = None,
    keyframes_dir: Path | None,
    progress: ProgressFn,
    cancel: CancelToken,
) -> Report:
    timings: dict[str, float] = {}
    warnings: list[str] = []

    t0 = time.perf_counter()
    progress(0.0, "reading metadata")
    meta = probe(path)
    timings["metadata"] = round(time.perf_counter() - t0, 4)
    cancel.raise_if_cancelled()

    report = Report(
        generator=f"video-json-ai {__version__} (local)",
        created_at=utc_now(),
        video=video,
        features=features,
        summary=_summary(meta),
        metadata=meta,
    )
    wants_frames = any(f in features for f in ("scenes", "keyframes", "text", "cues"))
    if wants_frames and not meta.video:  # audio only: the sound is analysed, the picture parts say why not
        skipped = [f for f in features if f in ("scenes", "keyframes", "text", "cues")]
        warnings.append(f"{', '.join(map(repr, skipped))} left out: the file has no video stream (audio only).")
        wants_frames = False
    wants_audio = any(f in features for f in ("audio", "transcript", "cues"))  # cues: the test tone
    video_share = 0.85 if wants_audio else 0.98
    # With a video pass, the audio is analysed from the same read of the file.
    # (and the 16 kHz signal speech-to-text needs, when a transcript is asked for and possible).
    audio_in_pass = wants_frames and wants_audio and bool(meta.audio)
    keep_mono = audio_in_pass and "transcript" in features and _transcript_possible()
    mono = None
    if wants_frames:
        from video_json_ai.engine.extras import PassExtras

        extras = PassExtras(features, meta, cue_options, cancel, warnings)
        mono = _video_pass(path, report, features, options,
                           (audio_options or AudioOptions()) if audio_in_pass else None, keep_mono, extras,
                           keyframes_dir, scaled(progress, 0.02, video_share), cancel, timings, warnings)
    if "audio" in features and not audio_in_pass:
        _audio(path, report, audio_options, scaled(progress, video_share, 0.97), cancel, timings, warnings)
    if "transcript" in features:
        _transcript(path, report, mono, scaled(progress, 0.97, 1.0), cancel, timings, warnings)
    if "subtitles" in features and report.subtitles is None:
        _subtitles(path, report, timings)

    report.summary = _summary(meta, report)
    report.warnings = warnings
    report.timings_s = timings
    progress(1.0, "report ready")
    return report


def _summary(meta, report: Report | None = None) -> Summary:  # type: ignore[no-untyped-def]
    v = meta.video[0] if meta.video else None
    s = Summary(
        duration_s=meta.duration_s,
        duration_timecode=meta.duration_timecode,
        resolution=f"{v.display_width}x{v.display_height}" if v else None,
        fps=v.fps if v else None,
        has_audio=bool(meta.audio),
    )
    if report is not None:
        if report.scenes is not None:
            s.scene_count = len(report.scenes)
        if report.audio is not None:
            s.speech_share = report.audio.speech_ratio
            s.has_speech = bool(report.audio.speech) if report.audio.speech_ratio is not None else None
            s.loudness_verdict = report.audio.loudness_verdict
        if report.text is not None:
            s.text_overlay_count = len(report.text)
        if report.subtitles is not None:
            s.subtitle_languages = sorted({t.language for t in report.subtitles if t.kind == "text" and t.language})
    return s


def _video_pass(path, report, features, options, audio_options, keep_mono, extras, keyframes_dir, progress, cancel, timings, warnings):  # type: ignore[no-untyped-def]
    """The one decode pass: scenes, keyframes, what ``extras`` adds (text, cues, subtitles), and the
    audio analysis when ``audio_options`` is given. Returns the 16 kHz mono signal with ``keep_mono``."""
    from video_json_ai.engine.analysis.pipeline import analyze_video

    t0 = time.perf_counter()
    wants_keyframes = "keyframes" in features
    scene_options = options if wants_keyframes else options.model_copy(update={"write_keyframes": False})
    analysis = analyze_video(
        path,
        scene_options,
        keyframes_dir=keyframes_dir if wants_keyframes else None,
        extra_analyzers=extras.analyzers,
        progress=progress,
        cancel=cancel,
        audio_options=audio_options,
        keep_mono=keep_mono,
        packet_readers=extras.readers,
        audio_listeners=extras.listeners,
    )
    if audio_options is not None and "audio" in features:
        report.audio = analysis.audio
        _speech_model_warning(report, warnings)
    if not wants_keyframes:
        for scene in analysis.scenes:
            scene.keyframe = None
    report.scenes = analysis.scenes
    report.scenes_summary = analysis.summary
    warnings.extend(analysis.warnings)
    extras.fill(report, analysis, timings)
    timings["video_pass"] = round(time.perf_counter() - t0, 4)
    return analysis.mono_16k


def _subtitles(path, report, timings) -> None:  # type: ignore[no-untyped-def]
    """The subtitle tracks, from a read of their packets alone (when the video pass did not read them)."""
    from video_json_ai.engine.subtitles.reader import read_subtitles

    if report.metadata is not None and not report.metadata.subtitles:
        report.subtitles = []
        return
    t0 = time.perf_counter()
    report.subtitles = read_subtitles(path)
    timings["subtitles"] = round(time.perf_counter() - t0, 4)


def _audio(path, report, options, progress, cancel, timings, warnings) -> None:  # type: ignore[no-untyped-def]
    """Loudness, silences and speech of the first audio stream (decoded once, in chunks)."""
    from video_json_ai.engine.audio.analysis import analyze_audio

    if report.metadata is not None and not report.metadata.audio:
        warnings.append("'audio' left out: the file has no audio stream.")
        return
    t0 = time.perf_counter()
    report.audio = analyze_audio(path, options, progress=progress, cancel=cancel, warnings=warnings)
    _speech_model_warning(report, warnings)
    timings["audio"] = round(time.perf_counter() - t0, 4)


def _speech_model_warning(report, warnings) -> None:  # type: ignore[no-untyped-def]
    if report.audio is not None and report.audio.vad_model is None:
        warnings.append("speech detection left out: the voice-activity model (Silero VAD inside faster-whisper) is "
                        "not installed; reinstall video-json-ai to get it.")


def _transcript_possible() -> bool:
    from video_json_ai.engine.transcript.whisper import model_dir
    from video_json_ai.errors import NotAvailable

    try:
        model_dir()
    except NotAvailable:
        return False
    return True


def _transcript(path, report, mono, progress, cancel, timings, warnings) -> None:  # type: ignore[no-untyped-def]
    """Speech to text through a model the user configured; otherwise a warning, never invented text."""
    from video_json_ai.engine.transcript.whisper import transcribe
    from video_json_ai.errors import NotAvailable

    if report.metadata is not None and not report.metadata.audio:
        warnings.append("'transcript' left out: the file has no audio stream.")
        return
    t0 = time.perf_counter()
    try:
        report.transcript = transcribe(path, progress=progress, cancel=cancel, audio=mono)
    except NotAvailable as exc:
        warnings.append(f"'transcript' left out: {exc}")
    timings["transcript"] = round(time.perf_counter() - t0, 4)
