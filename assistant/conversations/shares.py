"""Share links: a read-only snapshot of a conversation's path as it was when shared, behind a random
id that is the secret part of the link. Revoking deletes it at once; an expired one answers like a
missing one. The snapshot holds the title and the messages only: nothing else of the owner's."""
from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, insert, select

from .. import errors
from ..db import Database
from ..models import Share, utcnow
from .store import get_conversation

SHARES = Share.__table__
GONE = "This shared conversation does not exist: the link may have expired or been revoked."


def _out(row: Mapping, base_url: str) -> dict:
    return {"id": row["id"], "url": f"{base_url}/shared/{row['id']}", "conversation_id": row["conversation_id"],
            "title": row["title"], "created_at": row["created_at"], "expires_at": row["expires_at"]}


def create(db: Database, owner: str, conversation_id: str, *, at: str | None, expires_in_days: int | None,
           base_url: str) -> dict:
    conversation = get_conversation(db, owner, conversation_id, at)  # 404 unless it is theirs
    snapshot = {"title": conversation["title"], "messages": [
        {"role": m["role"], "content": m["content"], "status": m["status"], "created_at": _iso(m["created_at"])}
        for m in conversation["messages"]]}
    now = utcnow()
    values = dict(id=secrets.token_urlsafe(24), user_id=owner, conversation_id=conversation_id, title=conversation["title"],
                  snapshot=json.dumps(snapshot, ensure_ascii=False), created_at=now,
                  expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None)
    with db.session() as s:
        s.execute(insert(SHARES).values(**values))
    return _out(values, base_url)


def _iso(value: datetime) -> str:
    return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).isoformat().replace("+00:00", "Z")


def list_mine(db: Database, owner: str, base_url: str) -> list[dict]:
    with db.session() as s:
        rows = s.execute(select(SHARES).where(SHARES.c.user_id == owner).order_by(SHARES.c.created_at.desc())).all()
    return [_out(r._mapping, base_url) for r in rows]


def revoke(db: Database, owner: str, share_id: str) -> None:
    with db.session() as s:
        if s.execute(delete(SHARES).where(SHARES.c.id == share_id, SHARES.c.user_id == owner)).rowcount == 0:
            raise errors.NotFound("There is no such share link.")


def read(db: Database, share_id: str) -> dict:
    """What anyone with the link sees (no account needed)."""
    with db.session() as s:
        row = s.execute(select(SHARES.c.title, SHARES.c.snapshot, SHARES.c.created_at, SHARES.c.expires_at)
                        .where(SHARES.c.id == share_id)).first()
    expires = row and row.expires_at and (row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=timezone.utc))
    if row is None or (expires and expires <= utcnow()):
        raise errors.NotFound(GONE)
    snapshot = json.loads(row.snapshot)
    return {"title": row.title, "shared_at": row.created_at, "expires_at": row.expires_at, "messages": snapshot["messages"]}
