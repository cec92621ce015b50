"""What keeps every response safe on the internet: the client IP behind a proxy (ProxyFix, only with
TRUSTED_PROXIES), security headers, and one structured log line per request with its request id.
Prompts, keys, passwords and tokens never reach the log. Who is asking: auth/; limits: ratelimit.py."""
from __future__ import annotations

import json
import logging
import re
import time
import uuid

from flask import Flask, Response, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

log = logging.getLogger("assistant.request")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
API_CSP = "default-src 'none'; frame-ancestors 'none'"
# Swagger UI is served from this origin and needs its own scripts and styles.
DOCS_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; frame-ancestors 'none'"


def init_security(app: Flask) -> None:
    settings = app.config["SETTINGS"]
    if settings.trusted_proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies, x_proto=1)  # type: ignore[method-assign]

    app.before_request(_start)
    app.after_request(_headers_and_log)


def _start() -> None:
    g.request_started = time.perf_counter()
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if REQUEST_ID.match(incoming) else uuid.uuid4().hex


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
