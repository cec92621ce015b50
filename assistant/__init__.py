"""AI Assistant API. `create_app()` wires config, extensions, blueprints and error handlers."""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path

from flask import Flask
from flask.json.provider import DefaultJSONProvider
from flask_cors import CORS

from . import auth
from .ai.selection import Engines
from .config import Settings, load_settings
from .db import Database
from .errors import register_error_handlers
from .ratelimit import init_rate_limits
from .routes import register_blueprints
from .security import init_security
from .usage import check_quota, init_usage

__version__ = "0.1.0"


class JSONProvider(DefaultJSONProvider):
    ensure_ascii = False
    sort_keys = False

    @staticmethod
    def default(o):
        if isinstance(o, datetime):  # ISO 8601 in UTC (SQLite hands back naive UTC values)
            return (o if o.tzinfo else o.replace(tzinfo=timezone.utc)).isoformat().replace("+00:00", "Z")
        return DefaultJSONProvider.default(o)


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or load_settings()
    app = Flask(__name__, instance_path=str(Path(__file__).resolve().parent.parent / "instance"))
    app.json = JSONProvider(app)
    app.config.update(
        SETTINGS=settings,
        VERSION=__version__,
        # multipart framing adds a little on top of the file itself
        MAX_CONTENT_LENGTH=settings.max_upload_mb * 1024 * 1024 + 64 * 1024,
    )
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "httpx2", "google_genai.models", "alembic"):  # per-request INFO lines, SDK and migration chatter
        logging.getLogger(noisy).setLevel(logging.WARNING)

    database = Database(settings.sqlalchemy_url(Path(app.instance_path)))
    database.migrate()
    app.extensions["database"] = database
    app.extensions["engines"] = Engines(settings)

    # Bearer tokens, no cookies: the web app and the API are two origins on Render.
    CORS(app, resources={r"/api/*": {"origins": settings.origins}}, supports_credentials=False,
         allow_headers=["Authorization", "Content-Type", "Accept", "X-Request-ID"],
         expose_headers=["Retry-After", "Content-Disposition", "X-Conversation-Id", "X-Request-ID"])
    # The request hooks, in the order they run:
    init_security(app)  # request id; security headers and the log line after the response
    auth.init_auth(app)  # who is asking (never refuses: the limiter must see failures too)
    init_usage(app)  # the request's usage event, with its user; GET /metrics
    init_rate_limits(app)  # per user, else per IP; shared storage
    app.before_request(auth.require)  # 401 / 403
    app.before_request(check_quota)  # daily quotas, per user
    register_error_handlers(app)
    register_blueprints(app)
    return app
