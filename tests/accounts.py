"""Test accounts: users made straight in the database (one Argon2 hash per session, not per test),
with a real session token, and a Flask test client that sends it. The API's own routes are tested
in tests/auth/; everything else just needs someone signed in."""
from __future__ import annotations

import threading
from functools import lru_cache

from flask.testing import FlaskClient
from sqlalchemy import insert, select

from assistant.auth import tokens
from assistant.auth.accounts import key_of
from assistant.auth.passwords import hash_password
from assistant.models import User, new_id, utcnow

PASSWORD = "a test password"


@lru_cache(maxsize=1)
def password_hash() -> str:
    return hash_password(PASSWORD)


def make_user(app, username: str, role: str = "user", **columns) -> tuple[str, str]:
    """Create a user (with PASSWORD) and a session for it; returns (user id, session token)."""
    user_id, now = new_id(), utcnow()
    with app.extensions["database"].session() as s:
        s.execute(insert(User.__table__).values(id=user_id, username=username, username_key=key_of(username),
                                                password_hash=password_hash(), role=role, disabled=False,
                                                created_at=now, **columns))
        _, secret = tokens.issue(s, user_id, tokens.SESSION, expires_at=tokens.session_expiry(app.config["SETTINGS"]))
    return user_id, secret


def sign_in(app, username: str) -> tuple[str, str]:
    """A new session for an existing user: (user id, token)."""
    with app.extensions["database"].session() as s:
        user_id = s.execute(select(User.id).where(User.username_key == key_of(username))).scalar_one()
        return user_id, tokens.issue(s, user_id, tokens.SESSION, expires_at=tokens.session_expiry(app.config["SETTINGS"]))[1]


_LOCK = threading.Lock()


def admin(app) -> tuple[str, str]:
    """(id, token) of the administrator "admin", created on first use (an app restarted on the same database finds it)."""
    with _LOCK:
        if "test_admin" not in app.extensions:
            with app.extensions["database"].session() as s:
                exists = s.execute(select(User.id).where(User.username_key == "admin")).first()
            app.extensions["test_admin"] = sign_in(app, "admin") if exists else make_user(app, "admin", role="admin")
        return app.extensions["test_admin"]


def admin_token(app) -> str:
    return admin(app)[1]


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


class SignedInClient(FlaskClient):
    """`app.test_client()`: signed in as the app's administrator. `app.test_client(token=None)`: nobody;
    `token=…`: that user."""

    def __init__(self, *args, token: str | None | bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if token is True and self.application.config["SETTINGS"].auth_mode == "accounts":
            token = admin_token(self.application)
        if isinstance(token, str):
            self.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
