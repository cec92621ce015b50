"""Usage: every /api request becomes a usage event (recorded off the request path, see recorder.py),
rolled up for the dashboard (report.py) and /metrics, and checked against the daily quotas.

Routes tell what only they know with `note(engine=…, model=…, input_tokens=…, output_tokens=…)`.
A streamed response is recorded when its stream is closed, so its tokens and latency are complete.
"""
from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timezone

from flask import Flask, Response, current_app, g, has_app_context, request
from sqlalchemy.exc import SQLAlchemyError

from .. import errors
from ..auth.identity import client_key, optional_user
from ..models import ANONYMOUS
from . import store
from .recorder import Recorder
from .store import DAY, Event, quota_exempt

log = logging.getLogger(__name__)
NOTABLE = frozenset({"feature", "engine", "model", "input_tokens", "output_tokens", "error_code"})


@dataclass(slots=True)
class _Pending:
    """An event being gathered during a request; routes and streams fill it in through `note`."""

    started: float
    at_ms: int
    feature: str
    client_key: str
    user_id: str = ANONYMOUS
    reserved: bool = False
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


def init_usage(app: Flask) -> None:
    """Wire recording and GET /metrics into the app. Call once from create_app, after `auth.identify`
    (events carry their user) and before the rate limiter (its refusals are usage too); `check_quota`
    is registered by create_app after `auth.require` (an unauthenticated caller gets 401, not a quota)."""
    from .metrics import Metrics, bp as metrics_bp

    database = app.extensions["database"]
    settings = app.config["SETTINGS"]
    recorder = Recorder(database, settings.usage_retention_days)
    metrics = Metrics(recorder, database)
    recorder.observers.append(metrics.observe)
    app.extensions["usage"] = recorder
    app.extensions["usage_metrics"] = metrics
    app.register_blueprint(metrics_bp)
    app.before_request(_before)
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
    principal = optional_user()
    g._usage = _Pending(started=time.perf_counter(), at_ms=int(recorder.clock() * 1000), feature=_feature(),
                        client_key=client_key(), user_id=principal.user_id if principal else ANONYMOUS)


def limits_for(settings, principal) -> tuple[int | None, int | None]:
    """(requests, tokens) per day for this caller: an admin's per-user setting, else the server's."""
    own_requests = principal.daily_request_limit if principal else None
    own_tokens = principal.daily_token_limit if principal else None
    return (settings.daily_request_limit if own_requests is None else own_requests,
            settings.daily_token_limit if own_tokens is None else own_tokens)


def check_quota() -> None:
    """Before a feature request runs: refuse it past the caller's daily token quota, then count it against
    the request quota with one atomic conditional increment in the database (exact across workers)."""
    pending: _Pending | None = g.get("_usage")
    if pending is None or quota_exempt(pending.feature, request.method):
        return
    settings, principal = current_app.config["SETTINGS"], optional_user()
    max_requests, max_tokens = limits_for(settings, principal)
    if max_requests is None and max_tokens is None:
        return
    recorder: Recorder = current_app.extensions["usage"]
    now = int(recorder.clock())
    day = now - now % DAY
    if max_tokens is not None and recorder.used_today(pending.client_key, fresh=True)[1] >= max_tokens:
        own = principal is not None and principal.daily_token_limit is not None
        _over(f"today's {max_tokens} tokens ({'your account' if own else 'DAILY_TOKEN_LIMIT'})", day, recorder)
    if max_requests is not None:
        try:
            allowed = store.reserve_request(recorder.db, day, pending.client_key, max_requests)
        except SQLAlchemyError:  # the database is away: fail open rather than fail every request
            log.warning("could not count a request against the daily quota; letting it through")
            return
        if not allowed:
            own = principal is not None and principal.daily_request_limit is not None
            _over(f"today's {max_requests} requests ({'your account' if own else 'DAILY_REQUEST_LIMIT'})", day, recorder)
        pending.reserved = True


def _over(what: str, day: int, recorder: Recorder) -> None:
    reset = day + DAY
    wait = max(1, int(reset - recorder.clock()))
    at = datetime.fromtimestamp(reset, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    raise errors.QuotaExceeded(f"You have used {what}. The quota resets at {at}, in {wait // 3600} h {wait % 3600 // 60} min.",
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
            user_id=pending.user_id, reserved=pending.reserved, bytes_in=bytes_in, engine=pending.engine, model=pending.model, error_code=pending.error_code,
            input_tokens=pending.input_tokens, output_tokens=pending.output_tokens))

    if response.is_streamed:
        response.call_on_close(finish)  # tokens and the stream's real length are known only then
    else:
        finish()
    return response
