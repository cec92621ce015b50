"""Who is asking: decided once per request, here and nowhere else.

`identify` (a before-request hook, first of the auth hooks) reads `Authorization: Bearer <secret>`,
a sign-in session or a personal API token alike, and loads its user in one indexed query. It never
refuses anything itself: the rate limiter runs next and keys by `client_key()` (the user, else the
IP), then `require` refuses what needs a user (401) or an admin (403). A view declares what it
needs with `endpoint(access=…)`; anything undeclared needs a signed-in user.

Routes and services get the caller from `current_user()`, which fails loudly when nobody is signed in.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from flask import current_app, g, request
from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.exc import SQLAlchemyError

from .. import errors
from ..db import get_db
from ..models import AuthToken, User, utcnow
from . import tokens

PUBLIC, USER, ADMIN = "public", "user", "admin"
TOUCH_EVERY = timedelta(seconds=60)  # last-used times are written at most this often per token
PUBLIC_BLUEPRINTS = frozenset({"swagger_ui"})  # /api/docs: static documentation assets
T, U = AuthToken.__table__, User.__table__
LOOKUP = (select(T.c.id, T.c.kind, T.c.expires_at, func.coalesce(T.c.last_used_at, T.c.created_at), T.c.last_used_at.is_(None), U.c.id, U.c.username, U.c.role, U.c.disabled,
                 U.c.daily_request_limit, U.c.daily_token_limit)
          .join(U, U.c.id == T.c.user_id)
          .where(T.c.token_hash == bindparam("token_hash")))  # built once: compiled once, cached by SQLAlchemy


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: str
    username: str
    role: str
    token_id: str | None  # None for the built-in user of AUTH_MODE=none
    kind: str  # "session" | "api" | "builtin"
    daily_request_limit: int | None = None
    daily_token_limit: int | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def bearer() -> str | None:
    auth = request.headers.get("Authorization", "")
    token = auth[7:].strip() if auth[:7].lower() == "bearer " else ""
    return token or None


def identify() -> None:
    g.principal, g.auth_problem = None, None
    if request.method == "OPTIONS":
        return
    builtin = current_app.extensions.get("builtin_principal")
    if builtin is not None:  # AUTH_MODE=none: one user, no sign-in
        g.principal = builtin
        return
    secret = bearer()
    if secret is not None and request.url_rule is not None:  # an unknown path is 404 for everyone
        try:
            g.principal, g.auth_problem = _lookup(secret)
        except SQLAlchemyError:
            if access_of_request() == PUBLIC:
                return  # health and docs answer without the database
            raise errors.CapabilityUnavailable("The database is not reachable, so nobody can be signed in right now. "
                                               "Please try again shortly.", retry_after=5) from None


def _aware(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=timezone.utc) if value is not None and value.tzinfo is None else value


def _lookup(secret: str) -> tuple[Principal | None, str | None]:
    if len(secret) > 200:
        return None, "This token is not valid."
    settings, db, now = current_app.config["SETTINGS"], get_db(), utcnow()
    # The common case is one read on a plain connection (no ORM session: half the CPU, measured with
    # bench/auth.py); a transaction is opened only to end a token or note its use (once a minute).
    with db.autocommit.connect() as conn:
        row = conn.execute(LOOKUP, {"token_hash": tokens.digest(secret)}).first()
    if row is None:
        return None, "Your session has ended or the token is not valid. Please sign in."
    token_id, kind, expires_at, last_used, never_used, user_id, username, role, disabled, req_limit, tok_limit = row
    expires_at, last_used = _aware(expires_at), _aware(last_used)
    idle = kind == tokens.SESSION and now - last_used > timedelta(hours=settings.session_idle_hours)
    if disabled or idle or (expires_at is not None and expires_at <= now):
        with db.engine.begin() as conn:
            conn.execute(delete(T).where(T.c.id == token_id))  # an ended token never comes back
        return None, ("This account is disabled." if disabled else "Your session has ended. Please sign in again.")
    if never_used or now - last_used > TOUCH_EVERY:
        with db.engine.begin() as conn:
            conn.execute(update(T).where(T.c.id == token_id).values(last_used_at=now))
            conn.execute(update(U).where(U.c.id == user_id).values(last_seen_at=now))
    return Principal(user_id, username, role, token_id, kind, req_limit, tok_limit), None


def access_of_request() -> str | None:
    """What the matched view needs: PUBLIC, USER or ADMIN; None when no route matched (404/405)."""
    if request.url_rule is None:
        return None
    if request.blueprint in PUBLIC_BLUEPRINTS:
        return PUBLIC
    view = current_app.view_functions.get(request.endpoint)
    return getattr(view, "access", USER)


def require() -> None:
    if request.method == "OPTIONS":
        return
    access = access_of_request()
    if access in (None, PUBLIC):
        return
    principal: Principal | None = g.get("principal")
    if principal is None:
        err = errors.Unauthorized(g.get("auth_problem") or "Please sign in: send `Authorization: Bearer <token>`.")
        err.headers["WWW-Authenticate"] = 'Bearer realm="ai-assistant"'
        raise err
    if access == ADMIN and not principal.is_admin:
        raise errors.Forbidden("Only an administrator can do this.")


def current_user() -> Principal:
    principal = g.get("principal")
    if principal is None:  # a view reached without `require` having run: a programming error, not a 200
        raise errors.Unauthorized("Please sign in.")
    return principal


def optional_user() -> Principal | None:
    return g.get("principal")


def client_key() -> str:
    """Whom limits and quotas count against: the signed-in user, else a hash of the client IP.
    Never a bearer string: made-up tokens all count against their sender's IP."""
    principal = g.get("principal")
    if principal is not None:
        return f"u:{principal.user_id}"
    raw = request.remote_addr or "unknown"
    return "ip:" + hashlib.sha256(f"assistant-client:{raw}".encode()).hexdigest()[:24]
