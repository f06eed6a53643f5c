"""The cloud's error codes and HTTP statuses → errors a user can act on.

Recoverable conditions (1001, 1002, 429, HTTP 400 missing client id, 5xx, dropped connections)
become internal ``Retryable`` signals the client handles; everything else becomes a
``CloudError`` (a ``VideoJsonError``: problem + fix). Raw responses are never shown.
"""

from __future__ import annotations

from typing import Any

from video_json_ai.errors import VideoJsonError
from video_json_ai.core.sources import SUPPORTED_TEXT

SUCCESS = 0
BAD_TOKEN = 1001
SESSION_NOT_FOUND = 1002
NO_CREDITS = 2001
UNSUPPORTED_FILE = 4001
FILE_TOO_LARGE = 4002

PLAN_MESSAGE = "Register or upgrade your plan to unlock export."
TOP_UP_MESSAGE = "Top up credits in your account"


class CloudError(VideoJsonError):
    """The cloud refused or failed a request; the message says what to do."""


class AuthError(CloudError):
    """The token was refused and cannot be renewed automatically."""


class NoCredits(CloudError):
    """Code 2001."""


class Retryable(Exception):
    """Internal: a condition the client recovers from (never shown as is)."""

    def __init__(self, kind: str, status: int | None = None, code: int | None = None) -> None:
        super().__init__(f"{kind} (HTTP {status}, code {code})")
        self.kind = kind
        self.status = status
        self.code = code


def body_code(body: Any) -> int | None:
    """The ``code`` field of a JSON body, when there is one."""
    if isinstance(body, dict):
        code = body.get("code")
        if isinstance(code, bool):
            return None
        if isinstance(code, int):
            return code
        if isinstance(code, str) and code.strip().lstrip("-").isdigit():
            return int(code)
    return None


def body_message(body: Any, secret: str | None = None, limit: int = 200) -> str:
    """The server's short ``message`` text (never raw JSON), with any secret removed."""
    msg = (body.get("message") or body.get("msg") or "") if isinstance(body, dict) else ""
    text = " ".join(str(msg).split())[:limit]
    if secret:
        text = text.replace(secret, "[redacted]")
    return text


def mentions_client_id(body: Any) -> bool:
    text = str(body.get("message") or body.get("msg") or body.get("detail") or "") if isinstance(body, dict) else str(body)
    return "client" in text.lower() and "id" in text.lower()


def classify(status: int, body: Any) -> Retryable | None:
    """The recoverable condition in a response, if any (checked before ``error_for``).

    The spec's own codes (``code`` field) come first; then the HTTP status. A body ``code`` that
    merely repeats the HTTP status (``{"code": 500}`` with HTTP 500) counts as the status.
    """
    code = body_code(body)
    if code == BAD_TOKEN or (code in (None, SUCCESS, 401) and status == 401):
        return Retryable("token", status, code)
    if code == SESSION_NOT_FOUND:
        return Retryable("session", status, code)
    if status == 429 or code == 429:
        return Retryable("rate_limit", status, code)
    generic = code in (None, SUCCESS, status)
    if status == 400 and generic and mentions_client_id(body):
        return Retryable("client_id", status, code)
    if status >= 500 and generic:
        return Retryable("server", status, code)
    return None


def error_for(status: int, body: Any, *, what: str, register_url: str | None, secret: str | None = None) -> CloudError | None:
    """The user-facing error for a response, or None when it is a success.

    ``register_url`` is the registration link for anonymous users (None for registered users).
    """
    code = body_code(body)
    if code == NO_CREDITS:
        if register_url:
            return NoCredits(
                "Your free NemoVideo credits are used up",
                f"Register at {register_url} to keep this session and get more credits, "
                "or set NEMO_TOKEN to the token of an account with credits.",
            )
        return NoCredits("Your NemoVideo account has no credits left", f"{TOP_UP_MESSAGE}, then try again.")
    if code == UNSUPPORTED_FILE:
        return CloudError("NemoVideo cannot read this file (unsupported format)",
                          f"Supported formats: {SUPPORTED_TEXT}. MP4, MOV, AVI or WebM work best; "
                          "H.264 MP4 is processed fastest.")
    if code == FILE_TOO_LARGE:
        return CloudError("The file is too large for NemoVideo (the limit is 500 MB)",
                          "Compress it (e.g. H.264 MP4 at a lower bitrate) or trim it into shorter parts; "
                          "clips under 60 s give the cleanest JSON.")
    if code == BAD_TOKEN:
        return AuthError("NemoVideo refused the token (bad or expired)",
                         "Set NEMO_TOKEN to a valid token from your NemoVideo account, "
                         "or unset it to use a free anonymous token.")
    if code == SESSION_NOT_FOUND:
        return CloudError("NemoVideo lost the editing session", "Try again: a new session is started automatically.")
    if status == 402 or code == 402:
        return CloudError("Your NemoVideo plan cannot export (this is a plan issue, not credits)", PLAN_MESSAGE)
    if status == 429 or code == 429:
        return CloudError("NemoVideo is rate limiting this client",
                          "Wait a minute and try again. Anonymous tokens are limited to one per client per 7 days: "
                          "set NEMO_TOKEN to your account's token to avoid the limit.")
    if status == 401:
        return AuthError("NemoVideo refused the token",
                         "Set NEMO_TOKEN to a valid token from your NemoVideo account, or unset it to use a free anonymous token.")
    if status >= 500:
        return CloudError(f"NemoVideo had an internal error while trying to {what} (HTTP {status})",
                          "Try again in a minute; if it keeps failing, the service may be down.")
    if status >= 400:
        detail = body_message(body, secret)
        return CloudError(f"NemoVideo rejected the request to {what} (HTTP {status}{': ' + detail if detail else ''})",
                          "Check the input and try again.")
    if code not in (None, SUCCESS):
        detail = body_message(body, secret)
        return CloudError(f"NemoVideo could not {what} (error code {code}{': ' + detail if detail else ''})",
                          "Try again; if it keeps failing, check the service status.")
    return None


def connection_error(what: str, base: str, *, reached: bool = False, idempotent: bool = False) -> CloudError:
    """A dropped or refused connection. ``reached``: the request got to the service before the drop."""
    if not reached:
        return CloudError(f"Could not reach NemoVideo at {base} to {what}",
                          "Check the internet connection (and NEMO_API_BASE if you set it), then try again.")
    if idempotent:
        return CloudError(f"The connection to NemoVideo kept dropping while trying to {what}",
                          "Try again in a minute; if it keeps failing, check the connection or the service status.")
    return CloudError(f"The connection to NemoVideo dropped while trying to {what}; it was not retried "
                      "automatically because it may already have been applied",
                      "Call get_state to see whether it took effect, then try again if it did not.")
