"""Subtitle tracks: every text track read to cues, checked against FFmpeg's own conversion to
SubRip; bitmap tracks listed; SRT/VTT export read back by FFmpeg's demuxers."""

from __future__ import annotations

import json
from pathlib import Path

import av
import pytest

from tests.support.clips_subtitles import ASS_ONLY_EVENTS, EVENTS, ffmpeg_srt, srt_cues, write_clip, write_dvd_clip
from video_json_ai.engine.subtitles.markup import plain_text
from video_json_ai.engine.subtitles.reader import BITMAP_NOTE, SubtitleReader, read_subtitles
from video_json_ai.formats.subtitles import render_track, track_file_name
from video_json_ai.models.subtitles import SubtitleTrack

MKV = "issue-236-split-copy.mkv"


def _read_back(path: Path, demuxer: str) -> list[SubtitleTrack]:
    """A subtitle file read by FFmpeg's own demuxer for it (user files may not use it: open_media
    allows the media demuxers only) and decoded by our reader."""
    with av.open(str(path)) as c:
        assert c.format.name == demuxer
        reader = SubtitleReader()
        for packet in c.demux(*reader.streams(c)):
            reader.on_packet(packet)
        return reader.finish()


def _same_as_ffmpeg(path: Path, track: SubtitleTrack) -> None:
    """Our cues equal FFmpeg's SubRip conversion of the track: count, times (1 ms), words."""
    theirs = srt_cues(ffmpeg_srt(path, track.stream_index))
    assert track.cue_count == len(track.cues) == len(theirs)
    for ours, (a, b, text) in zip(track.cues, theirs):
        assert ours.start_s == pytest.approx(a, abs=0.0011) and ours.end_s == pytest.approx(b, abs=0.0011)
        assert ours.text == "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


def test_issue_236_three_ass_tracks(shared_media: Path) -> None:
    path = shared_media / MKV
    truth = json.loads((shared_media / "truth.json").read_text())[MKV]["subtitles"]
    tracks = read_subtitles(path)
    assert [(t.codec, t.language, t.title) for t in tracks] == [(s["codec"], s["language"], s["title"]) for s in truth]
    assert [t.kind for t in tracks] == ["text"] * 3 and tracks[0].default and not tracks[1].default
    for track in tracks:
        # this 2-second split carries the tracks' headers but no event: FFmpeg's conversion is empty too
        _same_as_ffmpeg(path, track)
        assert track.cue_count == 0 and track.note is None


def test_every_text_codec_read_as_ffmpeg_reads_it(tmp_path: Path) -> None:
    mkv = write_clip(tmp_path / "subs.mkv", ["ass", "subrip", "webvtt"], languages=["eng", "fre", "ger"])
    mp4 = write_clip(tmp_path / "subs.mp4", ["mov_text"], languages=["jpn"])
    tracks = read_subtitles(mkv) + read_subtitles(mp4)
    assert [(t.codec, t.language, t.kind) for t in tracks] == [
        ("ass", "eng", "text"), ("subrip", "fre", "text"), ("webvtt", "ger", "text"), ("mov_text", "jpn", "text")]
    for track, path in zip(tracks, [mkv, mkv, mkv, mp4]):
        _same_as_ffmpeg(path, track)
        assert [c.text for c in track.cues] == ["Hello world", "Second\nline", "Fish & chips", "Top green"]
        assert [(c.start_s, c.end_s) for c in track.cues] == [(a, b) for a, b, _ in EVENTS]


def test_ass_markup_drawings_and_escapes_removed(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "ass.mkv", ["ass"], events=ASS_ONLY_EVENTS)
    (track,) = read_subtitles(clip)
    assert [c.text for c in track.cues] == ["Shape here", "Karaoke <not a tag>"]
    escaped_backslash = "\\\u2060"  # how FFmpeg's decoders write a literal backslash
    assert plain_text(r"{\fad(200,200)}One\NTwo\n{\p2}m 1 1 l 2 2{\p0}three" + escaped_backslash + "N") == "One\nTwo\nthree\\N"
    assert plain_text(r"{\i1}{\b1}   {\b0}") == ""


def test_bitmap_track_listed_with_a_note(tmp_path: Path) -> None:
    clip = write_dvd_clip(tmp_path / "dvd.mkv", [0.2, 1.2, 2.2])
    (track,) = read_subtitles(clip)
    assert (track.kind, track.codec, track.language) == ("bitmap", "dvd_subtitle", "fre")
    assert track.cue_count == 3 and track.cues == [] and track.note == BITMAP_NOTE


def test_srt_and_vtt_per_track_read_back_by_ffmpeg(tmp_path: Path, shared_media: Path) -> None:
    made = write_clip(tmp_path / "subs.mkv", ["ass", "subrip"], languages=["eng", "spa"],
                      events=EVENTS + [(3.5, 3.9, r"5 < 6 & 7 > 2")])
    checked = 0
    for source in (made, shared_media / MKV):
        for track in read_subtitles(source):
            for fmt in ("srt", "vtt"):
                out = tmp_path / track_file_name(source.stem, track, fmt)
                out.write_text(render_track(track, fmt), encoding="utf-8")
                if not track.cues and fmt == "srt":
                    assert out.read_text() == ""  # as FFmpeg writes an empty track (and cannot read back)
                    continue
                (back,) = _read_back(out, {"srt": "srt", "vtt": "webvtt"}[fmt])
                assert [(c.start_s, c.end_s, c.text) for c in back.cues] == [(c.start_s, c.end_s, c.text) for c in track.cues]
                checked += len(track.cues)
    assert checked == 2 * 2 * 5  # two made tracks, both formats, five cues each
    assert track_file_name("movie", SubtitleTrack(stream_index=3, codec="ass", kind="text", language="por",
                                                  cue_count=0), "srt") == "movie.3.por.srt"


def test_the_pass_reads_the_subtitle_packets_of_its_own_demux(tmp_path: Path) -> None:
    from video_json_ai.util.progress import CancelToken
    from video_json_ai.engine.extract import build_report
    from video_json_ai.models.report import VideoRef
    from video_json_ai.models.scenes import SceneOptions

    clip = write_clip(tmp_path / "subs.mkv", ["ass", "webvtt"], languages=["eng", "ita"])
    video = VideoRef(video_id="vid_s", file_name=clip.name, path=str(clip), size_bytes=1, sha256="0" * 64)
    report = build_report(clip, video, ["metadata", "scenes", "subtitles"], SceneOptions(write_keyframes=False),
                          keyframes_dir=None, progress=lambda f, m: None, cancel=CancelToken())
    assert report.subtitles == read_subtitles(clip)  # the same tracks as a read of the packets alone
    assert "subtitles" not in report.timings_s  # ... but from the video pass: no second read of the file
    assert report.summary.subtitle_languages == ["eng", "ita"] and report.scenes
