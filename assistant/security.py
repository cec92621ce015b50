"""What keeps the API safe on the internet: the optional access token, rate limits (Flask-Limiter),
the client IP behind a proxy (ProxyFix), security headers, and one structured log line per request
with its request id. Prompts and keys never reach the log."""
from __future__ import annotations

import hmac
import json
import logging
import re
import time
import uuid

from flask import Flask, Response, current_app, g, request
from flask_limiter import Limiter
from werkzeug.middleware.proxy_fix import ProxyFix

from . import errors
from .usage import client_key

log = logging.getLogger("assistant.request")
OPEN_PATHS = ("/api/health",)  # answer without a token: platform health checks
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
API_CSP = "default-src 'none'; frame-ancestors 'none'"
# Swagger UI is served from this origin and needs its own scripts and styles.
DOCS_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; frame-ancestors 'none'"


def init_security(app: Flask) -> None:
    settings = app.config["SETTINGS"]
    if settings.trusted_proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies, x_proto=1)  # type: ignore[method-assign]

    app.before_request(_start)
    app.before_request(_require_token)
    limiter = Limiter(
        # one budget per client across all routes, not one per route
        key_func=client_key, app=app, application_limits=[settings.rate_limit], storage_uri=settings.ratelimit_storage_uri,
        # no X-RateLimit-*/Retry-After on every response: Retry-After goes on 429s only (errors.py)
        headers_enabled=False, application_limits_exempt_when=lambda: request.path in OPEN_PATHS or request.method == "OPTIONS",
        # a broken Redis must not take the API down: count in memory until it is back
        in_memory_fallback_enabled=True, swallow_errors=True,
    )
    app.extensions["rate_limiter"] = limiter
    app.after_request(_headers_and_log)


def _start() -> None:
    g.request_started = time.perf_counter()
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if REQUEST_ID.match(incoming) else uuid.uuid4().hex


def _require_token() -> None:
    secret = current_app.config["SETTINGS"].app_access_token
    if secret is None or request.method == "OPTIONS" or request.path in OPEN_PATHS:
        return
    auth = request.headers.get("Authorization", "")
    token = auth[7:].strip() if auth[:7].lower() == "bearer " else ""
    if not token or not hmac.compare_digest(token.encode(), secret.get_secret_value().encode()):
        err = errors.Unauthorized("This server needs an access token: send `Authorization: Bearer <APP_ACCESS_TOKEN>`.")
        err.headers["WWW-Authenticate"] = 'Bearer realm="ai-assistant"'
        raise err


def _headers_and_log(response: Response) -> Response:
    h = response.headers
    h.setdefault("X-Content-Type-Options", "nosniff")
    h.setdefault("X-Frame-Options", "DENY")
    h.setdefault("Referrer-Policy", "no-referrer")
    h.setdefault("Content-Security-Policy", DOCS_CSP if request.path.startswith("/api/docs") else API_CSP)
    if request.is_secure:
        h.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    request_id = g.get("request_id", "")
    h["X-Request-ID"] = request_id
    started = g.get("request_started")
    rule = request.url_rule.rule if request.url_rule else "-"
    log.info(json.dumps({
        "request_id": request_id, "method": request.method, "route": rule, "status": response.status_code,
        "ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
        "streamed": response.is_streamed,
    }))
    return response
