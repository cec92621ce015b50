"""Alembic environment. Run through `assistant.migrate.upgrade()` (start-up, with a lock) or the
`alembic` command line (`alembic -c migrations/alembic.ini upgrade head`, reads DATABASE_URL)."""
from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from assistant.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:  # handed over by assistant.migrate, inside its lock
        _run(connection)
        return
    from assistant.config import ROOT, load_settings

    url = load_settings().sqlalchemy_url(ROOT / "instance")
    with create_engine(url).connect() as conn:
        _run(conn)
        conn.commit()


def _run(connection) -> None:
    # render_as_batch: SQLite alters tables by copying them; the same revision then runs on both databases.
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("Offline (SQL script) migrations are not supported: run against a database.")
run_migrations_online()
