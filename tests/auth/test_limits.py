"""Limits that cannot be dodged: per user when signed in, per IP when not (made-up bearer strings
included), failed sign-ins throttled per account and per IP, quotas shared by all of a user's tokens,
and every limit exact across workers (two apps on one database stand for two gunicorn workers)."""
import secrets
import threading
import time

from tests.accounts import PASSWORD, bearer, make_user
from tests.test_errors import assert_envelope


def test_wrong_passwords_are_throttled_per_account_and_ip(make_app):
    app = make_app(login_rate_limit_account="3/minute", login_rate_limit_ip="5/minute")
    make_user(app, "bob")
    client = app.test_client(token=None)
    codes = [client.post("/api/auth/login", json={"username": "bob", "password": "guess number %d" % i}).status_code
             for i in range(4)]
    assert codes == [401, 401, 401, 429]
    limited = client.post("/api/auth/login", json={"username": "bob", "password": PASSWORD})
    assert_envelope(limited, 429, "rate_limited")  # even the right password waits out the window
    assert 0 < int(limited.headers["Retry-After"]) <= 60
    # other accounts from the same IP: two more failures, then the per-IP budget is spent too
    codes = [client.post("/api/auth/login", json={"username": f"user{i}", "password": "guess guess"}).status_code for i in range(3)]
    assert codes == [401, 401, 429]


def test_a_throttled_account_recovers_when_the_window_passes(make_app):
    app = make_app(login_rate_limit_account="2/second", login_rate_limit_ip="100/minute")
    make_user(app, "bob")
    client = app.test_client(token=None)
    for _ in range(2):
        client.post("/api/auth/login", json={"username": "bob", "password": "wrong wrong"})
    assert client.post("/api/auth/login", json={"username": "bob", "password": PASSWORD}).status_code == 429
    time.sleep(1.1)
    assert client.post("/api/auth/login", json={"username": "bob", "password": PASSWORD}).status_code == 200


def test_made_up_bearer_strings_share_their_ip_budget(make_app):
    client = make_app(rate_limit="5/minute").test_client(token=None)
    codes = [client.get("/api/conversations", headers=bearer(secrets.token_urlsafe(16))).status_code for _ in range(7)]
    assert codes == [401] * 5 + [429, 429]  # refused requests count: guessing tokens is throttled


