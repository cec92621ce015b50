"""Faults the server must survive: a worker killed mid-stream (SQLite and PostgreSQL), a SIGTERM during a
stream (every Render deploy), and a run of upstream failures after which it still answers."""
import os
import signal
import threading

import httpx
import psutil
import pytest
from httpx_sse import connect_sse

from tests.conftest import wait_for
from tests.fakes.gemini import Reply
from tests.live_server import Server, stream_turn


def test_worker_killed_mid_stream_loses_no_saved_message(server_env, db_url, fake_gemini):
    server = Server(server_env | {"DATABASE_URL": db_url})
    try:
        with server.client(timeout=30) as client:
            cid, _ = stream_turn(client, "first question")
            fake_gemini.push(Reply(chunks=[f"w{i} " for i in range(50)], interval=0.1))
            workers = {p.pid for p in psutil.Process(server.proc.pid).children()}
            with pytest.raises(httpx.HTTPError):
                with connect_sse(client, "POST", "/api/chat", json={"message": "second question", "conversation_id": cid}) as src:
                    events = src.iter_sse()
                    next(events), next(events)
                    # kill -9 whichever worker serves us: no cleanup code runs there
                    for pid in workers:
                        if any(c.status == psutil.CONN_ESTABLISHED for c in psutil.Process(pid).net_connections()):
                            os.kill(pid, signal.SIGKILL)
                    for _ in events:
                        pass
            # gunicorn replaces the worker; everything committed before the kill is there
            messages = wait_for(lambda: _messages(client, cid), timeout=30)
            assert [m["content"] for m in messages][:3] == ["first question", "You said: first question", "second question"]
            assert client.post("/api/chat", json={"message": "alive?", "conversation_id": cid}).status_code == 200
    finally:
        server.stop()


def _messages(client, cid):
    try:
        response = client.get(f"/api/conversations/{cid}")
    except httpx.HTTPError:
        return None
    return response.json()["messages"] if response.status_code == 200 else None


def test_sigterm_lets_an_in_flight_stream_finish(server_env, fake_gemini):
    server = Server(server_env)
    fake_gemini.push(Reply(chunks=[f"w{i} " for i in range(20)], interval=0.1))  # about 2 s
    result = {}

    def stream():
        with server.client(timeout=30) as client:
            with connect_sse(client, "POST", "/api/chat", json={"message": "deploying"}) as src:
                result["events"] = [sse.event for sse in src.iter_sse()]

    reader = threading.Thread(target=stream)
    reader.start()
    wait_for(lambda: len(fake_gemini.requests) == 1, timeout=10)
    server.proc.send_signal(signal.SIGTERM)  # what Render sends on every deploy
    reader.join(30)
    server.proc.wait(40)
    assert result["events"][0] == "meta" and result["events"][-1] == "done"
    assert result["events"].count("delta") == 20


def test_server_stays_healthy_after_a_run_of_upstream_faults(server_env, fake_gemini):
    server = Server(server_env)
    try:
        faults = [Reply(error=429)] * 3 + [Reply(error=500)] * 3 + [Reply(malformed=True), Reply(reset=True),
                  Reply(chunks=["a ", "b "], stall_after=1, stall_seconds=8), Reply(error=503)] + [Reply(error=503)] * 2
        fake_gemini.push(*faults)
        with server.client(timeout=30) as client:
            codes = [client.post("/api/chat", json={"message": f"try {i}"}).status_code for i in range(6)]
            assert codes == [429, 502, 502, 502, 504, 502]
            assert client.get("/api/health").status_code == 200
            assert client.post("/api/chat", json={"message": "and now?"}).json()["message"]["content"] == "You said: and now?"
    finally:
        server.stop()


def _backend_pid(db) -> int:
    from sqlalchemy import text

    with db.engine.connect() as conn:
        return conn.execute(text("SELECT pg_backend_pid()")).scalar_one()


def _terminate(postgres_url: str, pid: int) -> None:
    import psycopg

    with psycopg.connect(postgres_url, autocommit=True) as conn:
        assert conn.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0]


def test_postgres_connection_dropped_while_idle_is_replaced_before_use(postgres_url):
    """A server that drops idle connections (Render's does): the pool pings one that sat idle and reconnects,
    so the request that takes it sees nothing."""
    from assistant.db import Database

    db = Database(postgres_url, ping_after_idle_s=0.0)
    try:
        old = _backend_pid(db)
        _terminate(postgres_url, old)
        assert _backend_pid(db) != old  # the same pool slot, a new connection, no error
    finally:
        db.dispose()


def test_postgres_connection_used_moments_ago_is_not_pinged(postgres_url):
    """Within the idle window there is no ping (a round trip per checkout): a connection killed in that moment
    fails one statement, and the pool then replaces it."""
    from sqlalchemy.exc import OperationalError

    from assistant.db import Database

    db = Database(postgres_url)
    try:
        old = _backend_pid(db)
        _terminate(postgres_url, old)
        with pytest.raises(OperationalError):
            _backend_pid(db)
        assert _backend_pid(db) != old
    finally:
        db.dispose()
