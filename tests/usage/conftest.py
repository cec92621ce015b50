"""Usage tests run on SQLite and on a real PostgreSQL (a fresh database per test), with a clock they set."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import psycopg
import pytest


class Clock:
    """Epoch seconds that only move when a test says so."""

    def __init__(self, when: str):
        self.now = datetime.fromisoformat(when).replace(tzinfo=timezone.utc).timestamp()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, sqlite_url):
    if request.param == "sqlite":
        yield sqlite_url
        return
    server = request.getfixturevalue("postgres_url")
    name = f"usage_{uuid.uuid4().hex[:12]}"
    admin = server.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield server.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def clock():
    return Clock("2026-03-10T12:30:00")


@pytest.fixture
def usage_app(make_app, db_url, clock):
    """An app on `db_url` whose usage recorder reads `clock`."""

    apps = []

    def factory(**overrides):
        app = make_app(database_url=db_url, **overrides)
        app.extensions["usage"].clock = clock
        apps.append(app)
        return app

    yield factory
    for app in apps:
        app.extensions["usage"].close()  # what atexit does: drain the queue, stop the writer
