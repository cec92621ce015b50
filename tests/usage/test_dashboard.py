"""Real traffic through the routes (chat through the fake Gemini over HTTP), then the dashboard's
numbers, checked exactly, on SQLite and PostgreSQL."""
from __future__ import annotations

from assistant.usage.schemas import DashboardOut
from tests.fakes.gemini import Reply
from tests.sse import parse_sse

SSE = {"Accept": "text/event-stream"}


def drive_traffic(client, fake_gemini):
    """Nine requests: two good chats, two upstream failures, and the usual client mistakes."""
    fake_gemini.push(Reply(chunks=["Hello ", "there"], usage=(10, 20)))
    assert client.post("/api/chat", json={"message": "hi"}).status_code == 200

    fake_gemini.push(Reply(chunks=["A ", "streamed ", "reply"], usage=(7, 3)))
    with client.post("/api/chat", json={"message": "stream it"}, headers=SSE) as r:
        assert [e[0] for e in parse_sse(r.get_data(as_text=True))][-1] == "done"

    fake_gemini.push(Reply(error=400))  # not retried by the SDK: 502 upstream_error
    r = client.post("/api/chat", json={"message": "fail"})
    assert (r.status_code, r.get_json()["error"]["code"]) == (502, "upstream_error")

    fake_gemini.push(Reply(chunks=["cut ", "short ", "here"], reset_after=1))  # the stream breaks midway
    with client.post("/api/chat", json={"message": "break"}, headers=SSE) as r:
        assert r.status_code == 200
        assert [e[0] for e in parse_sse(r.get_data(as_text=True))][-1] == "error"

    assert client.post("/api/chat", json={}).status_code == 400
    assert client.get("/api/conversations/" + "0" * 32).status_code == 404
    assert client.get("/api/no-such-thing").status_code == 404
    assert client.delete("/api/health").status_code == 405
    assert client.get("/api/health").status_code == 200


def by_feature(body):
    return {f["feature"]: f for f in body["features"]}


def test_dashboard_counts_real_traffic_exactly(usage_app, fake_gemini, clock):
    app = usage_app()
    client = app.test_client()
    drive_traffic(client, fake_gemini)

    body = client.get("/api/dashboard?range=24h").get_json()
    DashboardOut.model_validate(body)  # the documented shape
    assert body["range"] == "24h" and body["bucket"] == "hour"
    assert body["from"] == "2026-03-09T13:00:00.000Z" and body["to"] == "2026-03-10T12:30:00.000Z"
    totals = body["totals"]
    assert {k: totals[k] for k in ("requests", "errors", "input_tokens", "output_tokens")} == \
        {"requests": 9, "errors": 6, "input_tokens": 17, "output_tokens": 23}
    assert totals["error_rate"] == round(6 / 9, 4)
    # gemini-3.8-flash at the default prices: $0.75 / $3.75 per million input / output tokens
    assert totals["estimated_cost_usd"] == round((17 * 0.75 + 23 * 3.75) / 1e6, 6)

    features = by_feature(body)
    assert set(features) == {"chat", "conversations", "unknown", "health"}
    chat = features["chat"]
    assert (chat["requests"], chat["errors"], chat["input_tokens"], chat["output_tokens"]) == (5, 3, 17, 23)
    assert chat["p50_latency_ms"] is not None and chat["p50_latency_ms"] <= chat["p95_latency_ms"]
    assert (features["health"]["requests"], features["health"]["errors"]) == (2, 1)
    assert (features["conversations"]["requests"], features["conversations"]["errors"]) == (1, 1)

    assert {e["code"]: e["count"] for e in body["errors"]} == \
        {"upstream_error": 2, "not_found": 2, "invalid_request": 1, "method_not_allowed": 1}
    assert body["models"] == [{"engine": "gemini", "model": "gemini-3.8-flash", "requests": 4, "input_tokens": 17,
                               "output_tokens": 23, "estimated_cost_usd": round((17 * 0.75 + 23 * 3.75) / 1e6, 6)}]

    series = body["series"]
    assert len(series) == 24 and series[0]["start"] == "2026-03-09T13:00:00.000Z"
    assert series[-1]["start"] == "2026-03-10T12:00:00.000Z"
    assert [p["requests"] for p in series] == [0] * 23 + [9]
    assert (series[-1]["errors"], series[-1]["input_tokens"], series[-1]["output_tokens"]) == (6, 17, 23)

    recent = [(a["feature"], a["status"], a["error_code"]) for a in body["recent"]]
    assert recent == [("health", 200, None), ("health", 405, "method_not_allowed"), ("unknown", 404, "not_found"),
                      ("conversations", 404, "not_found"), ("chat", 400, "invalid_request"),
                      ("chat", 200, "upstream_error"), ("chat", 502, "upstream_error"), ("chat", 200, None),
                      ("chat", 200, None)]
    streamed = body["recent"][7]
    assert (streamed["engine"], streamed["model"], streamed["input_tokens"], streamed["output_tokens"]) == \
        ("gemini", "gemini-3.8-flash", 7, 3)

    server = body["server"]
    assert server["database"]["status"] == "ok"
    assert server["database"]["dialect"] in ("sqlite", "postgresql")
    assert server["memory_rss_bytes"] > 10_000_000 and server["uptime_seconds"] > 0 and server["cpu_percent"] >= 0

    # The dashboard's own request is usage too (after it answered).
    again = client.get("/api/dashboard").get_json()
    assert again["totals"]["requests"] == 10 and by_feature(again)["dashboard"]["requests"] == 1


