from flask import Blueprint, current_app

from ..api import endpoint
from ..schemas import HealthOut

bp = Blueprint("health", __name__)


@bp.get("/health")
@endpoint(summary="Liveness and what this server can do", tag="system", response=HealthOut)
def health():
    return {
        "status": "ok",
        "version": current_app.config["VERSION"],
        "capabilities": current_app.extensions["engines"].capabilities(),
        # lets the web app ask for the token up front instead of after a failed request
        "access_token_required": current_app.config["SETTINGS"].app_access_token is not None,
    }
