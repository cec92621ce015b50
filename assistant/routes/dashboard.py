from flask import Blueprint, current_app, request
from sqlalchemy.exc import SQLAlchemyError

from .. import errors
from ..api import endpoint
from ..db import get_db
from ..usage import client_key, report
from ..usage.schemas import DashboardOut

bp = Blueprint("dashboard", __name__)


@bp.get("/dashboard")
@endpoint(
    summary="Usage analytics, the caller's quota and the server's own health", tag="system", response=DashboardOut,
    query={"range": {"type": "string", "enum": list(report.RANGES), "default": "24h"}},
    errors_=(errors.InvalidRequest, errors.CapabilityUnavailable),
)
def dashboard():
    range_ = request.args.get("range", "24h")
    if range_ not in report.RANGES:
        raise errors.InvalidRequest(f"range must be one of {', '.join(report.RANGES)} (got {range_[:20]!r}).")
    recorder = current_app.extensions["usage"]
    recorder.flush()  # include this process's latest requests
    settings, db = current_app.config["SETTINGS"], get_db()
    server = report.server(db)
    if server["database"]["status"] != "ok":
        raise errors.CapabilityUnavailable("The database is not reachable, so usage cannot be shown right now.")
    now = int(recorder.clock())
    try:
        body = report.usage(db, settings, range_, now)
        requests, tokens, day = recorder.used_today(client_key(), fresh=True)
    except SQLAlchemyError:
        raise errors.CapabilityUnavailable("The database did not answer; usage cannot be shown right now.") from None
    line = lambda used, limit: {"used": used, "limit": limit, "remaining": None if limit is None else max(0, limit - used)}  # noqa: E731
    body["quota"] = {"requests": line(requests, settings.daily_request_limit), "tokens": line(tokens, settings.daily_token_limit),
                     "resets_at": report.iso(day + report.DAY)}
    body["server"] = server
    return body
