"""Opaque bearer secrets: sign-in sessions (`ais_…`) and personal API tokens (`aia_…`) live in one
table, single-use codes (invites `inv_…`, resets `rst_…`) in another. Only a SHA-256 of each secret
is stored: the secrets are 256 random bits, so a fast hash is enough and a lookup is one index probe.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from .. import errors
from ..models import AuthToken, new_id, utcnow

SESSION, API = "session", "api"
PREFIXES = {SESSION: "ais_", API: "aia_", "invite": "inv_", "reset": "rst_"}
SHOWN_PREFIX = 8  # characters kept in clear to recognise a token in a list ("aia_Xy3k")
TOKENS = AuthToken.__table__


def new_secret(kind: str) -> str:
    return PREFIXES[kind] + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue(s: Session, user_id: str, kind: str, *, expires_at: datetime | None, name: str | None = None) -> tuple[str, str]:
    """Store a new session or API token for `user_id`; returns (id, secret). The secret is never stored."""
    secret, token_id, now = new_secret(kind), new_id(), utcnow()
    # a session is in use from sign-in on; an API token has not been used until a script sends it
    s.execute(insert(TOKENS).values(id=token_id, user_id=user_id, kind=kind, name=name, token_hash=digest(secret),
                                    prefix=secret[:SHOWN_PREFIX], created_at=now, expires_at=expires_at,
                                    last_used_at=now if kind == SESSION else None))
    return token_id, secret


def session_expiry(settings) -> datetime:
    return utcnow() + timedelta(days=settings.session_max_days)


def days_from_now(days: int | None) -> datetime | None:
    return None if days is None else utcnow() + timedelta(days=days)


def list_api_tokens(s: Session, owner: str) -> list[dict]:
    rows = s.execute(select(TOKENS.c.id, TOKENS.c.name, TOKENS.c.prefix, TOKENS.c.created_at, TOKENS.c.last_used_at,
                            TOKENS.c.expires_at)
                     .where(TOKENS.c.user_id == owner, TOKENS.c.kind == API).order_by(TOKENS.c.created_at.desc())).all()
    return [dict(r._mapping) for r in rows]


def revoke_api_token(s: Session, owner: str, token_id: str) -> None:
    gone = s.execute(delete(TOKENS).where(TOKENS.c.id == token_id, TOKENS.c.user_id == owner, TOKENS.c.kind == API))
    if gone.rowcount == 0:
        raise errors.NotFound("There is no such API token.")


def end(s: Session, user_id: str, *, kinds: tuple[str, ...] = (SESSION,), keep: str | None = None) -> None:
    """End a user's sessions (and, with kinds=(SESSION, API), their API tokens too), except `keep`."""
    stmt = delete(TOKENS).where(TOKENS.c.user_id == user_id, TOKENS.c.kind.in_(kinds))
    if keep is not None:
        stmt = stmt.where(TOKENS.c.id != keep)
    s.execute(stmt)


def end_one(s: Session, token_id: str) -> None:
    s.execute(delete(TOKENS).where(TOKENS.c.id == token_id))
