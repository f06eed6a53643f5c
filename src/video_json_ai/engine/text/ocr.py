"""On-screen text: OCR on frames sampled during the one decode pass, merged into timed entries.

Sampling: a frame every ``interval_s`` (default 1 s), plus one 0.1 s after each hard picture change
(so every shot gets looked at). OCR reads a copy scaled to at most ``max_side`` (768) pixels. When a sampled picture is nearly the same as the last one read (text
overlays tend to sit on static pictures), the previous reading is reused instead of running OCR
again, so static stretches are sampled densely at little cost.

OCR: RapidOCR (Apache-2.0) with the PP-OCRv6 small detection and recognition models (Chinese and
English, Apache-2.0) that ship inside the ``rapidocr`` wheel, on onnxruntime; nothing is downloaded.
"""

from __future__ import annotations

import difflib
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from video_json_ai.engine.analysis.frames import DecodedFrame
from video_json_ai.errors import NotAvailable
from video_json_ai.models.text import TextOverlay
from video_json_ai.models.common import Box
from video_json_ai.util.progress import CancelToken

_engine: Any = None
_engine_lock = threading.Lock()


def ocr_engine() -> Any:
    """The RapidOCR engine, built once per process (loading the models takes about a second)."""
    global _engine
    with _engine_lock:
        if _engine is None:
            try:
                from rapidocr import RapidOCR
            except ImportError as exc:
                raise NotAvailable("the OCR package (rapidocr, onnxruntime) is not installed",
                                   "Reinstall video-json-ai: pip install -e . brings rapidocr and onnxruntime.") from exc
            logging.getLogger("RapidOCR").setLevel(logging.ERROR)
            _engine = RapidOCR(params={
                "Global.use_cls": False,          # overlays are upright; saves a model call per line
                "Global.log_level": "error",
                "Det.limit_type": "max",          # never upscale small frames (the default upscales to 736)
                "Det.limit_side_len": 960,
                # one thread: it shares the machine with FFmpeg's decode threads (2x less CPU per frame here)
                "EngineConfig.onnxruntime.intra_op_num_threads": 1,
                "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            })
        return _engine


@dataclass
class Reading:
    text: str
    confidence: float
    box: tuple[float, float, float, float]
    """x, y, width, height in 0..1 of the displayed frame."""


def read_text(rgb: np.ndarray, min_confidence: float = 0.6) -> list[Reading]:
    """OCR one picture (H x W x 3, uint8): its text lines with normalised boxes."""
    h, w = rgb.shape[:2]
    out = ocr_engine()(np.ascontiguousarray(rgb[:, :, ::-1]))  # the engine works in BGR
    if not out.txts:
        return []
    readings = []
    for text, score, box in zip(out.txts, out.scores, out.boxes):
        text = " ".join(str(text).split())
        if not text or float(score) < min_confidence:
            continue
        if len(_key(text)) <= 1 and float(score) < 0.9:  # a lone unsure glyph is usually a shape, not text
            continue
        pts = np.asarray(box, dtype=np.float64)
        x0, y0 = np.clip(pts.min(axis=0) / (w, h), 0, 1)
        x1, y1 = np.clip(pts.max(axis=0) / (w, h), 0, 1)
        readings.append(Reading(text, float(score), (float(x0), float(y0), float(x1 - x0), float(y1 - y0))))
    return readings


def _key(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _similar(a: str, b: str) -> bool:
    """The same text read twice (OCR may wobble on a letter), but numbers must match exactly:
    "Frame 1" and "Frame 11", or two prices, are different texts."""
    ka, kb = _key(a), _key(b)
    if not ka or not kb:
        return a == b
    if ka == kb:
        return True
    digits = [c for c in ka if c.isdigit()] == [c for c in kb if c.isdigit()]
    return digits and difflib.SequenceMatcher(None, ka, kb).ratio() >= 0.8


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    ix = max(0.0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = ix * iy
    smaller = min(a[2] * a[3], b[2] * b[3])
    return inter / smaller if smaller > 0 else 0.0


@dataclass
class _Track:
    start_s: float
    last_s: float
    best: Reading
    scores: list[float] = field(default_factory=list)
    misses: int = 0

    def overlay(self, frame_s: float) -> TextOverlay:
        x, y, w, h = self.best.box
        end = self.last_s if self.last_s > self.start_s else self.start_s + frame_s
        return TextOverlay(
            start_s=round(self.start_s, 3), end_s=round(end, 3), scene_index=None, text=self.best.text,
            confidence=round(float(np.mean(self.scores)), 4),
            box=Box(x=round(x, 4), y=round(y, 4), width=round(w, 4), height=round(h, 4)),
        )


class TextSampler:
    """A FrameAnalyzer: samples frames, reads their text, merges repeats into timed entries."""

    def __init__(self, interval_s: float = 1.0, max_side: int = 768, cancel: CancelToken | None = None) -> None:
        self.interval_s = interval_s
        self.max_side = max_side
        self.cancel = cancel or CancelToken()
        self.next_due = 0.0
        self.prev_luma: np.ndarray | None = None
        self.read_luma: np.ndarray | None = None
        self.readings: list[Reading] = []
        self.open: list[_Track] = []
        self.done: list[_Track] = []
        self.samples = 0
        self.ocr_runs = 0
        self.ocr_s = 0.0
        self.frame_s = 0.04
        self.last_t = 0.0
        self._size: tuple[int, int] | None = None
        self._turns = 0

    def on_frame(self, frame: DecodedFrame) -> None:
        t = frame.time_s
        luma = frame.luma.astype(np.int16)
        if frame.index and t > self.last_t:
            self.frame_s = t - self.last_t
        self.last_t = t
        if self.prev_luma is not None and np.abs(luma - self.prev_luma).mean() > 25:
            self.next_due = min(self.next_due, t + 0.1)  # a hard change: look again once it settles
        self.prev_luma = luma
        if t + 1e-6 < self.next_due:
            return
        self.next_due = t + self.interval_s
        self.samples += 1
        if self.read_luma is None or np.abs(luma - self.read_luma).max() > 8:
            t0 = time.perf_counter()
            self.readings = read_text(self._picture(frame))
            self.ocr_s += time.perf_counter() - t0
            self.read_luma = luma
            self.ocr_runs += 1
            self.cancel.raise_if_cancelled()
        self._observe(t, self.readings)

    def _picture(self, frame: DecodedFrame) -> np.ndarray:
        av_frame = frame.av_frame
        if self._size is None:
            w, h = av_frame.width, av_frame.height
            scale = min(1.0, self.max_side / max(w, h))
            self._size = (max(2, int(w * scale) // 2 * 2), max(2, int(h * scale) // 2 * 2))
            self._turns = int(round((av_frame.rotation or 0) / 90.0)) % 4
        w, h = self._size
        rgb = av_frame.reformat(width=w, height=h, format="rgb24", interpolation="AREA").to_ndarray()
        return np.rot90(rgb, k=self._turns) if self._turns else rgb

    def _observe(self, t: float, readings: list[Reading]) -> None:
        matched: set[int] = set()
        for r in readings:
            for i, track in enumerate(self.open):
                if i not in matched and _similar(track.best.text, r.text) and _overlap(track.best.box, r.box) > 0.3:
                    matched.add(i)
                    track.last_s, track.misses = t, 0
                    track.scores.append(r.confidence)
                    if r.confidence > track.best.confidence:
                        track.best = r
                    break
            else:
                self.open.append(_Track(start_s=t, last_s=t, best=r, scores=[r.confidence]))
                matched.add(len(self.open) - 1)
        still = []
        for i, track in enumerate(self.open):
            if i not in matched:
                track.misses += 1
            (self.done if track.misses >= 2 else still).append(track)
        self.open = still

    def finish(self) -> None:
        self.done.extend(self.open)
        self.open = []

    def overlays(self, scene_starts: list[float] | None = None) -> list[TextOverlay]:
        """The merged entries in time order; ``scene_starts`` (ascending) sets each scene_index."""
        items = sorted((tr.overlay(self.frame_s) for tr in self.done), key=lambda o: (o.start_s, o.box.y, o.box.x))
        if scene_starts:
            starts = np.asarray(scene_starts)
            for o in items:
                o.scene_index = max(int(np.searchsorted(starts, o.start_s + 1e-6, side="right")) - 1, 0)
        return items
