"""Tables. Times are stored in UTC; ids are random hex strings (safe to show in URLs)."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

from sqlalchemy import BigInteger, Boolean, DateTime, Float, ForeignKey, Index, Integer, LargeBinary, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def new_id() -> str:
    return uuid.uuid4().hex


class Base(DeclarativeBase):
    # Constraint names as PostgreSQL picks them itself: a database made by the old `create_all` and one
    # made by the baseline revision are then the same, and later revisions can name what they drop.
    metadata = MetaData(naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "%(table_name)s_%(column_0_name)s_key",
        "fk": "%(table_name)s_%(column_0_name)s_fkey",
        "pk": "%(table_name)s_pkey",
        "ck": "%(table_name)s_%(constraint_name)s_check",
    })


# --- accounts (assistant/auth/) ------------------------------------------------------------------
class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    username: Mapped[str] = mapped_column(String(64))  # as typed, for display
    username_key: Mapped[str] = mapped_column(String(64), unique=True)  # casefolded: unique regardless of case
    password_hash: Mapped[str] = mapped_column(String(200))  # Argon2id, PHC string
    role: Mapped[str] = mapped_column(String(16), default="user")  # "admin" | "user"
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    daily_request_limit: Mapped[int | None] = mapped_column(Integer)  # None: the server's DAILY_REQUEST_LIMIT
    daily_token_limit: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuthToken(Base):
    """Sign-in sessions and personal API tokens: one table, read by one code path (auth.identity).
    Only a SHA-256 of the secret is stored; the secret itself is shown once."""

    __tablename__ = "auth_tokens"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # "session" | "api"
    name: Mapped[str | None] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))  # the first characters, to recognise a token in a list
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # None: never used yet
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # absolute expiry


class AuthCode(Base):
    """Single-use codes an admin hands out: invites (`kind` "invite") and password resets ("reset")."""

    __tablename__ = "auth_codes"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(8))
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str | None] = mapped_column(String(16))  # invites: the role the new account gets
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)  # resets: whose
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RateLimitWindow(Base):
    """Fixed-window counters of the rate limiter's `database://` storage (assistant/ratelimit.py)."""

    __tablename__ = "rate_limits"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[float] = mapped_column(Float)  # epoch seconds: the end of the window


