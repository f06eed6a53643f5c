"""Token, client id and session id, kept in the state store (a 0600 file).

``NEMO_TOKEN`` wins when set. Otherwise an anonymous token is fetched for a persistent client id
and kept with its expiry (7 days) until it expires. Tokens are never printed, logged or returned.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from video_json_ai.core.store import Store

ANONYMOUS_TOKEN_DAYS = 7
EXPIRY_MARGIN = timedelta(0)
"""No early renewal: the cloud allows one anonymous token per client per 7 days (429 before that).
A token that expires between our check and the request gets 1001, which renews it."""

CLIENT_ID_KEY = "nemo.client_id"
TOKEN_KEY = "nemo.token"
SESSION_KEY = "nemo.session_id"
TASK_KEY = "nemo.task_id"
BIND_KEY = "nemo.bind_id"


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


class Credentials:
    """What identifies us to the cloud, persisted in the store."""

    def __init__(self, store: Store, env_token: str | None = None) -> None:
        self.store = store
        self.env_token = (env_token or "").strip() or None

    @property
    def anonymous(self) -> bool:
        return self.env_token is None

    # -- client id --------------------------------------------------------------------------
    def client_id(self) -> str:
        value = self.store.get_value(CLIENT_ID_KEY)
        if value is None:
            value = self.new_client_id()
        return value

    def new_client_id(self) -> str:
        value = str(uuid.uuid4())
        self.store.set_value(CLIENT_ID_KEY, value)
        return value

    # -- token ------------------------------------------------------------------------------
    def token(self) -> str | None:
        """The token to use, or None when an anonymous one must be fetched."""
        return self.env_token or self.store.get_value(TOKEN_KEY)

    def save_token(self, token: str, expires_at: datetime | None = None) -> None:
        now = datetime.now(timezone.utc)
        expiry = expires_at or now + timedelta(days=ANONYMOUS_TOKEN_DAYS)
        self.store.set_value(TOKEN_KEY, token, expires_at=_iso(expiry - EXPIRY_MARGIN))

    def forget_token(self) -> None:
        self.store.delete_value(TOKEN_KEY)

    # -- session ----------------------------------------------------------------------------
    def session_id(self) -> str | None:
        return self.store.get_value(SESSION_KEY)

    def save_session(self, session_id: str, task_id: str | None, bind_id: str | None) -> None:
        self.store.set_value(SESSION_KEY, session_id)
        for key, value in ((TASK_KEY, task_id), (BIND_KEY, bind_id)):
            if value:
                self.store.set_value(key, value)
            else:
                self.store.delete_value(key)

    def forget_session(self) -> None:
        self.store.delete_value(SESSION_KEY)

    def bind_id(self) -> str | None:
        """The id that links this anonymous work to a new account (``?bind=<id>``)."""
        return self.store.get_value(BIND_KEY) or self.store.get_value(TASK_KEY)
