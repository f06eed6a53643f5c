"""Encoders and muxer of a render: FFmpeg through PyAV, or Pillow for GIFs."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Protocol

import av
import numpy as np

from video_json_ai.engine.render.output import AUDIO_RATE, Preset


class Writer(Protocol):
    def video(self, frame: av.VideoFrame, index: int) -> None: ...
    def audio(self, samples: np.ndarray, start: int) -> None: ...
    def close(self) -> None: ...
    def abort(self) -> None: ...


class MediaWriter:
    """H.264/VP9 video and AAC/Opus/MP3/PCM audio into one container."""

    def __init__(self, path: Path, preset: Preset, *, size: tuple[int, int] | None, fps: Fraction | None,
                 audio: bool) -> None:
        self._out = av.open(str(path), "w", format=preset.container, container_options=preset.container_options)
        self._v = None
        self._a = None
        try:
            if preset.video_codec and size and fps:
                v = self._out.add_stream(preset.video_codec, rate=fps)
                v.width, v.height = size
                v.pix_fmt = "yuv420p"
                v.time_base = 1 / fps
                v.codec_context.bit_rate = 0  # quality (CRF) mode, not a bit rate
                v.options = dict(preset.video_options)
                v.thread_type = "AUTO"
                self._v = v
                self._tb = 1 / fps
            if audio and preset.audio_codec:
                a = self._out.add_stream(preset.audio_codec, rate=AUDIO_RATE)
                a.layout = "stereo"
                if preset.audio_bit_rate:
                    a.bit_rate = preset.audio_bit_rate
                self._a = a
        except BaseException:
            self._out.close()
            raise

    def video(self, frame: av.VideoFrame, index: int) -> None:
        frame.pts = index
        frame.time_base = self._tb
        frame.pict_type = av.video.frame.PictureType.NONE
        self._out.mux(self._v.encode(frame))  # type: ignore[union-attr]

    def audio(self, samples: np.ndarray, start: int) -> None:
        if self._a is None or samples.shape[1] == 0:
            return
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples, dtype=np.float32), format="fltp",
                                           layout="stereo")
        frame.sample_rate = AUDIO_RATE
        frame.pts = start
        frame.time_base = Fraction(1, AUDIO_RATE)
        self._out.mux(self._a.encode(frame))

    def close(self) -> None:
        for stream in (self._v, self._a):
            if stream is not None:
                self._out.mux(stream.encode(None))
        self._out.close()

    def abort(self) -> None:
        try:
            self._out.close()
        except (av.FFmpegError, OSError, ValueError):
            pass


class GifWriter:
    """An animated GIF through Pillow (adaptive palette per frame). Short clips only: frames stay in memory
    (at most GIF_MAX_S seconds at 480p: about 400 frames of 410 kB)."""

    def __init__(self, path: Path, fps: Fraction) -> None:
        self._path = path
        self._ms = int(round(1000 / float(fps)))
        self._images: list[object] = []

    def video(self, frame: av.VideoFrame, index: int) -> None:
        from PIL import Image

        # Each frame gets its own 256-colour palette now (as Pillow's GIF writer would do at the
        # end), so a frame held in memory takes a third of its RGB size.
        self._images.append(frame.to_image().convert("P", palette=Image.Palette.ADAPTIVE, colors=256))

    def audio(self, samples: np.ndarray, start: int) -> None:
        """GIFs have no sound."""

    def close(self) -> None:
        first, *rest = self._images
        first.save(self._path, format="GIF", save_all=True, append_images=rest,  # type: ignore[attr-defined]
                   duration=self._ms, loop=0, optimize=False)
        self._images.clear()

    def abort(self) -> None:
        self._images.clear()
