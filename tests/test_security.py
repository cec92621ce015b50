"""Access token, CORS allow-list, rate limits (memory and a real Redis), security headers, request ids,
and logs that never carry a prompt or a key."""
import logging
import shutil
import subprocess
import time

import pytest

from tests.conftest import FAKE_KEY, free_port
from tests.test_errors import assert_envelope

TOKEN = "token-for-tests-only"


def test_access_token_guards_everything_but_health(make_app):
    client = make_app(app_access_token=TOKEN).test_client()
    health = client.get("/api/health")
    assert health.status_code == 200 and health.get_json()["access_token_required"] is True  # the web app asks up front
    assert make_app().test_client().get("/api/health").get_json()["access_token_required"] is False
    for path in ("/api/conversations", "/api/openapi.json", "/metrics"):
        response = client.get(path)
        assert_envelope(response, 401, "unauthorized")
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert_envelope(client.get("/api/conversations", headers={"Authorization": "Bearer wrong"}), 401, "unauthorized")
    assert client.get("/api/conversations", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    # a CORS preflight carries no token and must still succeed
    preflight = client.options("/api/chat", headers={"Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST",
                                                     "Access-Control-Request-Headers": "authorization,content-type"})
    assert preflight.status_code == 200 and preflight.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"


def test_cors_allow_list(make_app):
    client = make_app(allowed_origins="https://app.example").test_client()
    ok = client.get("/api/health", headers={"Origin": "https://app.example"})
    assert ok.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert "Access-Control-Allow-Credentials" not in ok.headers
    foreign = client.get("/api/health", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in foreign.headers


def test_security_headers_and_request_id(client):
    response = client.get("/api/health", headers={"X-Request-ID": "abc-123"})
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Request-ID"] == "abc-123"
    odd = client.get("/api/health", headers={"X-Request-ID": "<script>"}).headers["X-Request-ID"]
    assert odd != "<script>" and len(odd) == 32


def hammer(client, n):
    return [client.get("/api/conversations") for _ in range(n)]


def test_rate_limit_is_a_json_429_with_retry_after(make_app):
    client = make_app(rate_limit="5/minute").test_client()
    responses = hammer(client, 6)
    assert [r.status_code for r in responses[:5]] == [200] * 5
    payload = assert_envelope(responses[5], 429, "rate_limited")
    assert "5 per 1 minute" in payload["error"]["message"]
    assert 0 < int(responses[5].headers["Retry-After"]) <= 61  # the window resets within a minute
    assert client.get("/api/health").status_code == 200  # health checks are never limited


@pytest.fixture(scope="module")
def redis_url():
    binary = shutil.which("redis-server")
    if binary is None:
        import os

        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed (apt-get install redis-server); CI must test it.")
        pytest.skip("redis-server not installed")
    port = free_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL)
    time.sleep(0.5)
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(10)


def test_rate_limit_shared_through_redis(make_app, redis_url):
    # two app instances (think: two gunicorn workers) share one budget through Redis
    first = make_app(rate_limit="4/minute", ratelimit_storage_uri=redis_url).test_client()
    second = make_app(rate_limit="4/minute", ratelimit_storage_uri=redis_url).test_client()
    codes = [c.get("/api/conversations").status_code for c in (first, second, first, second, first)]
    assert codes == [200, 200, 200, 200, 429]


def test_logs_carry_no_prompt_and_no_key(make_app, caplog):
    client = make_app(log_level="DEBUG").test_client()
    with caplog.at_level(logging.DEBUG):
        assert client.post("/api/chat", json={"message": "my secret diary entry"}).status_code == 200
        client.post("/api/chat", json={"message": "another private thought", "conversation_id": "f" * 32})
    text = caplog.text
    assert '"route": "/api/chat"' in text and '"status": 200' in text
    assert "secret diary" not in text and "private thought" not in text and FAKE_KEY not in text
