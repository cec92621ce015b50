"""Usage tests run on SQLite and on a real PostgreSQL (`db_url`, a fresh database per test), with a clock they set."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest


class Clock:
    """Epoch seconds that only move when a test says so."""

    def __init__(self, when: str):
        self.now = datetime.fromisoformat(when).replace(tzinfo=timezone.utc).timestamp()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


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
