"""Synthetic reports of any length (a 2-hour video of 1,500 scenes) with keyframe pictures, for the views."""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image

from video_json_ai.models.audio import AudioReport
from video_json_ai.models.text import TextOverlay
from video_json_ai.models.common import Box, TimeSpan
from video_json_ai.models.report import Report, Summary, VideoRef
from video_json_ai.models.scenes import ColourShare, Keyframe, Scene, ScenesSummary, Transition
from video_json_ai.util.time import timecode

FPS = 25
KINDS = ("cut", "cut", "cut", "fade", "dissolve")


def keyframe_jpeg(seed: int, width: int = 240, height: int = 135) -> bytes:
    """A picture with coloured blobs and grain, about the size of a real keyframe thumbnail."""
    rng = np.random.default_rng(seed)
    coarse = Image.fromarray(rng.integers(0, 256, (4, 6, 3), dtype=np.uint8)).resize((width, height), Image.Resampling.BICUBIC)
    grain = rng.normal(0, 5, (height, width, 1))
    picture = np.clip(np.asarray(coarse, dtype=np.float32) + grain, 0, 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(picture).save(buf, "JPEG", quality=72)
    return buf.getvalue()


def _scene(index: int, start_frame: int, frames: int, rng: np.random.Generator) -> Scene:
    end_frame = start_frame + frames - 1
    start_s, end_s = start_frame / FPS, (end_frame + 1) / FPS
    kind = "start" if index == 0 else KINDS[index % len(KINDS)]
    colours = [ColourShare(hex="#%02x%02x%02x" % tuple(int(c) for c in rng.integers(0, 256, 3)), share=0.6),
               ColourShare(hex="#%02x%02x%02x" % tuple(int(c) for c in rng.integers(0, 256, 3)), share=0.4)]
    mid = start_frame + frames // 2
    return Scene(
        index=index, start_s=start_s, end_s=end_s, start_frame=start_frame, end_frame=end_frame,
        start_timecode=timecode(start_s) or "", end_timecode=timecode(end_s) or "", duration_s=round(end_s - start_s, 3),
        transition_in=Transition(kind=kind, start_s=start_s, end_s=start_s, start_frame=start_frame,
                                 end_frame=start_frame + (0 if kind in ("start", "cut") else 10),
                                 through="black" if kind == "fade" else None),
        mean_brightness=float(rng.uniform(0.1, 0.9)), dominant_colours=colours,
        motion=("static", "low", "medium", "high")[index % 4], motion_score=float(rng.uniform(0, 2)),
        keyframe=Keyframe(time_s=mid / FPS, timecode=timecode(mid / FPS) or "", frame=mid, width=640, height=360),
    )


def synthetic_report(scenes: int, *, seconds: float = 7200.0, seed: int = 3) -> Report:
    """A report of ``scenes`` scenes over ``seconds``, with silences, speech and on-screen text lanes."""
    rng = np.random.default_rng(seed)
    total = int(seconds * FPS)
    cuts = np.sort(rng.choice(np.arange(1, total), scenes - 1, replace=False))
    bounds = [0, *cuts.tolist(), total]
    items = [_scene(i, bounds[i], bounds[i + 1] - bounds[i], rng) for i in range(scenes)]
    speech = [TimeSpan(start_s=t, end_s=t + 4.0) for t in np.arange(2.0, seconds - 5, 9.0)]
    silences = [TimeSpan(start_s=t, end_s=t + 1.5) for t in np.arange(30.0, seconds - 5, 61.0)]
    text = [TextOverlay(start_s=s.start_s, end_s=min(s.end_s, s.start_s + 2), scene_index=s.index,
                        text=f"Title <b>{s.index}</b> & <img src=x onerror=alert(1)>", confidence=0.93,
                        box=Box(x=0.1, y=0.8, width=0.5, height=0.08))
            for s in items[::25]]
    audio = AudioReport(stream_index=0, duration_s=seconds, integrated_lufs=-16.2, loudness_range_lu=6.0,
                        true_peak_dbtp=-1.2, loudness_verdict="Close to the streaming target (-14 LUFS).",
                        silences=silences, silence_threshold_db=-50, silence_min_s=0.5, speech=speech,
                        speech_ratio=round(len(speech) * 4.0 / seconds, 3))
    kinds = [s.transition_in.kind for s in items]
    return Report(
        generator="tests", created_at="2026-01-01T00:00:00+00:00",
        video=VideoRef(video_id="vid_synthetic00001", file_name="two hours <script>.mp4", path="/nonexistent/two.mp4",
                       size_bytes=1, sha256="0" * 64),
        features=["metadata", "scenes", "keyframes", "audio", "text"],
        summary=Summary(duration_s=seconds, duration_timecode=timecode(seconds), resolution="1280x720", fps=FPS,
                        has_audio=True, scene_count=scenes, has_speech=True, speech_share=audio.speech_ratio,
                        loudness_verdict=audio.loudness_verdict, text_overlay_count=len(text)),
        scenes=items,
        scenes_summary=ScenesSummary(count=scenes, cuts=kinds.count("cut"), fades=kinds.count("fade"),
                                     dissolves=kinds.count("dissolve"), average_scene_s=seconds / scenes,
                                     frames=total, frames_analysed=total),
        audio=audio, text=text,
    )


def synthetic_images(count: int, distinct: int = 48) -> dict[int, str]:
    """``data:`` URIs of keyframe thumbnails (about 6 KB each, as real ones), one per scene position;
    ``distinct`` pictures repeat in turn (drawing 1,500 different ones would only slow the test)."""
    pictures = ["data:image/jpeg;base64," + base64.b64encode(keyframe_jpeg(i)).decode("ascii")
                for i in range(min(count, distinct))]
    return {i: pictures[i % len(pictures)] for i in range(count)}
