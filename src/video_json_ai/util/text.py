"""Reading plain-language requests: does a text mention a word (English word start, or CJK anywhere)."""

from __future__ import annotations

import re

_CJK = re.compile(r"[\u3400-\u9fff]")


def mentions(text: str, word: str) -> bool:
    """``word`` appears in the lower-cased ``text``: at a word start for Latin words, anywhere for CJK."""
    if _CJK.search(word):
        return word in text
    return re.search(rf"(?<![a-z]){re.escape(word)}", text) is not None
