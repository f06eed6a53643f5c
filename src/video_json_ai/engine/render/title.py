"""A title drawn over the first seconds of a render.

The text is drawn once with Pillow's bundled FreeType font (``ImageFont.load_default(size=...)``,
Pillow >= 10.1; no system font), as white letters with a dark outline on a translucent dark band.
Everything is grey, so it blends straight into the yuv420p planes of each output frame: luma is
mixed with the drawn grey levels, chroma is pulled toward neutral by the same alpha.
"""

from __future__ import annotations

from dataclasses import dataclass

import av
import numpy as np

from video_json_ai.errors import InvalidInput, NotAvailable
from video_json_ai.models.render import TitlePosition

BAND_ALPHA = 0.45
FADE_S = 0.25
MAX_LINES = 3


def _font(size: int):  # type: ignore[no-untyped-def]
    try:
        from PIL import ImageFont
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise NotAvailable("Titles need Pillow, which is not installed",
                           "Install it: pip install 'pillow>=10.1'.") from exc
    font = ImageFont.load_default(size=size)
    if not isinstance(font, ImageFont.FreeTypeFont):  # Pillow without FreeType: only a tiny bitmap font
        raise NotAvailable("Titles need Pillow built with FreeType",
                           "Install the Pillow wheel from PyPI (it bundles FreeType).")
    return font


def _wrap(text: str, font, max_width: int) -> list[str] | None:  # type: ignore[no-untyped-def]
    lines: list[str] = []
    for paragraph in text.splitlines() or [text]:
        current = ""
        for word in paragraph.split():
            trial = f"{current} {word}".strip()
            if font.getlength(trial) <= max_width:
                current = trial
            elif not current or font.getlength(word) > max_width:
                return None
            else:
                lines.append(current)
                current = word
        if current:
            lines.append(current)
    return lines if len(lines) <= MAX_LINES else None


@dataclass
class TitleOverlay:
    """The drawn title: a band of rows ``y0 .. y0+h`` of the output frame."""

    y0: int
    luma: np.ndarray
    """Grey levels of the band as video luma (16..235), float32 h x W."""
    alpha: np.ndarray
    """Opacity of the band, 0..1, float32 h x W."""
    alpha_c: np.ndarray
    """Opacity at chroma resolution, h/2 x W/2."""
    duration_s: float

    @classmethod
    def draw(cls, text: str, width: int, height: int, position: TitlePosition, duration_s: float) -> TitleOverlay:
        from PIL import Image, ImageDraw

        text = " ".join(text.split()) if "\n" not in text else text.strip()
        if not text:
            raise InvalidInput("The title is empty", "Pass some text as title, or leave it out.")
        size = max(10, int(min(width, height) * 0.075))
        max_w = int(width * 0.9)
        lines = None
        while size >= 8:
            font = _font(size)
            lines = _wrap(text, font, max_w)
            if lines:
                break
            size = int(size * 0.85)
        if not lines:
            raise InvalidInput(f"The title does not fit on a {width}x{height} frame",
                               "Use a shorter title (a few words) or a larger resolution.")
        ascent, descent = font.getmetrics()
        line_h = ascent + descent
        gap = max(2, size // 5)
        pad = max(4, size // 2)
        band_h = min(height, (len(lines) * line_h + (len(lines) - 1) * gap + 2 * pad + 1) // 2 * 2)
        stroke = max(1, size // 18)

        img = Image.new("LA", (width, band_h), (0, int(255 * BAND_ALPHA)))
        draw = ImageDraw.Draw(img)
        y = pad
        for line in lines:
            draw.text((width / 2, y), line, font=font, fill=(255, 255), anchor="ma",
                      stroke_width=stroke, stroke_fill=(0, 255))
            y += line_h + gap
        arr = np.asarray(img, dtype=np.float32)
        grey, alpha = arr[..., 0], arr[..., 1] / 255.0
        margin = int(height * 0.06)
        if position == "top":
            y0 = margin
        elif position == "center":
            y0 = (height - band_h) // 2
        else:
            y0 = height - band_h - margin
        y0 = max(0, min(height - band_h, y0)) // 2 * 2
        h2, w2 = band_h // 2, width // 2
        alpha_c = alpha[: h2 * 2, : w2 * 2].reshape(h2, 2, w2, 2).mean(axis=(1, 3))
        return cls(y0=y0, luma=16.0 + grey * (219.0 / 255.0), alpha=alpha, alpha_c=alpha_c.astype(np.float32),
                   duration_s=duration_s)

    def strength(self, t: float) -> float:
        """Opacity factor at output time ``t``: full, fading out over the last FADE_S seconds."""
        if t >= self.duration_s:
            return 0.0
        return float(min(1.0, (self.duration_s - t) / FADE_S))

    def apply(self, frame: av.VideoFrame, t: float) -> av.VideoFrame:
        """The frame with the title blended in (a new yuv420p frame), or ``frame`` after the title."""
        k = self.strength(t)
        if k <= 0.0:
            return frame
        w, h = frame.width, frame.height
        planes = np.ascontiguousarray(frame.to_ndarray())  # Y (h x w), then U and V (h/2 x w/2 each)
        flat = planes.reshape(-1)
        n, c = h * w, (h // 2) * (w // 2)
        y_plane = flat[:n].reshape(h, w)
        u_plane = flat[n : n + c].reshape(h // 2, w // 2)
        v_plane = flat[n + c : n + 2 * c].reshape(h // 2, w // 2)
        bh = self.luma.shape[0]
        a = self.alpha * k
        rows = slice(self.y0, self.y0 + bh)
        y_plane[rows] = (y_plane[rows] * (1.0 - a) + self.luma * a + 0.5).astype(np.uint8)
        ac = self.alpha_c * k
        crow = slice(self.y0 // 2, self.y0 // 2 + ac.shape[0])
        for plane in (u_plane, v_plane):
            plane[crow] = (plane[crow] * (1.0 - ac) + 128.0 * ac + 0.5).astype(np.uint8)
        out = av.VideoFrame.from_ndarray(planes, format="yuv420p")
        return out
