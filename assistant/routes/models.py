from flask import Blueprint, current_app

from .. import errors
from ..ai.choices import available
from ..api import endpoint
from ..schemas import ModelList

bp = Blueprint("models", __name__)


@bp.get("/models")
@endpoint(summary="The chat models you can pick (the active engine's, ALLOWED_MODELS applied)", tag="chat",
          response=ModelList, errors_=(errors.CapabilityUnavailable,))
def list_models():
    engines = current_app.extensions["engines"]
    availability = engines.chat_availability()
    if not availability.available:
        raise errors.CapabilityUnavailable(f"Chat is not available: {availability.reason}")
    return {"models": available(engines)}
