"""The tables exactly as main created them with `create_all` on 2026-12-02 (commit 4c9b770), before
Alembic: the migration tests build "a database written by today's main" from this frozen copy."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def new_id() -> str:
    return uuid.uuid4().hex


class Base(DeclarativeBase):
    pass


class Conversation(Base):
    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    title: Mapped[str] = mapped_column(String(200))
    system: Mapped[str | None] = mapped_column(Text)
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
    seq: Mapped[int] = mapped_column(Integer)  # order within the conversation; timestamps can tie
    role: Mapped[str] = mapped_column(String(16))  # "user" | "assistant"
    content: Mapped[str] = mapped_column(Text, default="")
    # "complete", or "incomplete" for a reply cut short (upstream error, client gone)
    status: Mapped[str] = mapped_column(String(16), default="complete")
    engine: Mapped[str | None] = mapped_column(String(32))
    model: Mapped[str | None] = mapped_column(String(200))
    input_tokens: Mapped[int | None] = mapped_column(Integer)
    output_tokens: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    conversation: Mapped[Conversation] = relationship(back_populates="messages")


# --- usage (assistant/usage/): raw events plus rollups kept up to date by the recorder ----------
# Times are integer epoch seconds/milliseconds so bucketing is plain integer arithmetic on both
# SQLite and PostgreSQL. The rollups keep the dashboard's queries to a few thousand rows whatever
# the traffic; the raw events serve "recent activity" and forensic queries.
USAGE_ID = BigInteger().with_variant(Integer, "sqlite")  # SQLite autoincrements INTEGER PRIMARY KEY only


class UsageEvent(Base):
    __tablename__ = "usage_events"

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
    client_key: Mapped[str] = mapped_column(String(40))  # a hash of the access token or IP, never the raw value


class UsageRollup(Base):
    """Counts per bucket (`span` 3600: hourly, kept two days; 86400: daily, kept for the retention)."""

    __tablename__ = "usage_rollups"
    __table_args__ = {"sqlite_with_rowid": False}  # clustered by the key: a range of buckets is one scan

    span: Mapped[int] = mapped_column(Integer, primary_key=True)
    start: Mapped[int] = mapped_column(BigInteger, primary_key=True)  # epoch seconds
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
    count: Mapped[int] = mapped_column(BigInteger)


class UsageClientDay(Base):
    """What one client used on one UTC day, for the daily quotas (one primary-key lookup per request)."""

    __tablename__ = "usage_client_days"
    __table_args__ = {"sqlite_with_rowid": False}

    day: Mapped[int] = mapped_column(BigInteger, primary_key=True)  # epoch seconds of 00:00 UTC
    client_key: Mapped[str] = mapped_column(String(40), primary_key=True)
    requests: Mapped[int] = mapped_column(BigInteger)
    tokens: Mapped[int] = mapped_column(BigInteger)
