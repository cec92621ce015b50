from flask import Blueprint, current_app
from sqlalchemy.exc import SQLAlchemyError

from ..api import endpoint
from ..auth.accounts import setup_required
from ..db import get_db
from ..schemas import HealthOut

bp = Blueprint("health", __name__)


@bp.get("/health")
@endpoint(summary="Liveness, what this server can do, and how to sign in", tag="system", response=HealthOut, access="public")
def health():
    settings = current_app.config["SETTINGS"]
    return {
        "status": "ok",
        "version": current_app.config["VERSION"],
        "capabilities": current_app.extensions["engines"].capabilities(),
        "auth": {
            "mode": settings.auth_mode,
            "setup_required": settings.auth_mode == "accounts" and _setup_required(),
            "setup_code_required": settings.effective_setup_code is not None,
            "signup": settings.signup,
        },
    }


def _setup_required() -> bool:
    # Once an administrator exists it stays so (the last one cannot be removed): stop asking the database.
    if current_app.extensions.get("setup_done"):
        return False
    try:
        required = setup_required(get_db())
    except SQLAlchemyError:  # health answers whatever happens; nothing can be set up without a database anyway
        return False
    current_app.extensions["setup_done"] = not required
    return required
