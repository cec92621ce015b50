"""Daily quotas per user: exhaustion, the reset at midnight UTC (the clock is moved, not slept).
How tokens, IPs and workers share them: tests/auth/test_limits.py."""
from __future__ import annotations

from tests.accounts import bearer, make_user
from tests.fakes.gemini import Reply


def test_request_quota_runs_out_and_resets_at_midnight(usage_app, clock):
    clock.now = clock.now - clock.now % 86400 + 86400 - 90  # 23:58:30 UTC
    app = usage_app(daily_request_limit=3)
    client = app.test_client(token=None)
    ALICE, BOB = bearer(make_user(app, "alice")[1]), bearer(make_user(app, "bob")[1])
    for _ in range(3):
        assert client.get("/api/conversations", headers=ALICE).status_code == 200
    # the server looking after itself is never counted
    assert client.get("/api/health", headers=ALICE).status_code == 200
    dash = client.get("/api/dashboard", headers=ALICE).get_json()
    assert dash["quota"]["requests"] == {"used": 3, "limit": 3, "remaining": 0}
    assert dash["quota"]["tokens"] == {"used": 0, "limit": None, "remaining": None}
    assert dash["quota"]["resets_at"] == "2026-03-11T00:00:00.000Z"

    r = client.get("/api/conversations", headers=ALICE)
    assert r.status_code == 429
    assert r.get_json()["error"]["code"] == "quota_exceeded"
    assert int(r.headers["Retry-After"]) in (89, 90)  # Flask-Limiter rewrites it from the wall clock, rounding down
    assert "DAILY_REQUEST_LIMIT" in r.get_json()["error"]["message"]
    assert "2026-03-11 00:00 UTC" in r.get_json()["error"]["message"]
    assert client.post("/api/chat", json={"message": "hi"}, headers=ALICE).status_code == 429
    assert client.get("/api/auth/me", headers=ALICE).status_code == 200  # account routes are not counted
    assert client.get("/api/dashboard", headers=ALICE).status_code == 200

    # another client has its own quota
    assert client.get("/api/conversations", headers=BOB).status_code == 200
    # refused requests are recorded (the operator sees them) but do not use quota
    dash = client.get("/api/dashboard", headers=ALICE).get_json()  # alice's own view: her refusals
    assert {e["code"]: e["count"] for e in dash["errors"]}["quota_exceeded"] == 2
    assert dash["quota"]["requests"]["used"] == 3

    clock.advance(90)  # midnight: a new day
    assert client.get("/api/conversations", headers=ALICE).status_code == 200
    assert client.get("/api/dashboard", headers=ALICE).get_json()["quota"]["requests"]["used"] == 1


def test_token_quota_counts_model_tokens(usage_app, fake_gemini, clock):
    client = usage_app(daily_token_limit=25).test_client()
    fake_gemini.push(Reply(usage=(10, 20)))
    assert client.post("/api/chat", json={"message": "hi"}).status_code == 200
    r = client.post("/api/chat", json={"message": "again"})
    assert (r.status_code, r.get_json()["error"]["code"]) == (429, "quota_exceeded")
    assert "DAILY_TOKEN_LIMIT" in r.get_json()["error"]["message"]
    assert 86400 - int(clock.now) % 86400 - int(r.headers["Retry-After"]) in (0, 1)
    assert client.get("/api/dashboard").get_json()["quota"]["tokens"] == {"used": 30, "limit": 25, "remaining": 0}
    clock.advance(86400)
    fake_gemini.push(Reply(usage=(1, 1)))
    assert client.post("/api/chat", json={"message": "next day"}).status_code == 200


def test_quota_holds_across_a_restart(usage_app):
    """The counts live in the database, so a new process (here a new app) still knows them."""
    first = usage_app(daily_request_limit=2)
    for _ in range(2):
        first.test_client().get("/api/conversations")
    first.extensions["usage"].close()
    second = usage_app(daily_request_limit=2)
    assert second.test_client().get("/api/conversations").status_code == 429
