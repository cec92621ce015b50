"""Bring the database schema to the newest Alembic revision, exactly once however many processes
start together.

Every gunicorn worker (and `python app.py`, and each test app) calls `upgrade()` on start-up. The
first takes a lock (PostgreSQL: an advisory lock; SQLite: an flock beside the database file) and
migrates; the others wait on the lock, then find the schema at head and go on. They wait rather
than skip, so no worker serves on an old schema. A database created by `create_all` before Alembic
(tables, no alembic_version) is stamped with the baseline first, so its rows are kept.
"""
from __future__ import annotations

import ast
import fcntl
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic (with Mako and Pygments: ~0.1 s and several MB a worker) loads only when the schema is not at head.

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
BASELINE = "0001_baseline"
LOCK_ID = 73_042_119  # any constant: the pg_advisory_lock key meaning "schema migration"


@lru_cache(maxsize=1)
def _config() -> Config:
    from alembic.config import Config

    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config()).get_current_head()


def current(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, target: str = "head") -> None:
    """Migrate to `target` (default: the newest revision) under the lock; a no-op when already there."""
    try:
        if target == "head" and _at_head(engine):  # the common case: no lock, no Alembic
            return
    except OperationalError:  # SQLite locked: another worker is creating the schema; wait for it under the lock
        pass
    from alembic import command

    wanted = head() if target == "head" else target
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


def _script_head() -> str | None:
    """The one head revision, read from the revision files' literal `revision` / `down_revision` as Alembic
    reads them; None when any file does not state them plainly or there is not exactly one head (then
    Alembic decides, and says what is wrong)."""
    revisions, parents = set(), set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        if path.name.startswith(("__init__", ".#")):  # Alembic skips these too
            continue
        values = {}
        try:
            for node in ast.parse(path.read_bytes()).body:
                targets = (node.targets if isinstance(node, ast.Assign)
                           else [node.target] if isinstance(node, ast.AnnAssign) else [])
                for name in {t.id for t in targets if isinstance(t, ast.Name)} & {"revision", "down_revision"}:
                    values[name] = ast.literal_eval(node.value)
        except (OSError, SyntaxError, ValueError, TypeError):  # unreadable or not a literal
            return None
        revision, down = values.get("revision"), values.get("down_revision")
        if not isinstance(revision, str) or "down_revision" not in values:
            return None
        down = (down,) if isinstance(down, str) else down or ()
        if not isinstance(down, (tuple, list)) or not all(isinstance(d, str) for d in down):
            return None
        revisions.add(revision)
        parents.update(down)
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def _at_head(engine: Engine) -> bool:
    """True when the database's alembic_version holds exactly the head revision (what `current(conn) ==
    head()` answers, at the cost of one small file parse per revision and one indexed read)."""
    wanted = _script_head()
    if wanted is None:
        return False
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return False
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [wanted]


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
