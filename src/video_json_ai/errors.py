"""Errors a user can act on: each names the problem and what to do about it."""

from __future__ import annotations


class VideoJsonError(Exception):
    """A problem the user can fix. ``str(err)`` reads "<problem>. <what to do>"."""

    def __init__(self, problem: str, fix: str = "") -> None:
        self.problem = problem.rstrip(". ")
        self.fix = fix.strip()
        super().__init__(f"{self.problem}. {self.fix}" if self.fix else f"{self.problem}.")


class InvalidInput(VideoJsonError):
    """The request itself is wrong (bad path, format, range, id)."""


class NotFound(VideoJsonError):
    """A video, job, scene or export that does not exist."""


class MediaError(VideoJsonError):
    """The file could not be read as media (corrupt, truncated, not a video)."""


class NotAvailable(VideoJsonError):
    """A feature that this installation or backend cannot provide."""


class Cancelled(Exception):
    """Work stopped because its job was cancelled."""
