"""Bring the database schema to the newest Alembic revision, exactly once however many processes
start together.

Every gunicorn worker (and `python app.py`, and each test app) calls `upgrade()` on start-up. The
first takes a lock (PostgreSQL: an advisory lock; SQLite: an flock beside the database file) and
migrates; the others wait on the lock, then find the schema at head and go on. They wait rather
than skip, so no worker serves on an old schema. A database created by `create_all` before Alembic
(tables, no alembic_version) is stamped with the baseline first, so its rows are kept.
"""
from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
BASELINE = "0001_baseline"
LOCK_ID = 73_042_119  # any constant: the pg_advisory_lock key meaning "schema migration"


@lru_cache(maxsize=1)
def _config() -> Config:
    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head() -> str:
    return ScriptDirectory.from_config(_config()).get_current_head()


def current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, target: str = "head") -> None:
    """Migrate to `target` (default: the newest revision) under the lock; a no-op when already there."""
    wanted = head() if target == "head" else target
    with engine.connect() as conn:
        if current(conn) == wanted:  # the common case: one indexed read, no lock
            return
    with _lock(engine), engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:  # outside any transaction, or SQLite ignores it: copying a table must not cascade deletes
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        try:
            found = current(conn)
            if found == wanted:
                return  # another process did it while this one waited
            config = _config()
            config.attributes["connection"] = conn
            if found is None and inspect(conn).has_table("conversations"):
                log.info("database made before migrations existed: stamping it with the baseline")
                command.stamp(config, BASELINE)
            log.info("migrating the database schema from %s to %s", found or "empty", wanted)
            command.upgrade(config, target)
            conn.commit()
        finally:
            if sqlite:
                conn.rollback()
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")


@contextmanager
def _lock(engine: Engine) -> Iterator[None]:
    url = engine.url
    if url.get_backend_name() == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:id)"), {"id": LOCK_ID})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": LOCK_ID})
                conn.commit()
    elif url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        with open(f"{url.database}.migrate-lock", "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)  # blocks until the process migrating has finished
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
    else:  # an in-memory database belongs to one process
        yield
