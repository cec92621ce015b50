from flask import Blueprint, current_app, request
from sqlalchemy.exc import SQLAlchemyError

from .. import errors
from ..api import endpoint
from ..auth import accounts, client_key, current_user
from ..db import get_db
from ..usage import limits_for, report
from ..usage.schemas import DashboardOut

bp = Blueprint("dashboard", __name__)


@bp.get("/dashboard")
@endpoint(
    summary="Usage analytics (yours; everyone's for admins), your quota and the server's own health", tag="system",
    response=DashboardOut,
    query={"range": {"type": "string", "enum": list(report.RANGES), "default": "24h"},
           "user": {"type": "string", "description": "Admins: one user's id (default: everyone). Others: ignored."}},
    errors_=(errors.InvalidRequest, errors.NotFound, errors.CapabilityUnavailable),
)
def dashboard():
    range_ = request.args.get("range", "24h")
    if range_ not in report.RANGES:
        raise errors.InvalidRequest(f"range must be one of {', '.join(report.RANGES)} (got {range_[:20]!r}).")
    me, settings, db = current_user(), current_app.config["SETTINGS"], get_db()
    scope = _scope(me, request.args.get("user"))
    recorder = current_app.extensions["usage"]
    recorder.flush()  # include this process's latest requests
    server = report.server(db)
    if server["database"]["status"] != "ok":
        raise errors.CapabilityUnavailable("The database is not reachable, so usage cannot be shown right now.")
    now = int(recorder.clock())
    try:
        body = report.usage(db, settings, range_, now, scope["user_id"])
        requests, tokens, day = recorder.used_today(client_key(), fresh=True)
    except SQLAlchemyError:
        raise errors.CapabilityUnavailable("The database did not answer; usage cannot be shown right now.") from None
    max_requests, max_tokens = limits_for(settings, me)
    line = lambda used, limit: {"used": used, "limit": limit, "remaining": None if limit is None else max(0, limit - used)}  # noqa: E731
    body["quota"] = {"requests": line(requests, max_requests), "tokens": line(tokens, max_tokens),
                     "resets_at": report.iso(day + report.DAY)}
    body["scope"] = scope
    body["server"] = server
    return body


def _scope(me, wanted: str | None) -> dict:
    """A user sees their own usage; an admin everyone's, or one user's with `?user=`."""
    if not me.is_admin:
        return {"user_id": me.user_id, "username": me.username}
    if not wanted:
        return {"user_id": None, "username": None}
    with get_db().session() as s:
        row = s.execute(accounts.select_user(wanted)).first()
    if row is None:
        raise errors.NotFound("There is no such user.")
    return {"user_id": row.id, "username": row.username}
