from flask import Blueprint, current_app

from .. import errors
from ..api import endpoint
from ..schemas import ImageGenerateRequest, ImageGenerateResponse

bp = Blueprint("image", __name__)


@bp.post("/image/generate")
@endpoint(
    summary="Draw a picture from a text prompt (Gemini image model)", tag="image",
    body=ImageGenerateRequest, response=ImageGenerateResponse,
    errors_=(errors.UnsupportedMediaType, errors.ContentBlocked, errors.RateLimited, errors.UpstreamError,
             errors.CapabilityUnavailable, errors.UpstreamTimeout),
    description="Needs GEMINI_API_KEY: no image model runs offline (503 `capability_unavailable`). "
    "A prompt the model's safety filter refuses gives 422 `content_blocked` with the reason.",
)
def generate(body: ImageGenerateRequest):
    engines = current_app.extensions["engines"]
    availability = engines.image_generation_availability()
    if not availability.available:
        raise errors.CapabilityUnavailable(f"Text to Image is not available: {availability.reason}")
    model = engines.settings.gemini_image_model
    from ..ai.imagegen import generate_images  # google-genai loads only where Gemini is used

    images = generate_images(engines.gemini_client(), model, body.prompt, body.aspect_ratio)
    return {"images": [i.to_dict() for i in images], "engine": "gemini", "model": model}
