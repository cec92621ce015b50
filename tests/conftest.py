"""Shared fixtures: a fake Gemini over HTTP, app factories on SQLite or a real PostgreSQL server."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from assistant import create_app
from assistant.config import Settings
from tests.accounts import SignedInClient
from tests.fakes.gemini import FakeGemini
from tests.pgserver import pg_bindir, throwaway_postgres

# Tests decide every setting themselves: nothing leaks in from the developer's shell or .env.
for _name in Settings.model_fields:
    os.environ.pop(_name.upper(), None)

FAKE_KEY = "test-key-for-the-fake"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def _fake_gemini_server():
    fake = FakeGemini().start()
    yield fake
    fake.stop()


@pytest.fixture
def fake_gemini(_fake_gemini_server):
    _fake_gemini_server.clear()
    yield _fake_gemini_server
    _fake_gemini_server.clear()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- PostgreSQL: a throwaway server made with initdb/pg_ctl (tests/pgserver.py) --------------
@pytest.fixture(scope="session")
def postgres_url():
    if pg_bindir() is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed (apt-get install postgresql); CI must test it.")
        pytest.skip("PostgreSQL not installed")
    with throwaway_postgres("assistant_test") as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, sqlite_url):
    """Each test once on SQLite and once on a fresh database of the PostgreSQL server."""
    if request.param == "sqlite":
        yield sqlite_url
        return
    import psycopg

    server = request.getfixturevalue("postgres_url")
    base, name = server.rsplit("/", 1)[0], f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"{base}/{name}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- Redis: a real server on a free port --------------------------------------------------------
@pytest.fixture(scope="session")
def redis_server():
    """A factory of throwaway redis-server processes: returns (url, process); all stopped at the end."""
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed (apt-get install redis-server); CI must test it.")
        pytest.skip("redis-server not installed")
    procs = []

    def start():
        port = free_port()
        proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                                stdout=subprocess.DEVNULL)
        procs.append(proc)
        wait_for(lambda: _answers(port), timeout=10)
        return f"redis://127.0.0.1:{port}/0", proc

    yield start
    for proc in procs:
        proc.kill()
        proc.wait(10)


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def redis_url(redis_server):
    return redis_server()[0]


# --- apps ---------------------------------------------------------------------------------------
@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def make_app(sqlite_url, fake_gemini):
    """Build an app; Gemini (pointed at the fake) unless told otherwise. Disposed after the test.
    Its `test_client()` is signed in as the administrator (tests/accounts.py)."""
    apps = []

    def factory(**overrides):
        # auto_titles off: its background request would take the replies a test queues on the fake
        values = dict(database_url=sqlite_url, gemini_api_key=FAKE_KEY, gemini_base_url=fake_gemini.url,
                      gemini_timeout_seconds=3, local_llm_wait_seconds=2, auto_titles=False)
        values.update(overrides)
        app = create_app(Settings(**values))
        app.config["TESTING"] = True
        app.test_client_class = SignedInClient
        apps.append(app)
        return app

    yield factory
    for app in apps:
        app.extensions["usage"].close()  # now, while its database still exists (not at exit)
        app.extensions["engines"].close()
        app.extensions["database"].dispose()


@pytest.fixture
def server_env(fake_gemini, tmp_path):
    """Environment for a real gunicorn process (tests/live_server.py) talking to the fake Gemini."""
    return {"GEMINI_API_KEY": FAKE_KEY, "GEMINI_BASE_URL": fake_gemini.url, "GEMINI_TIMEOUT_SECONDS": "5",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'server.db'}", "RATE_LIMIT": "100000/minute", "AUTO_TITLES": "false"}


@pytest.fixture
def upload_dir(tmp_path):
    """An UPLOAD_DIR for the test's app (not autouse), which must be empty after the test."""
    folder = tmp_path / "uploads"
    yield folder
    left = sorted(p.name for p in folder.rglob("*")) if folder.exists() else []
    assert left == [], f"files left in uploads/: {left}"


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


def wait_for(predicate, timeout: float = 5.0, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError("condition not met in time")
