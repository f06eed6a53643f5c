"""Audio: loudness against FFmpeg's ebur128, silences and speech against clips built from known parts."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import av
import numpy as np
import pytest

from tests.support.clips_audio import (
    ebur128_reference,
    espeak_available,
    make_av_clip,
    overlap_share,
    silence,
    speak,
    tone,
)
from video_json_ai.engine.audio.analysis import analyze_audio
from video_json_ai.engine.mux import mux_sound
from video_json_ai.errors import InvalidInput
from video_json_ai.models.audio import AudioOptions

RATE = 48000
needs_espeak = pytest.mark.skipif(not espeak_available(), reason="espeak-ng is not installed (apt-get install espeak-ng)")


def _trim(x: np.ndarray, level: float = 1e-3) -> np.ndarray:
    loud = np.flatnonzero(np.abs(x) > level)
    return x[loud[0]: loud[-1] + 1]


def _music(seconds: float, rate: int) -> np.ndarray:
    """A chord with a slow swell: sound that is neither silence nor speech."""
    t = np.arange(int(round(seconds * rate))) / rate
    chord = sum(np.sin(2 * np.pi * f * t) for f in (220.0, 277.2, 329.6)) / 3
    return (0.25 * chord * (0.6 + 0.4 * np.sin(2 * np.pi * 0.5 * t))).astype(np.float32)


@pytest.fixture(scope="module")
def spoken(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[tuple[float, float]]]]:
    """tone | silence | speech | silence | music | speech | silence, with the truth of each part."""
    if not espeak_available():
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng)")
    parts = [
        ("sound", tone(1.5, RATE)),
        ("silence", silence(1.0, RATE)),
        ("speech", _trim(speak("The quarterly results are better than we expected this year.", RATE))),
        ("silence", silence(0.7, RATE)),
        ("sound", _music(2.0, RATE)),
        ("speech", _trim(speak("Please subscribe and share this video with your friends.", RATE))),
        ("silence", silence(0.8, RATE)),
    ]
    truth: dict[str, list[tuple[float, float]]] = {"sound": [], "silence": [], "speech": []}
    t = 0.0
    for kind, x in parts:
        truth[kind].append((t, t + len(x) / RATE))
        t += len(x) / RATE
    path = make_av_clip(tmp_path_factory.mktemp("audio") / "spoken.mp4", np.concatenate([x for _, x in parts]),
                        width=160, height=90, fps=5)
    return path, truth


@pytest.fixture(scope="module")
def spoken_report(spoken):  # type: ignore[no-untyped-def]
    return analyze_audio(spoken[0])


def test_silences_within_a_tenth_of_a_second(spoken, spoken_report) -> None:  # type: ignore[no-untyped-def]
    _, truth = spoken
    found = [(s.start_s, s.end_s) for s in spoken_report.silences]
    assert len(found) == len(truth["silence"]), found
    for (a, b), (c, d) in zip(truth["silence"], found):
        assert abs(a - c) <= 0.1 and abs(b - d) <= 0.1, (truth["silence"], found)


def test_speech_spans_overlap_truth(spoken, spoken_report) -> None:  # type: ignore[no-untyped-def]
    _, truth = spoken
    found = [(s.start_s, s.end_s) for s in spoken_report.speech]
    assert overlap_share(truth["speech"], found) >= 0.9, (truth["speech"], found)
    # and the tone and the music are not called speech
    assert overlap_share(truth["sound"], found) <= 0.1, (truth["sound"], found)
    total = sum(b - a for a, b in truth["speech"])
    assert spoken_report.speech_ratio == pytest.approx(total / spoken_report.duration_s, abs=0.08)
    sound = [(s.start_s, s.end_s) for s in spoken_report.non_speech_sound]
    assert overlap_share(truth["sound"], sound) >= 0.9, (truth["sound"], sound)


def test_loudness_matches_ffmpeg_ebur128(spoken, spoken_report) -> None:  # type: ignore[no-untyped-def]
    ref = ebur128_reference(spoken[0])
    r = spoken_report
    assert r.integrated_lufs == pytest.approx(ref["integrated"], abs=0.5)
    assert r.loudness_range_lu == pytest.approx(ref["lra"], abs=0.5)
    assert r.true_peak_dbtp == pytest.approx(ref["true_peak"], abs=0.5)
    assert r.delta_to_streaming_lu == pytest.approx(r.integrated_lufs + 14, abs=0.01)
    assert r.delta_to_broadcast_lu == pytest.approx(r.integrated_lufs + 23, abs=0.01)
    assert f"{r.integrated_lufs:.1f} LUFS" in r.loudness_verdict


def _write_audio(path: Path, signal: np.ndarray, rate: int, layout: str, codec: str = "pcm_s16le") -> Path:
    """An audio-only file; ``signal`` is (channels, samples) float32."""
    with av.open(str(path), "w") as out:
        a = out.add_stream(codec, rate=rate)
        a.layout = layout
        mux_sound(out, a, signal, rate, block=4096)
    return path


def test_surround_at_44k1_with_a_loud_and_a_quiet_part(tmp_path: Path) -> None:
    """5.1 at 44.1 kHz (resampled; channel weights incl. LFE and surrounds), wide loudness range."""
    rate = 44100
    loud = _music(4.0, rate) * 2.5
    quiet = _music(4.0, rate) * 0.1
    x = np.concatenate([loud, quiet, loud])
    gains = [1.0, 0.9, 0.7, 1.0, 0.5, 0.5]  # FL FR FC LFE BL BR
    sig = np.stack([g * x for g in gains]).astype(np.float32)
    path = _write_audio(tmp_path / "surround.wav", sig, rate, "5.1")
    ref = ebur128_reference(path)
    r = analyze_audio(path)
    assert r.integrated_lufs == pytest.approx(ref["integrated"], abs=0.5)
    assert r.loudness_range_lu == pytest.approx(ref["lra"], abs=0.5)
    assert ref["lra"] > 10  # the quiet part really widens the range
    assert r.true_peak_dbtp == pytest.approx(ref["true_peak"], abs=0.5)
    assert r.silences == [] and r.speech == []


def test_digital_silence_has_no_loudness_and_threshold_is_configurable(tmp_path: Path) -> None:
    rate = 48000
    x = np.concatenate([silence(1.0, rate), tone(1.0, rate, amp=0.01), silence(1.0, rate)])  # tone at -43 dBFS RMS
    path = _write_audio(tmp_path / "quiet.wav", np.stack([x, x]), rate, "stereo")
    default = analyze_audio(path)
    assert [(s.start_s, s.end_s) for s in default.silences] == [(0.0, 1.0), (2.0, 3.0)]
    strict = analyze_audio(path, AudioOptions(silence_threshold_db=-30.0, silence_min_s=2.5))
    assert [(s.start_s, s.end_s) for s in strict.silences] == [(0.0, 3.0)]
    assert strict.silence_threshold_db == -30.0 and strict.silence_min_s == 2.5
    zero = _write_audio(tmp_path / "zero.wav", np.zeros((1, rate * 2), np.float32), rate, "mono")
    z = analyze_audio(zero)
    assert z.integrated_lufs is None and z.true_peak_dbtp is None and z.loudness_range_lu is None
    assert z.loudness_verdict.startswith("silent")
    assert [(s.start_s, s.end_s) for s in z.silences] == [(0.0, 2.0)]
    assert z.speech_ratio == 0.0


def test_missing_stream_is_a_clear_error(tmp_path: Path) -> None:
    path = _write_audio(tmp_path / "one.wav", np.zeros((1, 4800), np.float32), 48000, "mono")
    with pytest.raises(InvalidInput, match="audio stream 1 does not exist"):
        analyze_audio(path, AudioOptions(stream_index=1))


def test_memory_does_not_grow_with_duration(tmp_path: Path) -> None:
    """Peak Python-side memory for 1 min of audio stays that of 10 s: chunks, not whole arrays."""
    rate = 48000

    def peak_for(seconds: int) -> int:
        x = tone(float(seconds), rate, amp=0.005)  # above the silence threshold, below the VAD's floor
        path = _write_audio(tmp_path / f"long{seconds}.wav", np.stack([x, x]), rate, "stereo")
        del x
        tracemalloc.start()
        analyze_audio(path)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return peak

    short, long = peak_for(10), peak_for(60)
    whole_long = 60 * rate * 2 * 8  # what holding the minute as float64 would cost
    assert long < short * 1.5 + 2_000_000, (short, long)
    assert long < whole_long / 4, (long, whole_long)


@needs_espeak
@pytest.mark.anyio
async def test_extract_json_reports_audio_and_summary(client, media_dir: Path) -> None:  # noqa: ANN001
    speech = _trim(speak("Hello and welcome to the product demo.", RATE))
    x = np.concatenate([silence(0.6, RATE), speech, silence(0.6, RATE)])
    clip = make_av_clip(media_dir / "talk.mp4", x, width=160, height=90, fps=5)
    res = await client.call_tool("extract_json", {"source": str(clip), "features": ["metadata", "audio"]})
    assert not res.is_error, res.content
    report = res.structured_content["report"]
    audio = report["audio"]
    assert audio["integrated_lufs"] is not None and audio["speech"]
    summary = report["summary"]
    assert summary["has_speech"] is True
    assert summary["speech_share"] == audio["speech_ratio"] and 0.5 < summary["speech_share"] < 1
    assert summary["loudness_verdict"] == audio["loudness_verdict"]
    assert not any("audio" in w for w in report["warnings"]), report["warnings"]


@pytest.mark.anyio
async def test_extract_audio_of_a_silent_video_warns(client, media_dir: Path) -> None:  # noqa: ANN001
    clip = make_av_clip(media_dir / "mute.mp4", None, seconds=1.0, width=160, height=90, fps=5)
    res = await client.call_tool("extract_json", {"source": str(clip), "features": ["metadata", "audio"]})
    assert not res.is_error, res.content
    report = res.structured_content["report"]
    assert report.get("audio") is None
    assert any("no audio stream" in w for w in report["warnings"]), report["warnings"]
