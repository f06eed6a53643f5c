"""No secret leaves: the final redaction pass over all outgoing text.

The values of environment variables whose names hold TOKEN, KEY, SECRET or PASSWORD, and the
cloud token (noted by the store whenever it is read or saved), are replaced by ``[redacted]`` in
every tool result, error, progress message, resource and log line: the MCP server passes its
answers through ``redact_data`` (a middleware), progress through ``redact``, and stderr (every
log line and traceback) through ``RedactingStream``.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from typing import Any, TextIO
from urllib.parse import quote

SECRET_WORDS = ("TOKEN", "KEY", "SECRET", "PASSWORD", "PASSWD")
MIN_LENGTH = 8
"""Shorter values (``1``, ``true``) would blank ordinary text; they are not secrets worth the name."""
MARK = "[redacted]"


def secret_names(environ: dict[str, str]) -> list[str]:
    return [name for name in environ if any(word in name.upper() for word in SECRET_WORDS)]


class Redactor:
    def __init__(self) -> None:
        self._values: set[str] = set()
        self._forms: list[str] = []
        self._lock = threading.Lock()

    def add(self, value: str | None) -> None:
        """Never let ``value`` out (nor its JSON-escaped or URL-encoded forms)."""
        if not value or len(value) < MIN_LENGTH or value in self._values:
            return
        with self._lock:
            self._values.add(value)
            forms = {value, json.dumps(value)[1:-1], quote(value, safe="")}
            self._forms = sorted(set(self._forms) | {f for f in forms if len(f) >= MIN_LENGTH}, key=len, reverse=True)

    def add_environment(self, environ: dict[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        for name in secret_names(dict(env)):
            self.add(env.get(name))

    def text(self, text: str) -> str:
        for form in self._forms:
            if form in text:
                text = text.replace(form, MARK)
        return text

    def data(self, value: Any) -> Any:
        """``value`` (str, dict, list, pydantic model) with every string redacted."""
        if not self._forms:
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.data(k): self.data(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(self.data(v) for v in value)
        if hasattr(value, "model_dump") and hasattr(value, "model_validate"):
            dumped = value.model_dump(mode="json", by_alias=True, exclude_unset=True)
            cleaned = self.data(dumped)
            return value if cleaned == dumped else type(value).model_validate(cleaned)
        return value


REDACTOR = Redactor()
REDACTOR.add_environment()


def redact(text: str) -> str:
    return REDACTOR.text(text)


def redact_data(value: Any) -> Any:
    return REDACTOR.data(value)


class RedactingStream:
    """A text stream that redacts what is written to it (installed over sys.stderr)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(redact(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def install_stderr() -> None:
    """Every later write to sys.stderr (log handlers made after this, tracebacks) is redacted."""
    if not isinstance(sys.stderr, RedactingStream) and sys.stderr is not None:
        sys.stderr = RedactingStream(sys.stderr)  # type: ignore[assignment]


def scrub_environment() -> None:
    """Drop secret variables from this process's environment (a worker that decodes hostile
    files needs none of them)."""
    for name in secret_names(dict(os.environ)):
        os.environ.pop(name, None)


async def middleware(ctx: Any, call_next: Any) -> Any:
    """MCP server middleware: every answer (results, tool errors, resources) redacted; errors too."""
    from mcp.shared.exceptions import MCPError

    try:
        return redact_data(await call_next(ctx))
    except MCPError as exc:
        message = redact(str(exc.error.message))
        if message == exc.error.message and exc.error.data is None:
            raise
        raise MCPError(code=exc.error.code, message=message, data=redact_data(exc.error.data)) from None