def test_rate_limits_are_per_user_not_per_connection(make_app):
    app = make_app(rate_limit="3/minute")
    _, alice = make_user(app, "alice")
    _, bob = make_user(app, "bob")
    client = app.test_client(token=None)  # one IP for both
    assert [client.get("/api/conversations", headers=bearer(alice)).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert client.get("/api/conversations", headers=bearer(bob)).status_code == 200


def test_all_tokens_of_a_user_share_one_quota(make_app):
    app = make_app(daily_request_limit=3)
    alice_id, session = make_user(app, "alice")
    client = app.test_client(token=session)
    api = client.post("/api/auth/tokens", json={"name": "a"}).get_json()["token"]  # account routes are not counted
    second = app.test_client(token=None).post("/api/auth/login", json={"username": "alice", "password": PASSWORD}).get_json()["token"]
    codes = [app.test_client(token=t).get("/api/conversations").status_code for t in (session, api, second, api)]
    assert codes == [200, 200, 200, 429]
    response = app.test_client(token=second).get("/api/conversations")
    assert_envelope(response, 429, "quota_exceeded")
    assert int(response.headers["Retry-After"]) > 0


def test_an_admin_sets_a_users_own_limit(make_app):
    app = make_app()  # no server-wide quota
    bob_id, bob = make_user(app, "bob")
    admin = app.test_client()
    assert admin.patch(f"/api/admin/users/{bob_id}", json={"daily_request_limit": 2}).status_code == 200
    codes = [app.test_client(token=bob).get("/api/conversations").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert all(admin.get("/api/conversations").status_code == 200 for _ in range(3))  # others unaffected
    usage = {u["username"]: u["usage_today"]["requests"] for u in admin.get("/api/admin/users").get_json()["users"]}
    assert usage["bob"] == 2


def test_limits_are_exact_across_workers(make_app):
    """Two apps on one database (two workers): the rate limit and the quota hold exactly, even raced."""
    first, second = make_app(rate_limit="4/minute"), make_app(rate_limit="4/minute")
    _, token = make_user(first, "alice")
    clients = [first.test_client(token=token), second.test_client(token=token)]
    assert [clients[i % 2].get("/api/conversations").status_code for i in range(5)] == [200, 200, 200, 200, 429]

    first, second = make_app(daily_request_limit=5), make_app(daily_request_limit=5)
    _, token = make_user(first, "bob")
    codes: list[int] = []

    def call(app):
        codes.append(app.test_client(token=token).get("/api/conversations").status_code)

    threads = [threading.Thread(target=call, args=((first, second)[i % 2],)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [200] * 5 + [429] * 7


def test_rate_limit_shared_through_redis(make_app, redis_url):
    _, token = make_user(make_app(), "alice")
    first = make_app(rate_limit="4/minute", ratelimit_storage_uri=redis_url).test_client(token=token)
    second = make_app(rate_limit="4/minute", ratelimit_storage_uri=redis_url).test_client(token=token)
    codes = [c.get("/api/conversations").status_code for c in (first, second, first, second, first)]
    assert codes == [200, 200, 200, 200, 429]


def test_a_redis_that_goes_away_does_not_take_the_api_down(make_app, redis_server):
    url, proc = redis_server()
    client = make_app(rate_limit="1000/minute", ratelimit_storage_uri=url).test_client()
    assert client.get("/api/conversations").status_code == 200
    proc.kill()
    proc.wait(10)
    for _ in range(3):  # counted in memory meanwhile
        assert client.get("/api/conversations").status_code == 200
    assert client.post("/api/chat", json={"message": "still answering"}).status_code == 200
    assert client.post("/api/auth/login", json={"username": "admin", "password": "wrong password"}).status_code == 401


def test_client_ip_comes_from_x_forwarded_for_only_behind_trusted_proxies(make_app):
    direct = make_app(rate_limit="3/minute").test_client(token=None)
    spoofed = [direct.get("/api/conversations", headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code for i in range(4)]
    assert spoofed == [401, 401, 401, 429]  # a forged header changes nothing
    proxied = make_app(rate_limit="3/minute", trusted_proxies=1).test_client(token=None)
    hops = [proxied.get("/api/conversations", headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code for i in range(4)]
    assert hops == [401] * 4  # four clients behind the proxy, each with its own budget
    same = [proxied.get("/api/conversations", headers={"X-Forwarded-For": "198.51.100.7"}).status_code for _ in range(4)]
    assert same == [401, 401, 401, 429]


def test_cors_preflight_allows_the_bearer_header_and_exposes_what_the_app_reads(make_app):
    client = make_app(allowed_origins="https://app.example").test_client(token=None)
    preflight = client.options("/api/chat", headers={
        "Origin": "https://app.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type"})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert "authorization" in preflight.headers["Access-Control-Allow-Headers"].lower()
    assert "Access-Control-Allow-Credentials" not in preflight.headers  # bearer tokens, no cookies
    actual = client.get("/api/conversations", headers={"Origin": "https://app.example"})
    exposed = actual.headers["Access-Control-Expose-Headers"]
    for header in ("Retry-After", "Content-Disposition", "X-Conversation-Id"):
        assert header in exposed
    assert actual.status_code == 401 and actual.headers["Access-Control-Allow-Origin"] == "https://app.example"
    foreign = client.options("/api/chat", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in foreign.headers


def test_parallel_guesses_cannot_slip_past_the_throttle(make_app):
    app = make_app(login_rate_limit_account="5/minute", login_rate_limit_ip="1000/minute")
    make_user(app, "bob")
    codes: list[int] = []

    def guess(i):
        codes.append(app.test_client(token=None).post("/api/auth/login", json={"username": "bob", "password": f"guess {i:06d}"}).status_code)

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [401] * 5 + [429] * 11  # counted before the password is checked


def test_right_passwords_do_not_use_up_the_throttle(make_app):
    app = make_app(login_rate_limit_account="3/minute", login_rate_limit_ip="3/minute")
    make_user(app, "bob")
    client = app.test_client(token=None)
    assert [client.post("/api/auth/login", json={"username": "bob", "password": PASSWORD}).status_code for _ in range(6)] == [200] * 6
