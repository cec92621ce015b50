"""Start-up shortcuts (issue 16, bench/startup.py) answer exactly what the slow paths answer: the schema
check without Alembic, gevent's plugin look-up from one scan, garbage collection paused only while a
worker loads the app."""
import gc
import runpy
import sqlite3
import subprocess
import sys
import textwrap
import types

from sqlalchemy import create_engine, text

from assistant import migrate
from tests.conftest import ROOT


def test_the_head_read_from_the_revision_files_is_alembics():
    assert migrate._script_head() == migrate.head()


def test_a_revision_file_not_stated_plainly_leaves_the_decision_to_alembic(tmp_path, monkeypatch):
    (tmp_path / "versions").mkdir()
    (tmp_path / "versions" / "0001_a.py").write_text('revision = "0001_a"\ndown_revision = None\n')
    (tmp_path / "versions" / "0002_b.py").write_text('revision = "0002_b"\ndown_revision = "0001_a"\n')
    monkeypatch.setattr(migrate, "MIGRATIONS", tmp_path)
    assert migrate._script_head() == "0002_b"
    (tmp_path / "versions" / "0003_c.py").write_text('revision = "0003_c"\ndown_revision = "0001_a"\n')  # two heads
    assert migrate._script_head() is None
    (tmp_path / "versions" / "0003_c.py").write_text('revision = make()\ndown_revision = "0002_b"\n')
    assert migrate._script_head() is None


def test_at_head_only_when_the_version_table_holds_the_head_alone(db_url):
    engine = create_engine(db_url)
    try:
        assert not migrate._at_head(engine)  # no alembic_version table
        migrate.upgrade(engine, migrate.BASELINE)
        assert not migrate._at_head(engine)
        migrate.upgrade(engine)
        assert migrate._at_head(engine)
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO alembic_version (version_num) VALUES ('0001_baseline')"))
        assert not migrate._at_head(engine)  # two rows: Alembic decides (and refuses)
    finally:
        engine.dispose()


def test_a_start_on_a_database_at_head_does_not_load_alembic(tmp_path):
    url = f"sqlite:///{tmp_path}/at-head.db"
    script = textwrap.dedent(f"""
        import sys
        from assistant.config import Settings
        from assistant import create_app
        create_app(Settings(database_url={url!r}, ai_provider="local"))
        print("alembic loaded:", "alembic" in sys.modules)
    """)
    first, second = (subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
                     for _ in range(2))
    assert first.returncode == 0 and second.returncode == 0, (first.stderr, second.stderr)
    assert "alembic loaded: True" in first.stdout  # an empty database: migrated through Alembic
    assert "alembic loaded: False" in second.stdout


def test_gevents_plugins_come_from_one_scan_and_are_the_same(monkeypatch):
    from importlib import metadata

    from gevent import events

    monkeypatch.setattr(events, "notify_and_call_entry_points", events.notify_and_call_entry_points)  # restored after
    hooks = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    hooks["on_starting"](types.SimpleNamespace(cfg=types.SimpleNamespace(worker_class_str="gevent")))
    called = []

    class Event:
        ENTRY_POINT_NAME = "gevent.plugins.monkey.will_patch_all"

    expected = [ep.value for ep in metadata.entry_points(group=Event.ENTRY_POINT_NAME)]  # gevent's own look-up
    scans = []
    monkeypatch.setattr(metadata, "entry_points", lambda **kw: scans.append(kw))
    monkeypatch.setattr(events, "notify", called.append)
    monkeypatch.setattr(metadata.EntryPoint, "load", lambda self: lambda event: called.append((self.value, event)))
    event = Event()
    events.notify_and_call_entry_points(event)
    assert scans == []  # answered from the master's scan
    assert expected and called == [event, *((value, event) for value in expected)]


def test_a_sync_worker_master_leaves_gevent_alone(monkeypatch):
    from gevent import events

    before = events.notify_and_call_entry_points
    runpy.run_path(str(ROOT / "gunicorn.conf.py"))["on_starting"](
        types.SimpleNamespace(cfg=types.SimpleNamespace(worker_class_str="sync")))
    assert events.notify_and_call_entry_points is before


def test_collection_is_paused_while_a_worker_loads_and_frozen_after():
    hooks = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    frozen = gc.get_freeze_count()
    try:
        hooks["post_fork"](None, None)
        assert not gc.isenabled()
        hooks["post_worker_init"](None)
        assert gc.isenabled() and gc.get_freeze_count() > frozen
    finally:
        gc.unfreeze()
        gc.enable()



def test_a_database_locked_at_the_peek_is_waited_for_under_the_lock(tmp_path):
    """Seen in a full run: two workers booting on a fresh SQLite file, one migrating, and the other's peek at
    the version (before the lock) got "database is locked" and the worker failed to boot. A locked peek now
    means "ask again under the lock", which waits for the migrating worker."""
    path, attempts = tmp_path / "booting.db", []

    def connect():  # the first connection finds the file locked, as the second worker's did
        attempts.append(1)
        if len(attempts) == 1:
            raise sqlite3.OperationalError("database is locked")
        return sqlite3.connect(path)

    engine = create_engine(f"sqlite:///{path}", creator=connect)
    migrate.upgrade(engine)
    with engine.connect() as conn:
        assert migrate.current(conn) == migrate.head()
    assert len(attempts) >= 2
