"""The attachments tables, always by owner: every function takes the owner first and filters by it, so
someone else's attachment is indistinguishable from one that does not exist (the same 404).

Core statements, and the bytes (`data`) are selected only where they are needed."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from .. import errors
from ..db import Database
from ..models import Attachment, MessageAttachment, new_id, utcnow

ATTACHMENTS = Attachment.__table__
LINKS = MessageAttachment.__table__
A = ATTACHMENTS.c
GONE = "This attachment does not exist (it may have been deleted)."
# A row still "processing" this long after its upload lost its job (the worker restarted): say so.
STALE_AFTER = timedelta(minutes=15)
INTERRUPTED = "Reading this file was interrupted (the server restarted). Please attach it again."
META = (A.id, A.user_id, A.conversation_id, A.filename, A.mime_type, A.size, A.status, A.error, A.pages,
        A.duration_seconds, A.created_at)


@dataclass(frozen=True)
class Meta:
    id: str
    user_id: str
    conversation_id: str | None
    filename: str
    mime_type: str
    size: int
    status: str
    error: str | None
    pages: int | None
    duration_seconds: float | None
    created_at: datetime

    def to_dict(self) -> dict:
        body = {"id": self.id, "filename": self.filename, "mime_type": self.mime_type, "size": self.size,
                "status": self.status, "created_at": self.created_at, "conversation_id": self.conversation_id}
        if self.pages is not None:
            body["pages"] = self.pages
        if self.duration_seconds is not None:
            body["duration_seconds"] = self.duration_seconds
        if self.error:
            body["error"] = self.error
        return body


def _meta(row) -> Meta:
    status, error = row.status, row.error
    created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=utcnow().tzinfo)
    if status == "processing" and utcnow() - created > STALE_AFTER:
        status, error = "failed", INTERRUPTED
    return Meta(row.id, row.user_id, row.conversation_id, row.filename, row.mime_type, row.size, status, error,
                row.pages, row.duration_seconds, row.created_at)


def owned(owner: str, attachment_id: str) -> tuple:
    return A.id == attachment_id, A.user_id == owner


def used_bytes(db: Database, owner: str) -> int:
    with db.session() as s:
        return int(s.execute(select(func.coalesce(func.sum(A.size), 0)).where(A.user_id == owner)).scalar())


def create(db: Database, owner: str, *, filename: str, mime_type: str, data: bytes, limit_bytes: int,
           pages: int | None = None) -> Meta:
    """Store a new attachment as "processing", refusing it past the owner's storage limit."""
    now = utcnow()
    attachment_id = new_id()
    with db.session() as s:
        used = int(s.execute(select(func.coalesce(func.sum(A.size), 0)).where(A.user_id == owner)).scalar())
        if used + len(data) > limit_bytes:
            raise errors.PayloadTooLarge(
                f"Your attached files would use {(used + len(data)) / 1e6:.1f} MB; each person may keep "
                f"{limit_bytes / 1e6:.0f} MB (ATTACHMENT_STORAGE_MB). Delete conversations or files you no longer need.")
        s.execute(insert(ATTACHMENTS).values(id=attachment_id, user_id=owner, filename=filename, mime_type=mime_type,
                                             size=len(data), status="processing", pages=pages, data=data, created_at=now))
    return Meta(attachment_id, owner, None, filename, mime_type, len(data), "processing", None, pages, None, now)


def get(db: Database, owner: str, attachment_id: str) -> Meta:
    with db.session() as s:
        row = s.execute(select(*META).where(*owned(owner, attachment_id))).first()
    if row is None:
        raise errors.NotFound(GONE)
    return _meta(row)


def pages_of(db: Database, owner: str, attachment_id: str) -> dict:
    """The extraction: {"pages": [{number, text, method}], "image": facts or None}."""
    with db.session() as s:
        raw = s.execute(select(A.extraction).where(*owned(owner, attachment_id))).scalar()
    return json.loads(raw) if raw else {"pages": [], "image": None}


def content(db: Database, owner: str, attachment_id: str) -> tuple[Meta, bytes]:
    with db.session() as s:
        row = s.execute(select(*META, A.data).where(*owned(owner, attachment_id))).first()
    if row is None:
        raise errors.NotFound(GONE)
    return _meta(row), row.data


def finish(db: Database, owner: str, attachment_id: str, *, status: str, extraction: dict | None = None,
           error: str | None = None, pages: int | None = None, duration_seconds: float | None = None) -> None:
    values: dict = {"status": status, "error": error}
    if extraction is not None:
        values["extraction"] = json.dumps(extraction, ensure_ascii=False)
    if pages is not None:
        values["pages"] = pages
    if duration_seconds is not None:
        values["duration_seconds"] = duration_seconds
    with db.session() as s:
        s.execute(update(ATTACHMENTS).where(*owned(owner, attachment_id)).values(**values))


