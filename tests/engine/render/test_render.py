"""The local render engine: real clips in, real files out, read back and measured."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from tests.support.clips_render import SYNC_S, assert_in_sync, click_times, flash_times, frames_luma, make_flash_clip
from video_json_ai.engine.render.plan import plan_render
from video_json_ai.engine.render.renderer import render
from video_json_ai.engine.render.geometry import output_size, upscale_warning
from video_json_ai.engine.render.output import default_output_name, probe_output
from video_json_ai.errors import Cancelled, InvalidInput
from video_json_ai.models.render import RenderOptions, RenderSegment
from video_json_ai.util.progress import CancelToken, no_progress


def run(segments: list[RenderSegment], out: Path, **options: object) -> object:
    return render(segments, RenderOptions(**options), out, progress=no_progress, cancel=CancelToken())


def seg(path: Path, start: float = 0.0, end: float | None = None) -> RenderSegment:
    return RenderSegment(path=str(path), start_s=start, end_s=end)


@pytest.fixture(scope="module")
def flash(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_flash_clip(tmp_path_factory.mktemp("src") / "flash.mp4")


def test_trim_and_concat_mp4_keeps_sync_and_duration(flash: Path, tmp_path: Path) -> None:
    # a second source of another size, rate and sound layout: normalised to the first's
    other = make_flash_clip(tmp_path / "other.mp4", width=256, height=192, fps=30, flashes_s=(0.5,), seconds=1.2)
    out = tmp_path / "out.mp4"
    spans = [seg(flash, 0.5, 1.7), seg(other, 0.2), seg(flash, 2.0, 2.6)]
    info = run(spans, out)
    got = probe_output(out)
    assert got.format.startswith("mov,mp4")
    assert (got.video_codec, got.audio_codec) == ("h264", "aac")
    assert (got.width, got.height) == (320, 180) and got.fps == 25.0
    want_s = 1.2 + 1.0 + 0.6
    assert abs(got.duration_s - want_s) <= 1 / 25 + 1e-6
    assert info.duration_s == got.duration_s and info.size_bytes == out.stat().st_size  # type: ignore[attr-defined]
    # flashes of span 1 at 0.6 and 1.4 s, of span 2 at 0.5 s (output 1.2 + 0.3), of span 3 at 2.2 s
    assert_in_sync(out, [0.1, 0.9, 1.5, 2.2 + 0.2])
    with av.open(str(out)) as c:  # yuv420p and +faststart: the index (moov) comes before the data
        assert c.streams.video[0].codec_context.pix_fmt == "yuv420p"
    data = out.read_bytes()
    assert 0 <= data.find(b"moov") < data.find(b"mdat")


def test_trim_is_frame_accurate(flash: Path, tmp_path: Path) -> None:
    on, after = tmp_path / "on.mp4", tmp_path / "after.mp4"
    run([seg(flash, 1.4, 2.0)], on)  # starts on the flash frame (frame 35)
    run([seg(flash, 1.44, 2.0)], after)  # starts on the frame after it
    assert flash_times(on) == [0.0] and abs(click_times(on)[0]) <= SYNC_S
    assert flash_times(after) == [] and click_times(after) == []
    assert probe_output(on).duration_s == 0.6 and probe_output(after).duration_s == 0.56


def test_source_without_sound_gets_silence(flash: Path, tmp_path: Path) -> None:
    mute = make_flash_clip(tmp_path / "mute.mp4", audio=False, seconds=1.0, flashes_s=(0.4,))
    out = tmp_path / "mixed.mp4"
    run([seg(mute), seg(flash, 1.0, 2.0)], out)
    got = probe_output(out)
    assert got.audio_codec == "aac" and abs(got.duration_s - 2.0) <= 0.04
    flashes, clicks = flash_times(out), click_times(out)
    assert [round(f, 2) for f in flashes] == [0.4, 1.4]
    assert len(clicks) == 1 and abs(clicks[0] - 1.4) <= SYNC_S  # silence under the mute clip


def test_webm_vp9_opus(flash: Path, tmp_path: Path) -> None:
    out = tmp_path / "clip.webm"
    run([seg(flash, 1.0, 2.5)], out, format="webm", quality="low")
    got = probe_output(out)
    assert "webm" in got.format and (got.video_codec, got.audio_codec) == ("vp9", "opus")
    assert abs(got.duration_s - 1.5) <= 0.04
    assert_in_sync(out, [0.4, 1.2])


def test_gif_and_audio_only(flash: Path, tmp_path: Path) -> None:
    gif = tmp_path / "clip.gif"
    run([seg(flash, 0.0, 2.0)], gif, format="gif")
    got = probe_output(gif)
    assert got.format == "gif" and got.video_codec == "gif" and got.audio_codec is None
    assert (got.width, got.height) == (320, 180)
    assert abs(got.duration_s - 2.0) <= 0.08
    for fmt, codec in (("mp3", "mp3"), ("wav", "pcm_s16le")):
        out = tmp_path / f"clip.{fmt}"
        run([seg(flash, 0.5)], out, format=fmt)
        got = probe_output(out)
        assert got.video_codec is None and got.audio_codec == codec and got.audio_channels == 2
        assert abs(got.duration_s - 2.5) <= 0.05
        clicks = click_times(out)
        assert len(clicks) == 3 and all(abs(c - w) <= SYNC_S for c, w in zip(clicks, (0.1, 0.9, 1.7)))


def _bars(lumas: list[np.ndarray], rows: slice) -> float:
    return float(np.mean([frame[rows].mean() for frame in lumas]))


def test_vertical_1080x1920_crop_and_pad(tmp_path: Path) -> None:
    src = make_flash_clip(tmp_path / "wide.mp4", seconds=0.4, flashes_s=(), tint=120)
    results = {}
    for fit, style in (("crop", "blur"), ("pad", "blur"), ("pad", "black")):
        out = tmp_path / f"v_{fit}_{style}.mp4"
        run([seg(src)], out, aspect="9:16", resolution="1080p", allow_upscale=True, fit=fit, pad_style=style,
            quality="low")
        got = probe_output(out)
        assert (got.width, got.height) == (1080, 1920)
        assert abs(got.duration_s - 0.4) <= 0.04
        results[(fit, style)] = frames_luma(out, 3)
    top = slice(0, 600)  # the picture covers rows ~656..1264 when padded
    middle = slice(800, 1100)
    assert _bars(results[("pad", "black")], top) < 20  # black bars
    assert _bars(results[("crop", "blur")], top) > 60  # picture up to the edge
    blur_top = _bars(results[("pad", "blur")], top)
    assert 40 < blur_top  # blurred picture, not black
    # the blurred bars are smooth: far less detail than the cropped picture
    crop_detail = np.abs(np.diff(results[("crop", "blur")][0][top], axis=1)).mean()
    blur_detail = np.abs(np.diff(results[("pad", "blur")][0][top], axis=1)).mean()
    assert blur_detail < crop_detail / 2
    for frames in results.values():
        assert _bars(frames, middle) > 60


def test_title_drawn_over_the_first_seconds(flash: Path, tmp_path: Path) -> None:
    plain, titled = tmp_path / "plain.mp4", tmp_path / "titled.mp4"
    run([seg(flash, 0.0, 2.0)], plain, quality="max")
    run([seg(flash, 0.0, 2.0)], titled, quality="max", title="Launch day", title_position="bottom",
        title_duration_s=1.0)
    a, b = frames_luma(plain), frames_luma(titled)
    assert len(a) == len(b) == 50
    diff_first = np.abs(a[5] - b[5])
    band = diff_first[120:175]  # bottom band of the 180-row frame
    assert band.mean() > 15 and band.max() > 100  # text and its dark band
    assert diff_first[:80].mean() < 2  # the rest of the picture is unchanged
    assert np.abs(a[40] - b[40]).mean() < 2  # gone after title_duration_s (frame 40 = 1.6 s)


def test_rotated_source_is_shown_upright(tmp_path: Path) -> None:
    src = make_flash_clip(tmp_path / "rot.mp4", rotation=90, seconds=1.0, flashes_s=())
    out = tmp_path / "upright.mp4"
    run([seg(src)], out)
    got = probe_output(out)
    assert (got.width, got.height) == (180, 320)
    with av.open(str(out)) as c:
        frame = next(c.decode(video=0))
        assert not frame.rotation
        rgb = frame.to_ndarray(format="rgb24").astype(int)
    # the red corner (top-left of the stored picture) is bottom-left once turned 90 degrees counter-clockwise
    red = rgb[..., 0] - rgb[..., 1]
    assert red[-60:, :30].mean() > 60 and red[:60, :30].mean() < 30 and red[-60:, -30:].mean() < 30


def test_shared_rotated_phone_clip(shared_media: Path, tmp_path: Path) -> None:
    out = tmp_path / "phone.mp4"
    run([seg(shared_media / "issue-134-rotate.mp4", 1.0, 2.0)], out, resolution="480p")
    got = probe_output(out)
    assert got.height is not None and got.width is not None and got.height > got.width  # portrait as displayed
    assert abs(got.duration_s - 1.0) <= 1 / 23.976 + 1e-3 and got.audio_codec == "aac"


def test_resolution_is_met_with_a_warning_when_the_source_is_smaller(tmp_path: Path) -> None:
    src = make_flash_clip(tmp_path / "small.mp4", seconds=0.4, flashes_s=())  # 320x180
    plan = plan_render([seg(src)], RenderOptions(resolution="1080p", aspect="9:16"))
    assert plan.size == (1080, 1920)  # what was asked, not the source's 180 short side
    assert len(plan.warnings) == 1 and "smaller than the 1080p" in plan.warnings[0] and "180" in plan.warnings[0]
    plan = plan_render([seg(src)], RenderOptions(resolution="2160p", aspect="1:1", allow_upscale=True))
    assert plan.size == (2160, 2160) and plan.warnings == ()  # upscaling said to be intended: no warning
    plan = plan_render([seg(src)], RenderOptions(resolution="source", aspect="4:5"))
    assert plan.size == (180, 224) and plan.warnings == ()  # no resolution given: never upscaled
    plan = plan_render([seg(src)], RenderOptions(resolution="480p", aspect="16:9", allow_upscale=False))
    assert plan.size == (854, 480) and len(plan.warnings) == 1


def test_upscale_warning_only_above_the_largest_source() -> None:
    assert upscale_warning((1920, 1080), 1080, allow_upscale=False) is None
    assert upscale_warning((1080, 1920), 1080, allow_upscale=False) is None
    found = upscale_warning((1080, 1920), 720, allow_upscale=False)
    assert found is not None and "1080x1920" in found and "720" in found
    assert upscale_warning((1080, 1920), 720, allow_upscale=True) is None


def test_output_size_caps_and_shapes() -> None:
    def size(first: tuple[int, int], resolution: str = "source", aspect: str = "source"):  # noqa: ANN202
        return output_size(first=first, resolution=resolution, aspect=aspect)  # type: ignore[arg-type]

    uhd, uhd_portrait = (3840, 2160), (2160, 3840)
    assert size(uhd) == (1920, 1080) and size(uhd_portrait) == (1080, 1920)  # capped unless 2160p
    assert size(uhd, "2160p") == (3840, 2160) and size(uhd, "2160p", "9:16") == (2160, 3840)
    assert size(uhd, aspect="9:16") == (1080, 1920) and size(uhd, "1080p", "4:5") == (1080, 1350)
    assert size((1920, 1080), "720p", "1:1") == (720, 720)
    assert size((1280, 720)) == (1280, 720)  # source: never upscaled ...
    assert size((1280, 720), "1080p") == (1920, 1080)  # ... a resolution asked for is met
    assert size((1280, 720), "1080p", "9:16") == (1080, 1920)
    assert size((640, 480), aspect="16:9") == (854, 480)


def test_bad_requests_get_clear_errors(flash: Path, tmp_path: Path) -> None:
    out = tmp_path / "bad.mp4"
    cases = [
        ([seg(flash, 2.0, 1.0)], RenderOptions(), "not before end_s"),
        ([seg(flash, 0.0, 9.0)], RenderOptions(), "beyond the end"),
        ([seg(flash, 5.0)], RenderOptions(), "after the end"),
        ([seg(flash, -1.0)], RenderOptions(), "negative"),
        ([seg(tmp_path / "missing.mp4")], RenderOptions(), "does not exist"),
        ([], RenderOptions(), "Nothing to render"),
        ([seg(flash)], RenderOptions.model_construct(**{**RenderOptions().model_dump(), "format": "avi"}),
         "Unsupported format"),
    ]
    for segments, options, words in cases:
        with pytest.raises(InvalidInput, match=words) as err:
            render(segments, options, out, progress=no_progress, cancel=CancelToken())
        assert err.value.fix, words
    from PIL import Image

    Image.new("RGB", (64, 48), (200, 10, 10)).save(tmp_path / "still.png")
    with pytest.raises(InvalidInput, match="is a still image"):
        run([seg(tmp_path / "still.png")], out)
    mute = make_flash_clip(tmp_path / "mute.mp4", audio=False, seconds=0.4, flashes_s=())
    with pytest.raises(InvalidInput, match="has sound"):
        run([seg(mute)], tmp_path / "mute.mp3", format="mp3")
    with pytest.raises(InvalidInput, match="does not end in .webm"):
        run([seg(flash)], out, format="webm")
    assert not out.exists() and not list(tmp_path.glob(".*partial*"))


def test_no_silent_overwrite_and_explicit_overwrite(flash: Path, tmp_path: Path) -> None:
    out = tmp_path / "taken.mp4"
    out.write_bytes(b"keep me")
    with pytest.raises(InvalidInput, match="already exists"):
        run([seg(flash, 0.0, 0.5)], out)
    assert out.read_bytes() == b"keep me"
    render([seg(flash, 0.0, 0.5)], RenderOptions(), out, progress=no_progress, cancel=CancelToken(),
           overwrite=True)
    assert probe_output(out).video_codec == "h264"


def test_cancelled_render_leaves_no_file(flash: Path, tmp_path: Path) -> None:
    out = tmp_path / "cancelled.mp4"
    token = CancelToken()
    seen: list[float] = []

    def progress(fraction: float, message: str) -> None:
        seen.append(fraction)
        if fraction > 0.1:
            token.cancel()

    with pytest.raises(Cancelled):
        render([seg(flash)], RenderOptions(), out, progress=progress, cancel=token)
    assert seen and not out.exists() and list(tmp_path.iterdir()) == []


def test_progress_goes_up_to_one(flash: Path, tmp_path: Path) -> None:
    seen: list[float] = []
    render([seg(flash, 0.0, 2.0)], RenderOptions(), tmp_path / "p.mp4",
           progress=lambda f, m: seen.append(f), cancel=CancelToken())
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen) and len(seen) > 3


def test_default_output_name() -> None:
    name = default_output_name("My demo (final)", RenderOptions(resolution="1080p", aspect="9:16", fit="crop"))
    assert name == "My-demo-final_1080p_9x16-crop_high.mp4"
    assert default_output_name("talk", RenderOptions(format="mp3", quality="low")) == "talk_low.mp3"
    assert default_output_name("a", RenderOptions(format="webm"), extra="scenes 2,5").endswith("_scenes-2-5_high.webm")


def _nearest(frame: np.ndarray, source: list[np.ndarray], around: int) -> int:
    """Index (among around-1..around+1) of the source frame closest to ``frame``."""
    candidates = [i for i in (around - 1, around, around + 1) if 0 <= i < len(source)]
    return min(candidates, key=lambda i: float(np.abs(source[i] - frame).mean()))


def test_shared_counter_clip_trim_is_frame_exact_and_goes_vertical(shared_media: Path, tmp_path: Path) -> None:
    src = shared_media / "counter.mp4"  # 1920x1080, 10 fps, each frame shows its number; frame k at k/10 s
    out = tmp_path / "counter.mp4"
    run([seg(src, 1.0, 1.8)], out, quality="low")
    got = probe_output(out)
    assert (got.width, got.height, got.fps, got.duration_s) == (1920, 1080, 10.0, 0.8)
    source, frames = frames_luma(src), frames_luma(out)
    assert len(frames) == 8
    assert [_nearest(f, source, 10 + k) for k, f in enumerate(frames)] == list(range(10, 18))
    for fit in ("crop", "pad"):  # a real 16:9 1080p source to 9:16 1080x1920, not upscaled
        vertical = tmp_path / f"vertical-{fit}.mp4"
        run([seg(src, 1.0, 1.4)], vertical, aspect="9:16", resolution="1080p", fit=fit, pad_style="black",
            quality="low")
        got = probe_output(vertical)
        assert (got.width, got.height, got.duration_s) == (1080, 1920, 0.4)
        luma = frames_luma(vertical, 1)[0]
        if fit == "pad":  # black bars; the whole picture between them, its frame number bottom right
            assert luma[:600].mean() < 5 and luma[-600:].mean() < 5 and luma[1100:1260, 700:].std() > 20
        else:  # the grey picture up to the edges (the centre crop cuts the number off)
            assert luma[:600].mean() > 80 and luma[-600:].mean() > 80


def test_shared_anamorphic_clip_keeps_its_shape_and_cut(shared_media: Path, tmp_path: Path) -> None:
    src = shared_media / "issue-195-aspect-ratio.mp4"  # 704x576 stored, 16:11 pixels; a hard cut at frame 70
    out = tmp_path / "pal.mp4"
    run([seg(src, 2.0, 3.6)], out, resolution="480p", quality="low")
    got = probe_output(out)
    assert (got.width, got.height, got.audio_codec) == (854, 480, "aac")
    assert abs(got.duration_s - 1.6) <= 1 / 25 + 1e-6
    frames = frames_luma(out)
    jumps = [float(np.abs(b - a).mean()) for a, b in zip(frames, frames[1:])]
    assert int(np.argmax(jumps)) + 1 == 20  # the cut at 2.8 s is output frame 20 (0.8 s)


def test_shared_clip_starting_late_counts_from_its_first_frame(shared_media: Path, tmp_path: Path) -> None:
    src = shared_media / "delayed_start.mp4"  # the stream starts at 1.075 s; 24 frames at 25 fps
    out = tmp_path / "late.mp4"
    run([seg(src, 0.4)], out)
    got = probe_output(out)
    assert abs(got.duration_s - 0.56) <= 1 / 25 + 1e-6
    source, frames = frames_luma(src), frames_luma(out)
    assert len(frames) == 14 and _nearest(frames[0], source, 10) == 10


def test_title_reads_back_by_ocr(tmp_path: Path) -> None:
    rapidocr = pytest.importorskip("rapidocr", reason="OCR (rapidocr) is not installed")
    src = make_flash_clip(tmp_path / "wide.mp4", width=640, height=360, seconds=1.2, flashes_s=())
    out = tmp_path / "titled.mp4"
    run([seg(src)], out, title="Launch day 2026", title_position="top", title_duration_s=0.6)
    engine = rapidocr.RapidOCR(params={"Global.use_cls": False, "Global.log_level": "error", "Det.limit_type": "max",
                                       "Det.limit_side_len": 640})
    with av.open(str(out)) as c:
        frames = [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]
    first, late = engine(frames[2]), engine(frames[-1])
    assert first.txts and "Launch day 2026" in " ".join(first.txts), first.txts
    assert first.boxes is not None and float(np.asarray(first.boxes)[..., 1].max()) < 180  # the top half
    assert "Launch" not in " ".join(late.txts or ())  # gone after title_duration_s
