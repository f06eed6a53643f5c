"""ASS dialogue (what FFmpeg's decoders turn every text subtitle into) to plain text.

FFmpeg decodes SubRip, WebVTT, mov_text and ASS/SSA alike into ASS events: ``ReadOrder, Layer,
Style, Name, MarginL, MarginR, MarginV, Effect, Text``; SubRip's ``<i>`` becomes ``{\\i1}`` and so
on. Here the Text field loses its override blocks (``{...}``: styling, positions, karaoke), the
vector drawings they switch on (``{\\p1}m 0 0 l ...{\\p0}``: shapes, not words), and its escapes:
``\\N`` / ``\\n`` are line breaks, ``\\h`` a hard space (kept as a space), and a backslash
followed by a word joiner (how FFmpeg escapes a literal backslash) a backslash.
"""

from __future__ import annotations

import re

_FIELDS_BEFORE_TEXT = 8
_OVERRIDE = re.compile(r"\{([^}]*)\}")
_DRAWING = re.compile(r"\\p(\d+)")


def dialogue_text(event: str) -> str:
    """The Text field of one ASS event line (as FFmpeg's decoders give it), as plain text."""
    parts = event.split(",", _FIELDS_BEFORE_TEXT)
    return plain_text(parts[-1] if len(parts) > _FIELDS_BEFORE_TEXT else event)


def plain_text(text: str) -> str:
    """ASS markup removed: override blocks, drawings, escapes; blank lines dropped."""
    out: list[str] = []
    drawing = False
    pos = 0
    for m in _OVERRIDE.finditer(text):
        if not drawing:
            out.append(text[pos : m.start()])
        scales = _DRAWING.findall(m.group(1))
        if scales:
            drawing = int(scales[-1]) > 0
        pos = m.end()
    if not drawing:
        out.append(text[pos:])
    plain = "".join(out).replace("\\N", "\n").replace("\\n", "\n").replace("\\h", " ")
    plain = plain.replace("\\\u2060", "\\")  # FFmpeg's escape of a literal backslash (a word joiner after it)
    lines = [" ".join(line.split()) for line in plain.replace("\r", "").split("\n")]
    return "\n".join(line for line in lines if line)
