"""Text to Image through the Gemini image model (`generate_content` with image output).

Imagen's `generate_images` no longer works with an API key, so the image comes back as inline data
parts of an ordinary GenerateContentResponse. A refusal shows up as a block reason, an image-specific
finish reason, or simply no image part: all three are `content_blocked`, never a stand-in picture.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass

from google.genai import types

from .. import errors
from .gemini import block_reason, translate_error

# finish reasons that mean "refused" beyond the safety ones the chat path already knows
IMAGE_REFUSALS = {"IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION", "IMAGE_OTHER", "NO_IMAGE", "RECITATION"}
MODEL_NOTE_CHARS = 300


@dataclass(frozen=True)
class GeneratedImage:
    mime_type: str
    data: bytes

    def to_dict(self) -> dict:
        return {"mime_type": self.mime_type, "data": base64.b64encode(self.data).decode("ascii")}


def _refusal(response: types.GenerateContentResponse) -> str | None:
    reason = block_reason(response)
    if reason:
        return reason
    for candidate in response.candidates or []:
        finish = candidate.finish_reason
        value = getattr(finish, "value", finish)
        if value in IMAGE_REFUSALS:
            return str(value)
    return None


def generate_images(client, model: str, prompt: str, aspect_ratio: str) -> list[GeneratedImage]:
    config = types.GenerateContentConfig(
        response_modalities=["IMAGE"], image_config=types.ImageConfig(aspect_ratio=aspect_ratio),
    )
    try:
        response = client.models.generate_content(model=model, contents=prompt, config=config)
    except Exception as exc:  # noqa: BLE001 - every failure becomes a documented error
        raise translate_error(exc, ("GEMINI_IMAGE_MODEL", model)) from exc

    refused = _refusal(response)
    if refused:
        raise errors.ContentBlocked(f"The image model's safety filter refused this prompt ({refused}).")
    images, notes = [], []
    for candidate in response.candidates or []:
        for part in (candidate.content.parts if candidate.content else None) or []:
            blob = part.inline_data
            if blob and blob.data and (blob.mime_type or "").startswith("image/"):
                images.append(GeneratedImage(blob.mime_type, blob.data))
            elif part.text:
                notes.append(part.text.strip())
    if not images:
        # the model answered in words only: usually its way of declining the prompt
        note = " ".join(notes)[:MODEL_NOTE_CHARS]
        raise errors.ContentBlocked("The image model returned no image for this prompt" + (f": {note}" if note else "."))
    return images
