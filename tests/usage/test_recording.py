"""What gets recorded, how it is kept private, pruned, exported, and never lost on a normal stop."""
from __future__ import annotations

import subprocess
import sys
import textwrap

from sqlalchemy import create_engine, func, select, text

from assistant.models import UsageEvent, UsageRollup
from tests.accounts import make_user
from tests.conftest import ROOT


def count_events(app) -> int:
    app.extensions["usage"].flush()
    with app.extensions["database"].session() as s:
        return s.scalar(select(func.count()).select_from(UsageEvent))


def test_client_key_is_the_user_or_a_hash_of_the_ip_never_a_token(usage_app):
    app = usage_app()
    client = app.test_client(token=None)
    user_id, token = make_user(app, "alice")
    client.get("/api/conversations", headers={"Authorization": f"Bearer {token}"}, environ_base={"REMOTE_ADDR": "203.0.113.9"})
    client.get("/api/conversations", headers={"Authorization": "Bearer s3cret-made-up"}, environ_base={"REMOTE_ADDR": "203.0.113.9"})
    client.get("/api/conversations", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    app.extensions["usage"].flush()
    with app.extensions["database"].session() as s:
        rows = s.execute(select(UsageEvent.client_key, UsageEvent.user_id).order_by(UsageEvent.id)).all()
    assert rows[0] == (f"u:{user_id}", user_id)
    assert rows[1] == rows[2] and rows[1][0].startswith("ip:") and rows[1][1] == ""  # a made-up token is just its IP
    assert not any("s3cret" in k or "203.0.113" in k or token in k for k, _ in rows)


def test_preflights_and_non_api_paths_are_not_usage(usage_app):
    app = usage_app()
    client = app.test_client()
    client.options("/api/chat", headers={"Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST"})
    client.get("/metrics")
    client.get("/favicon.ico")
    assert count_events(app) == 0


def test_metrics_in_prometheus_text_format(usage_app, fake_gemini):
    client = usage_app().test_client()
    client.post("/api/chat", json={"message": "three little words"})
    client.get("/api/nowhere")
    r = client.get("/metrics")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/plain; version=")
    lines = r.get_data(as_text=True).splitlines()
    assert 'assistant_api_requests_total{code="not_found",feature="unknown",status="404"} 1.0' in lines
    assert 'assistant_api_requests_total{code="",feature="chat",status="200"} 1.0' in lines
    assert 'assistant_model_tokens_total{direction="input",engine="gemini",model="gemini-3.8-flash"} 3.0' in lines
    assert 'assistant_database_up 1.0' in lines
    assert any(line.startswith("process_resident_memory_bytes ") for line in lines)
    assert client.post("/metrics").get_json()["error"]["code"] == "method_not_allowed"


def test_old_events_are_pruned(usage_app, clock):
    app = usage_app(usage_retention_days=3)
    client = app.test_client()
    for _ in range(5):
        client.get("/api/conversations")
    assert count_events(app) == 5
    clock.advance(4 * 86400)  # past the retention; the writer prunes at most hourly, on its own clock
    client.get("/api/conversations")
    assert count_events(app) == 1
    with app.extensions["database"].session() as s:
        oldest = s.scalar(select(func.min(UsageRollup.start)))
    assert oldest >= clock() - 4 * 86400  # rollups of the old day went too
    body = client.get("/api/dashboard?range=30d").get_json()
    assert body["totals"]["requests"] == 1


def test_a_normal_stop_loses_no_events(sqlite_url):
    """A process that records events and exits at once: atexit drains the queue into the database."""
    script = textwrap.dedent(f"""
        from assistant import create_app
        from assistant.config import Settings
        app = create_app(Settings(database_url={sqlite_url!r}, ai_provider="local", log_level="WARNING", auth_mode="none"))
        client = app.test_client()
        for i in range(300):
            client.get("/api/conversations/" + "%032x" % i)
    """)
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True, timeout=60)
    engine = create_engine(sqlite_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*), sum(requests) FROM usage_client_days")).one() == (1, 300)
        assert conn.execute(text("SELECT count(*) FROM usage_events WHERE status = 404")).scalar() == 300
    engine.dispose()


def test_concurrent_requests_are_all_counted(usage_app):
    from concurrent.futures import ThreadPoolExecutor

    app = usage_app()

    def worker(n: int) -> None:
        client = app.test_client()
        for i in range(40):
            assert client.get("/api/conversations/" + "%032x" % i, environ_base={"REMOTE_ADDR": f"10.0.0.{n}"}).status_code == 404

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(worker, range(8)))
    body = app.test_client().get("/api/dashboard").get_json()
    assert body["totals"]["requests"] == 320 and body["errors"] == [{"code": "not_found", "count": 320}]


def test_writer_that_went_idle_comes_back(usage_app, monkeypatch):
    from assistant.usage import recorder as recorder_module
    from tests.conftest import wait_for

    monkeypatch.setattr(recorder_module, "IDLE_EXIT_S", 0.0)
    app = usage_app()
    recorder = app.extensions["usage"]
    client = app.test_client()
    client.get("/api/conversations")
    wait_for(lambda: recorder._thread is None, timeout=5)  # written, then the thread quit
    client.get("/api/conversations")
    assert recorder._thread is not None
    assert count_events(app) == 2


def test_refusals_for_missing_credentials_are_recorded(usage_app):
    app = usage_app()
    assert app.test_client(token=None).get("/api/conversations").status_code == 401
    body = app.test_client().get("/api/dashboard").get_json()  # the administrator sees everyone's
    assert body["errors"] == [{"code": "unauthorized", "count": 1}]
    assert {u["username"]: u["requests"] for u in body["users"]}["(not signed in)"] == 1


def test_rate_limited_requests_are_recorded(usage_app):
    app = usage_app(rate_limit="2/minute")
    _, token = make_user(app, "alice")
    alice = app.test_client(token=token)
    assert [alice.get("/api/conversations").status_code for _ in range(3)] == [200, 200, 429]
    body = app.test_client().get("/api/dashboard").get_json()
    assert body["errors"] == [{"code": "rate_limited", "count": 1}]
    assert by_feature_requests(body) == {"conversations": 3}


def by_feature_requests(body) -> dict:
    return {f["feature"]: f["requests"] for f in body["features"]}


def test_database_gone_dashboard_says_so_and_requests_still_work(usage_app, db_url):
    """PostgreSQL dropped under a running app: a clear 503 (nobody can be signed in, so the dashboard and
    every signed-in route say so), health still answers, unknown paths are still plain 404s."""
    import psycopg
    import pytest

    if not db_url.startswith("postgresql"):
        pytest.skip("dropping the database under the app is a PostgreSQL scenario")
    app = usage_app(daily_request_limit=100)
    client = app.test_client()
    assert client.get("/api/health").status_code == 200
    app.extensions["usage"].flush()
    admin, name = db_url.rsplit("/", 1)
    with psycopg.connect(admin + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    r = client.get("/api/dashboard")
    assert (r.status_code, r.get_json()["error"]["code"]) == (503, "capability_unavailable")
    assert "database" in r.get_json()["error"]["message"]
    assert client.get("/api/no-such-route").status_code == 404  # quota check could not read: fails open
    r = client.get("/api/conversations")  # nobody can be signed in without the database: said, not a 500
    assert (r.status_code, r.get_json()["error"]["code"]) == (503, "capability_unavailable")
    assert client.get("/api/health").status_code == 200