def test_ranges_bucket_by_day_and_fill_empty_days(usage_app, fake_gemini, clock):
    client = usage_app().test_client()
    drive_traffic(client, fake_gemini)
    clock.advance(2 * 86400)  # two days later: gone from the 24h view, still in 7d and 30d
    client.get("/api/health")

    day = client.get("/api/dashboard?range=24h").get_json()
    assert day["totals"]["requests"] == 1 and day["totals"]["input_tokens"] == 0

    week = client.get("/api/dashboard?range=7d").get_json()
    assert week["bucket"] == "day" and week["from"] == "2026-03-06T00:00:00.000Z"
    assert [p["start"][:10] for p in week["series"]] == [f"2026-03-{d:02d}" for d in range(6, 13)]
    # 9 requests on the 10th; on the 12th one health check and the 24h dashboard call
    assert [p["requests"] for p in week["series"]] == [0, 0, 0, 0, 9, 0, 2]
    assert week["totals"]["requests"] == 11 and week["totals"]["output_tokens"] == 23

    month = client.get("/api/dashboard?range=30d").get_json()
    assert len(month["series"]) == 30 and month["series"][0]["start"] == "2026-02-11T00:00:00.000Z"
    assert month["totals"]["requests"] == 12  # and the 7d call


def test_latency_percentiles_are_nearest_rank(usage_app, clock):
    """Known latencies go through the real recorder and database; the SQL picks the percentiles."""
    from assistant.usage.store import Event

    app = usage_app()
    recorder = app.extensions["usage"]
    at = int(clock() * 1000)
    for ms in range(1, 101):  # 1..100 ms: exact buckets
        recorder.record(Event(at_ms=at, feature="voice", method="POST", status=200, latency_ms=ms, client_key="t:x"))
    for ms in (1000, 1000, 1000, 9000):
        recorder.record(Event(at_ms=at, feature="image", method="POST", status=200, latency_ms=ms, client_key="t:x"))
    body = app.test_client().get("/api/dashboard?range=7d").get_json()
    voice, image = by_feature(body)["voice"], by_feature(body)["image"]
    assert (voice["p50_latency_ms"], voice["p95_latency_ms"], voice["avg_latency_ms"]) == (50, 95, 50.5)
    # above 100 ms the buckets are 5% wide: the reported value is the bucket's upper bound
    assert 1000 <= image["p50_latency_ms"] <= 1050 and 9000 <= image["p95_latency_ms"] <= 9450
    assert image["avg_latency_ms"] == 3000.0


def test_bad_range_is_a_clear_400(usage_app):
    client = usage_app().test_client()
    for bad in ("1y", "", "24H", "x" * 500):
        r = client.get("/api/dashboard", query_string={"range": bad})
        assert r.status_code == 400
        assert r.get_json()["error"]["code"] == "invalid_request"
        assert "24h, 7d, 30d" in r.get_json()["error"]["message"]


def test_prices_are_configurable_and_unpriced_models_are_named(usage_app, fake_gemini):
    client = usage_app(usage_prices={"other-model": {"input": 1, "output": 1}}).test_client()
    fake_gemini.push(Reply(usage=(1000, 2000)))
    client.post("/api/chat", json={"message": "hi"})
    body = client.get("/api/dashboard").get_json()
    assert body["unpriced_models"] == ["gemini-3.8-flash"]
    assert body["models"][0]["estimated_cost_usd"] is None and body["totals"]["estimated_cost_usd"] == 0

    client = usage_app(usage_prices={"gemini-3.8-flash": {"input": 1.5, "output": 10}}).test_client()
    fake_gemini.push(Reply(usage=(1000, 2000)))
    client.post("/api/chat", json={"message": "hi"})
    body = client.get("/api/dashboard").get_json()  # same database: both chats, both now priced
    assert body["unpriced_models"] == []
    assert body["totals"]["estimated_cost_usd"] == round(2 * (1000 * 1.5 + 2000 * 10) / 1e6, 6)