# --- conversations ------------------------------------------------------------------------------
class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (Index("ix_conversations_user_updated", "user_id", "updated_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    # The owner. NULL only for rows written before accounts existed, until the first admin claims them.
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    # "auto": made from the first words (a model may improve it); "user": renamed, never replaced
    title_source: Mapped[str] = mapped_column(String(8), default="auto", server_default="auto")
    system: Mapped[str | None] = mapped_column(Text)
    model: Mapped[str | None] = mapped_column(String(200))  # picked in the chat header; None: the default
    # The last message of the path last written to. Messages form a tree (versions from regenerate and
    # edit); None means the latest message.
    current_leaf_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    messages: Mapped[list[Message]] = relationship(
        back_populates="conversation", cascade="all, delete-orphan", passive_deletes=True,
        order_by="Message.seq",
    )


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_conversation_seq", "conversation_id", "seq"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    # The message this one answers or follows; None for the first. Siblings are versions of each other.
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)  # creation order within the conversation; timestamps can tie
    role: Mapped[str] = mapped_column(String(16))  # "user" | "assistant"
    content: Mapped[str] = mapped_column(Text, default="")
    # "complete", or "incomplete" for a reply cut short (upstream error, client gone)
    status: Mapped[str] = mapped_column(String(16), default="complete")
    engine: Mapped[str | None] = mapped_column(String(32))
    model: Mapped[str | None] = mapped_column(String(200))
    input_tokens: Mapped[int | None] = mapped_column(Integer)
    output_tokens: Mapped[int | None] = mapped_column(Integer)
    # JSON list of {attachment_id, filename, page, quote}: the sources a reply drew on (attachments)
    citations: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    conversation: Mapped[Conversation] = relationship(back_populates="messages")


class Share(Base):
    """A read-only link to a snapshot of a conversation. The id is the secret part of the link."""

    __tablename__ = "shares"

    id: Mapped[str] = mapped_column(String(43), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    snapshot: Mapped[str] = mapped_column(Text)  # JSON: the messages on the path shared, as they were
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


# --- attachments (assistant/attachments/): files sent with chat messages ------------------------
class Attachment(Base):
    """A file attached to chat messages, bytes included (Render's disk is ephemeral). Unsent until a chat
    message names it; from then on it belongs to that conversation and goes when the conversation goes."""

    __tablename__ = "attachments"
    __table_args__ = (Index("ix_attachments_user_created", "user_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    conversation_id: Mapped[str | None] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))  # display only, never a path
    mime_type: Mapped[str] = mapped_column(String(100))  # sniffed from the content
    size: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))  # "processing" | "ready" | "failed" | "empty"
    error: Mapped[str | None] = mapped_column(Text)  # why it failed, in words
    pages: Mapped[int | None] = mapped_column(Integer)
    duration_seconds: Mapped[float | None] = mapped_column(Float)
    extraction: Mapped[str | None] = mapped_column(Text)  # JSON: {"pages": [{number, text, method}], "image": facts}
    data: Mapped[bytes] = mapped_column(LargeBinary)
    gemini_file_uri: Mapped[str | None] = mapped_column(String(500))  # Files API copy, reused until it expires
    gemini_file_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class MessageAttachment(Base):
    """Which user message each attachment was sent with (a file may be sent again later in its conversation)."""

    __tablename__ = "message_attachments"

    message_id: Mapped[str] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True)
    attachment_id: Mapped[str] = mapped_column(ForeignKey("attachments.id", ondelete="CASCADE"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)  # order within the message


# --- retrieval (assistant/retrieval/): an attachment's text in chunks, with their vectors ----------
CHUNK_ID = BigInteger().with_variant(Integer, "sqlite")  # SQLite autoincrements INTEGER PRIMARY KEY only


class RetrievalDocument(Base):
    """One indexed attachment: which embedding model made its vectors, and a version that changes with
    every indexing (the in-process cache of its vectors is keyed by it)."""

    __tablename__ = "retrieval_documents"

    attachment_id: Mapped[str] = mapped_column(ForeignKey("attachments.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    model: Mapped[str] = mapped_column(String(100))  # e.g. "wordllama-l2_supercat-256", "gemini-embedding-001/768"
    dims: Mapped[int] = mapped_column(Integer)
    chunks: Mapped[int] = mapped_column(Integer)
    tokens: Mapped[int] = mapped_column(Integer)  # estimated tokens of all its text (short documents go whole)
    version: Mapped[str] = mapped_column(String(32), default=new_id)
    indexed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RetrievalChunk(Base):
    """A passage of one page: its text, estimated tokens, a hash of the text (vectors are reused by it when
    the same file is indexed again) and its vector, float32 little-endian bytes (the same on SQLite and
    PostgreSQL; ranked in numpy, see README "How retrieval scales")."""

    __tablename__ = "retrieval_chunks"
    __table_args__ = (Index("ix_retrieval_chunks_attachment_position", "attachment_id", "position"),)

    id: Mapped[int] = mapped_column(CHUNK_ID, primary_key=True, autoincrement=True)
    attachment_id: Mapped[str] = mapped_column(ForeignKey("attachments.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # order within the attachment
    page: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    tokens: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(32))
    vector: Mapped[bytes] = mapped_column(LargeBinary)


# --- usage (assistant/usage/): raw events plus rollups kept up to date by the recorder ----------
# Times are integer epoch seconds/milliseconds so bucketing is plain integer arithmetic on both
# SQLite and PostgreSQL. The rollups keep the dashboard's queries to a few thousand rows whatever
# the traffic; the raw events serve "recent activity" and forensic queries.
USAGE_ID = BigInteger().with_variant(Integer, "sqlite")  # SQLite autoincrements INTEGER PRIMARY KEY only
# Who a usage row belongs to: a user id; "" for a request nobody was signed in for; LEGACY for usage
# recorded before accounts existed, until the first administrator is created and claims it.
ANONYMOUS, LEGACY = "", "legacy"


class UsageEvent(Base):
    __tablename__ = "usage_events"
    __table_args__ = (Index("ix_usage_events_user_at", "user_id", "at_ms"),)

    id: Mapped[int] = mapped_column(USAGE_ID, primary_key=True, autoincrement=True)
    at_ms: Mapped[int] = mapped_column(BigInteger, index=True)  # epoch milliseconds, UTC
    feature: Mapped[str] = mapped_column(String(32))
    method: Mapped[str] = mapped_column(String(8))
    engine: Mapped[str | None] = mapped_column(String(32))
    model: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[int] = mapped_column(Integer)
    error_code: Mapped[str | None] = mapped_column(String(40))
    latency_ms: Mapped[int] = mapped_column(Integer)
    input_tokens: Mapped[int | None] = mapped_column(Integer)
    output_tokens: Mapped[int | None] = mapped_column(Integer)
    bytes_in: Mapped[int] = mapped_column(BigInteger, default=0)
    client_key: Mapped[str] = mapped_column(String(40))  # "u:<user id>", or a hash of the IP, never a raw value
    user_id: Mapped[str] = mapped_column(String(32), default=ANONYMOUS, server_default=ANONYMOUS)


class UsageRollup(Base):
    """Counts per bucket (`span` 3600: hourly, kept two days; 86400: daily, kept for the retention)."""

    __tablename__ = "usage_rollups"
    __table_args__ = {"sqlite_with_rowid": False}  # clustered by the key: a range of buckets is one scan

    span: Mapped[int] = mapped_column(Integer, primary_key=True)
    start: Mapped[int] = mapped_column(BigInteger, primary_key=True)  # epoch seconds
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)  # see ANONYMOUS, LEGACY
    feature: Mapped[str] = mapped_column(String(32), primary_key=True)
    engine: Mapped[str] = mapped_column(String(32), primary_key=True)  # "" when unknown
    model: Mapped[str] = mapped_column(String(200), primary_key=True)
    status: Mapped[int] = mapped_column(Integer, primary_key=True)
    error_code: Mapped[str] = mapped_column(String(40), primary_key=True)  # "" for success
    requests: Mapped[int] = mapped_column(BigInteger)
    input_tokens: Mapped[int] = mapped_column(BigInteger)
    output_tokens: Mapped[int] = mapped_column(BigInteger)
    bytes_in: Mapped[int] = mapped_column(BigInteger)
    latency_ms_sum: Mapped[int] = mapped_column(BigInteger)


class UsageLatency(Base):
    """Latency histogram per bucket and feature: `le_ms` is the bucket's upper bound (see usage.store).
    Keyed feature and bound before time, so the percentile query reads it in order without sorting."""

    __tablename__ = "usage_latency"
    __table_args__ = {"sqlite_with_rowid": False}

    span: Mapped[int] = mapped_column(Integer, primary_key=True)
    feature: Mapped[str] = mapped_column(String(32), primary_key=True)
    le_ms: Mapped[int] = mapped_column(Integer, primary_key=True)
    start: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger)


class UsageClientDay(Base):
    """What one client used on one UTC day, for the daily quotas (one primary-key lookup per request)."""

    __tablename__ = "usage_client_days"
    __table_args__ = {"sqlite_with_rowid": False}

    day: Mapped[int] = mapped_column(BigInteger, primary_key=True)  # epoch seconds of 00:00 UTC
    client_key: Mapped[str] = mapped_column(String(40), primary_key=True)
    requests: Mapped[int] = mapped_column(BigInteger)
    tokens: Mapped[int] = mapped_column(BigInteger)
