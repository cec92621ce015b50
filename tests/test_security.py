"""CORS allow-list, the rate limit's answer, security headers, request ids, and logs that never carry a
prompt or a key. Who may call what: tests/auth/."""
import logging

from tests.conftest import FAKE_KEY
from tests.test_errors import assert_envelope


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


def test_logs_carry_no_prompt_and_no_key(make_app, caplog):
    client = make_app(log_level="DEBUG").test_client()
    with caplog.at_level(logging.DEBUG):
        assert client.post("/api/chat", json={"message": "my secret diary entry"}).status_code == 200
        client.post("/api/chat", json={"message": "another private thought", "conversation_id": "f" * 32})
    text = caplog.text
    assert '"route": "/api/chat"' in text and '"status": 200' in text
    assert "secret diary" not in text and "private thought" not in text and FAKE_KEY not in text
