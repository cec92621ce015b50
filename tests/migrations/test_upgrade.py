"""Schema migrations: a database written by main before accounts upgrades with every row kept (and the
first administrator gets them), the revisions build exactly the tables the models describe, the
baseline is exactly what main's `create_all` made, and processes starting together migrate once."""
import subprocess
import sys
import textwrap
import time

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, insert, inspect, select, text

from assistant import migrate
from assistant.models import Base
from tests.conftest import ROOT
from tests.migrations import models_2026_12_02 as old


def old_database(url: str) -> None:
    """What main wrote on 2026-12-02: its tables (create_all, no Alembic) and some rows in each. Usage from
    the last hour and day: older rows would be pruned by the usage recorder (30 days' retention) meanwhile."""
    now = int(time.time())
    hour, day = now - now % 3600, now - now % 86400
    engine = create_engine(url)
    old.Base.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(old.Conversation.__table__), [
            dict(id="c" * 32, title="Before accounts", system="Be brief.", created_at=old.utcnow(), updated_at=old.utcnow())])
        conn.execute(insert(old.Message.__table__), [
            dict(id="m" * 31 + str(i), conversation_id="c" * 32, seq=i, role=("user", "assistant")[i], content=f"turn {i}",
                 status="complete", created_at=old.utcnow()) for i in range(2)])
        conn.execute(insert(old.UsageEvent.__table__), [
            dict(at_ms=now * 1000 + i, feature="chat", method="POST", status=200, latency_ms=120, bytes_in=10,
                 client_key="ip:abc", engine="gemini", model="gemini-2.5-flash", input_tokens=5, output_tokens=7)
            for i in range(3)])
        conn.execute(insert(old.UsageRollup.__table__), [
            dict(span=span, start=start, feature="chat", engine="gemini", model="gemini-2.5-flash", status=200, error_code="",
                 requests=3, input_tokens=15, output_tokens=21, bytes_in=30, latency_ms_sum=360)
            for span, start in ((3600, hour), (86400, day))])
        conn.execute(insert(old.UsageLatency.__table__), [dict(span=3600, feature="chat", le_ms=120, start=hour, count=3)])
        conn.execute(insert(old.UsageClientDay.__table__), [dict(day=day, client_key="ip:abc", requests=3, tokens=36)])
    engine.dispose()


def test_a_database_written_by_main_upgrades_with_every_row_kept(make_app, db_url):
    old_database(db_url)
    app = make_app(database_url=db_url)
    engine = app.extensions["database"].engine
    with engine.connect() as conn:
        assert migrate.current(conn) == migrate.head()
        assert conn.execute(text("SELECT title, system, user_id FROM conversations")).one() == ("Before accounts", "Be brief.", None)
        assert conn.execute(text("SELECT count(*) FROM messages")).scalar() == 2
        # one path: each message follows the one before it (versions start from here)
        assert conn.execute(text("SELECT seq, parent_id FROM messages ORDER BY seq")).all() == [(0, None), (1, "m" * 31 + "0")]
        assert conn.execute(text("SELECT count(*) FROM usage_events WHERE user_id = 'legacy'")).scalar() == 3
        assert conn.execute(text("SELECT sum(requests) FROM usage_rollups WHERE user_id = 'legacy'")).scalar() == 6
        assert conn.execute(text("SELECT requests, tokens FROM usage_client_days")).one() == (3, 36)

    anonymous = app.test_client(token=None)
    assert anonymous.get("/api/health").get_json()["auth"]["setup_required"] is True  # tables kept, no admin yet
    created = anonymous.post("/api/auth/setup", json={"username": "owner", "password": "the owner's password"})
    assert created.status_code == 201
    owner = app.test_client(token=created.get_json()["token"])
    listed = owner.get("/api/conversations").get_json()["conversations"]
    assert [(c["id"], c["message_count"]) for c in listed] == [("c" * 32, 2)]
    assert [m["content"] for m in owner.get(f"/api/conversations/{'c' * 32}").get_json()["messages"]] == ["turn 0", "turn 1"]
    assert owner.get("/api/conversations?q=turn").get_json()["conversations"][0]["id"] == "c" * 32  # indexed for search
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM usage_events WHERE user_id = 'legacy'")).scalar() == 0
        assert conn.execute(text("SELECT count(*) FROM usage_rollups WHERE user_id = 'legacy'")).scalar() == 0
        user_id = conn.execute(text("SELECT id FROM users")).scalar()
        assert conn.execute(text("SELECT sum(requests) FROM usage_rollups WHERE user_id = :u"), {"u": user_id}).scalar() == 6
    # a later user sees none of it
    bob = app.test_client(token=None).post("/api/auth/signup", json={
        "username": "bob", "password": "bob's password",
        "invite": owner.post("/api/admin/invites", json={}).get_json()["code"]}).get_json()["token"]
    assert app.test_client(token=bob).get("/api/conversations").get_json()["conversations"] == []


def not_search_index(obj, name, type_, reflected, compare_to) -> bool:
    """The full-text index is made by hand in migration 0003 (FTS5 tables, a GIN expression index), not a model."""
    return not (name or "").startswith(("messages_fts", "ix_messages_content_fts"))


def test_the_revisions_build_exactly_what_the_models_describe(db_url):
    engine = create_engine(db_url)
    migrate.upgrade(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": not_search_index})
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diff == []


def test_the_baseline_is_what_main_created(db_url):
    engine = create_engine(db_url)
    migrate.upgrade(engine, migrate.BASELINE)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), old.Base.metadata)
        tables = set(inspect(conn).get_table_names()) - {"alembic_version"}
    engine.dispose()
    assert diff == [] and tables == set(old.Base.metadata.tables)


def test_processes_starting_together_migrate_once(db_url, tmp_path):
    old_database(db_url)
    script = textwrap.dedent(f"""
        import logging, sys
        logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(name)s: %(message)s")
        from assistant.config import Settings
        from assistant import create_app
        app = create_app(Settings(database_url={db_url!r}, ai_provider="local", log_level="INFO"))
        with app.extensions["database"].engine.connect() as conn:
            from sqlalchemy import text
            print("rows:", conn.execute(text("SELECT count(*) FROM messages")).scalar())
    """)
    procs = [subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for _ in range(4)]
    outputs = [p.communicate(timeout=120)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    assert sum(o.count("migrating the database schema") for o in outputs) == 1, outputs
    assert all("rows: 2" in o for o in outputs), outputs
    engine = create_engine(db_url)
    with engine.connect() as conn:
        assert migrate.current(conn) == migrate.head()
        assert conn.execute(select(text("count(*)")).select_from(text("alembic_version"))).scalar() == 1
    engine.dispose()
