"""SQLAlchemy engine and short-lived sessions, bound to the app.

No request-scoped session: services open a session for the few statements they need, so a
streamed chat does not hold a pooled connection while the model talks.
"""
from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker


class Database:
    def __init__(self, url: str, ping_after_idle_s: float = 10.0):
        kwargs: dict = {}
        sqlite = url.startswith("sqlite")
        if sqlite:
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        else:  # a server may drop idle connections (Render's does); a file never does, so no ping for SQLite
            # 20 kept and 10 more in a burst: the same ceiling as before (30 a worker), but a burst no longer closed
            # and reopened 20 connections (a server process each) every time it ebbed
            kwargs.update(pool_size=20, max_overflow=10, pool_recycle=300)
        self.engine: Engine = create_engine(url, **kwargs)
        # For a single read or a single atomic write (the signed-in lookup, the rate-limit counter): on PostgreSQL
        # the same pool with each statement its own transaction, as a plain connection sends BEGIN before it and
        # ROLLBACK or COMMIT after it, two more round trips on every request. SQLite has no round trips, and
        # switching the driver's mode at each checkout cost more (0.4 ms a chat, bench/first_byte.py).
        self.autocommit: Engine = self.engine if sqlite else self.engine.execution_options(isolation_level="AUTOCOMMIT")
        if sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        else:
            event.listen(self.engine, "checkin", _note_checkin)
            event.listen(self.engine, "checkout", _ping_if_idle(self.engine.dialect, ping_after_idle_s))
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision (once, whatever the number of workers)."""
        from . import migrate

        migrate.upgrade(self.engine)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed on success, rolled back on error, always closed."""
        with self._sessions() as session, session.begin():
            yield session

    def ping(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except Exception:  # noqa: BLE001 - health reports it, never raises
            return False

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    # WAL lets readers run beside the single writer; foreign keys make ON DELETE CASCADE work.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _note_checkin(_dbapi_conn, record) -> None:
    record.info["checked_in"] = time.monotonic()


def _ping_if_idle(dialect, after_s: float):
    """A pooled PostgreSQL connection that sat idle for a while is pinged before use, and replaced if the server
    dropped it (DisconnectionError: the pool connects afresh and checks out again). `pool_pre_ping` pinged at
    every checkout: a chat checks out about six times, each ping a round trip and a wait on the loop (200 streams
    at once: 16 ms of worker CPU a stream instead of 17.5, bench/chat_concurrency.py). A connection in use moments
    ago was alive then; a server restart in between fails one statement, and SQLAlchemy then replaces every
    connection made before it."""

    def checkout(dbapi_conn, record, _proxy) -> None:
        checked_in = record.info.get("checked_in")
        if checked_in is None or time.monotonic() - checked_in < after_s:
            return  # just connected, or back in the pool moments ago
        try:
            dialect.do_ping(dbapi_conn)
        except Exception as exc:  # noqa: BLE001 - whatever the ping raises means "connect again"
            raise DisconnectionError("the pooled connection no longer answers") from exc

    return checkout


def upsert(bind, table):
    """`INSERT … ON CONFLICT` for this database's dialect (PostgreSQL or SQLite); only that dialect is loaded."""
    if bind.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


def get_db() -> Database:
    return current_app.extensions["database"]
