"""Usage: every /api request becomes a usage event (recorded off the request path, see recorder.py),
rolled up for the dashboard (report.py) and /metrics, and checked against the daily quotas.

Routes tell what only they know with `note(engine=…, model=…, input_tokens=…, output_tokens=…)`.
A streamed response is recorded when its stream is closed, so its tokens and latency are complete.
"""
from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from datetime import datetime, timezone

from flask import Flask, Response, current_app, g, has_app_context, request

from .. import errors
from .recorder import Recorder
from .store import DAY, QUOTA_EXEMPT, Event

NOTABLE = frozenset({"feature", "engine", "model", "input_tokens", "output_tokens", "error_code"})


@dataclass(slots=True)
class _Pending:
    """An event being gathered during a request; routes and streams fill it in through `note`."""

    started: float
    at_ms: int
    feature: str
    client_key: str
    engine: str | None = None
    model: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    error_code: str | None = None


def note(**fields) -> None:
    """Attach what the route knows to this request's usage event (no-op outside an /api request)."""
    unknown = set(fields) - NOTABLE
    if unknown:
        raise TypeError(f"usage.note: unknown fields {sorted(unknown)}")
    pending = g.get("_usage") if has_app_context() else None
    if pending is not None:
        for name, value in fields.items():
            setattr(pending, name, value)


def client_key() -> str:
    """A stable pseudonym for the caller: a hash of its bearer token, else of its IP. Never the raw value."""
    auth = request.headers.get("Authorization", "")
    if auth[:7].lower() == "bearer " and auth[7:].strip():
        kind, raw = "t", auth[7:].strip()
    else:
        kind, raw = "ip", request.remote_addr or "unknown"
    return f"{kind}:" + hashlib.sha256(f"assistant-usage:{kind}:{raw}".encode()).hexdigest()[:24]


def init_usage(app: Flask) -> None:
    """Wire recording, quotas and GET /metrics into the app. Call once from create_app."""
    from .metrics import Metrics, bp as metrics_bp

    database = app.extensions["database"]
    settings = app.config["SETTINGS"]
    recorder = Recorder(database, settings.usage_retention_days)
    metrics = Metrics(recorder, database)
    recorder.observers.append(metrics.observe)
    app.extensions["usage"] = recorder
    app.extensions["usage_metrics"] = metrics
    app.register_blueprint(metrics_bp)
    # First of all before-request hooks, so refusals by the access token or the rate limiter are usage
    # too; the quota check comes after them (an unauthenticated caller gets 401, not a quota).
    app.before_request_funcs.setdefault(None, []).insert(0, _before)
    app.before_request(_check_quota)
    app.after_request(_after)


def _feature() -> str:
    """The first path segment after /api of the matched route: a small, fixed set of names."""
    rule = request.url_rule.rule if request.url_rule else request.path
    segment = rule[len("/api/"):].split("/", 1)[0]
    if request.url_rule is None:  # 404/405: keep garbage paths out of the feature names
        known = current_app.extensions.setdefault("usage_features", {
            r.rule[len("/api/"):].split("/", 1)[0] for r in current_app.url_map.iter_rules() if r.rule.startswith("/api/")})
        return segment if segment in known else "unknown"
    return segment or "unknown"


def _before() -> None:
    if not request.path.startswith("/api/") or request.method == "OPTIONS":  # CORS preflights are not usage
        return
    recorder: Recorder = current_app.extensions["usage"]
    pending = _Pending(started=time.perf_counter(), at_ms=int(recorder.clock() * 1000), feature=_feature(),
                       client_key=client_key())
    g._usage = pending


def _check_quota() -> None:
    settings = current_app.config["SETTINGS"]
    pending: _Pending | None = g.get("_usage")
    if pending and (settings.daily_request_limit or settings.daily_token_limit) and pending.feature not in QUOTA_EXEMPT:
        check_quota(current_app.extensions["usage"], settings, pending.client_key)


def check_quota(recorder: Recorder, settings, key: str) -> None:
    requests, tokens, day = recorder.used_today(key)
    over = None
    if settings.daily_request_limit and requests >= settings.daily_request_limit:
        over = f"today's {settings.daily_request_limit} requests (DAILY_REQUEST_LIMIT)"
    elif settings.daily_token_limit and tokens >= settings.daily_token_limit:
        over = f"today's {settings.daily_token_limit} tokens (DAILY_TOKEN_LIMIT)"
    if over:
        reset = day + DAY
        wait = max(1, int(reset - recorder.clock()))
        at = datetime.fromtimestamp(reset, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        raise errors.QuotaExceeded(f"You have used {over}. The quota resets at {at}, in {wait // 3600} h {wait % 3600 // 60} min.",
                                   retry_after=wait)


def _error_code(response: Response) -> str:
    """The envelope's code (every error is `{"error": {"code", …}}`); plain json.loads is the cheap way."""
    if response.is_json and not response.is_streamed:
        try:
            return str(json.loads(response.get_data())["error"]["code"])[:40]
        except (ValueError, KeyError, TypeError):
            pass
    return f"http_{response.status_code}"


def _after(response: Response) -> Response:
    pending: _Pending | None = g.get("_usage")
    if pending is None:
        return response
    recorder: Recorder = current_app.extensions["usage"]
    status, bytes_in, method = response.status_code, request.content_length or 0, request.method
    if pending.error_code is None and status >= 400:
        pending.error_code = _error_code(response)

    def finish() -> None:
        recorder.record(Event(
            at_ms=pending.at_ms, feature=pending.feature, method=method, status=status,
            latency_ms=round((time.perf_counter() - pending.started) * 1000), client_key=pending.client_key,
            bytes_in=bytes_in, engine=pending.engine, model=pending.model, error_code=pending.error_code,
            input_tokens=pending.input_tokens, output_tokens=pending.output_tokens))

    if response.is_streamed:
        response.call_on_close(finish)  # tokens and the stream's real length are known only then
    else:
        finish()
    return response
