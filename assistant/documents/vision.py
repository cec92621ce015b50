"""Gemini's vision: one non-streamed `generate_content` through the app's shared client, used to
analyse an upload and, where Tesseract is missing, to read scanned pages."""
from __future__ import annotations

from pathlib import Path

from google.genai import types

from .. import errors
from ..ai.base import Usage
from ..ai.gemini import block_reason, translate_error, usage_of

TRANSCRIBE = ("Transcribe all the text in this image exactly as written, keeping line breaks. "
              "Output only the text; output nothing if there is none.")


def generate(engines, parts: list[types.Part]) -> tuple[str, Usage]:
    client = engines.gemini_client()
    try:
        response = client.models.generate_content(
            model=engines.settings.gemini_text_model, contents=[types.Content(role="user", parts=parts)])
    except Exception as exc:  # noqa: BLE001 - every failure becomes a documented error
        raise translate_error(exc, ("GEMINI_TEXT_MODEL", engines.settings.gemini_text_model)) from exc
    blocked = block_reason(response)
    if blocked:
        raise errors.ContentBlocked(f"The model's safety filter refused this request ({blocked}).")
    return (response.text if response.candidates else None) or "", usage_of(response) or Usage()


class GeminiOcr:
    """Reads scanned pages with the vision model when no Tesseract is installed (Render's runtime)."""

    name = "gemini"
    suffix = ".png"

    def __init__(self, engines):
        self.engines = engines

    def read(self, path: Path) -> str:
        image = types.Part.from_bytes(data=path.read_bytes(), mime_type="image/png")
        return generate(self.engines, [image, types.Part(text=TRANSCRIBE)])[0].strip()
