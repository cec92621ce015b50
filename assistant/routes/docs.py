from flask import Blueprint, current_app
from flask_swagger_ui import get_swaggerui_blueprint

from ..api import build_openapi, endpoint

bp = Blueprint("docs", __name__)


@bp.get("/openapi.json")
@endpoint(summary="This OpenAPI document", tag="system", access="public")
def openapi():
    return build_openapi(current_app, current_app.config["VERSION"])


# Swagger UI's assets ship inside flask-swagger-ui, so the docs page works offline.
swagger_ui = get_swaggerui_blueprint("/api/docs", "/api/openapi.json", config={"app_name": "AI Assistant API"})