def delete_one(db: Database, owner: str, attachment_id: str) -> None:
    with db.session() as s:
        if not s.execute(delete(ATTACHMENTS).where(*owned(owner, attachment_id))).rowcount:
            raise errors.NotFound(GONE)


def statuses(db: Database, owner: str, ids: list[str], conversation_id: str | None) -> dict[str, Meta]:
    """The attachments a chat message names that it may use: the owner's, unsent or already in this
    conversation. Others are simply absent (the caller answers 404)."""
    usable = A.conversation_id.is_(None) if conversation_id is None else \
        or_(A.conversation_id.is_(None), A.conversation_id == conversation_id)
    with db.session() as s:
        rows = s.execute(select(*META).where(A.user_id == owner, A.id.in_(ids), usable)).all()
    return {r.id: _meta(r) for r in rows}


def link(s: Session, owner: str, conversation_id: str, message_id: str, ids: list[str]) -> None:
    """Inside the transaction that saves the user's message: the attachments join the conversation (atomic:
    one sent at the same moment to another conversation makes this one 404) and the message lists them."""
    for position, attachment_id in enumerate(ids):
        claimed = s.execute(update(ATTACHMENTS).where(
            *owned(owner, attachment_id), or_(A.conversation_id.is_(None), A.conversation_id == conversation_id))
            .values(conversation_id=conversation_id))
        if not claimed.rowcount:
            raise errors.NotFound(GONE)
        s.execute(insert(LINKS).values(message_id=message_id, attachment_id=attachment_id, position=position))


def of_messages(s: Session, owner: str, message_ids: list[str]) -> dict[str, list[dict]]:
    """{message id: [{id, filename, mime_type}]} for the messages shown."""
    if not message_ids:
        return {}
    rows = s.execute(select(LINKS.c.message_id, A.id, A.filename, A.mime_type)
                     .join_from(LINKS, ATTACHMENTS, LINKS.c.attachment_id == A.id)
                     .where(A.user_id == owner, LINKS.c.message_id.in_(message_ids))
                     .order_by(LINKS.c.message_id, LINKS.c.position)).all()
    out: dict[str, list[dict]] = {}
    for r in rows:
        out.setdefault(r.message_id, []).append({"id": r.id, "filename": r.filename, "mime_type": r.mime_type})
    return out


OF_CONVERSATION = (select(*META).where(A.user_id == bindparam("owner"), A.conversation_id == bindparam("cid"))
                   .order_by(A.created_at, A.id))


def of_conversation(db: Database, owner: str, conversation_id: str) -> list[Meta]:
    """Every attachment sent in the conversation, oldest first: follow-up questions keep using them."""
    with db.engine.connect() as conn:  # every follow-up message asks: a statement built once
        rows = conn.execute(OF_CONVERSATION, {"owner": owner, "cid": conversation_id}).all()
    return [_meta(r) for r in rows]


def extractions(db: Database, owner: str, ids: list[str]) -> dict[str, dict]:
    with db.session() as s:
        rows = s.execute(select(A.id, A.extraction).where(A.user_id == owner, A.id.in_(ids))).all()
    return {r.id: json.loads(r.extraction) if r.extraction else {"pages": [], "image": None} for r in rows}


def gemini_file(db: Database, owner: str, attachment_id: str) -> str | None:
    """The Files API uri of this attachment while it is still valid (with an hour to spare)."""
    with db.session() as s:
        row = s.execute(select(A.gemini_file_uri, A.gemini_file_expires_at).where(*owned(owner, attachment_id))).first()
    if row is None or not row.gemini_file_uri or row.gemini_file_expires_at is None:
        return None
    expires = row.gemini_file_expires_at
    expires = expires if expires.tzinfo else expires.replace(tzinfo=utcnow().tzinfo)
    return row.gemini_file_uri if expires - utcnow() > timedelta(hours=1) else None


def remember_gemini_file(db: Database, owner: str, attachment_id: str, uri: str, expires_at: datetime) -> None:
    with db.session() as s:
        s.execute(update(ATTACHMENTS).where(*owned(owner, attachment_id))
                  .values(gemini_file_uri=uri, gemini_file_expires_at=expires_at))


def delete_of_conversations(s: Session, owner: str, conversation_ids) -> None:
    """With their conversations (the foreign key cascades too; said here so nobody has to know it)."""
    s.execute(delete(ATTACHMENTS).where(A.user_id == owner, A.conversation_id.in_(conversation_ids)))


def images_of(db: Database, owner: str, conversation: dict) -> dict[str, bytes]:
    """The bytes of the images attached to a conversation's messages as shown (for its PDF export)."""
    ids = [f["id"] for m in conversation["messages"] for f in m.get("attachments") or [] if f["mime_type"].startswith("image/")]
    if not ids:
        return {}
    with db.session() as s:
        return dict(s.execute(select(A.id, A.data).where(A.user_id == owner, A.id.in_(ids))).all())
