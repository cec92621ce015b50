"""The AI analysis of an upload. With Gemini the model sees the image itself (or the document's text);
otherwise the chat engine summarises the extracted text and the image's facts, and says so."""
from __future__ import annotations

import io
import json
from pathlib import Path

from google.genai import types
from PIL import Image

from ..ai.base import Turn
from .extract import Extraction
from .sniff import GIF, JPEG, PNG, WEBP, Kind
from .vision import generate

GEMINI_IMAGE_TYPES = {PNG, JPEG, WEBP}  # what Gemini takes inline; others are converted to PNG
GEMINI_INLINE_BYTES = 14 * 1024 * 1024  # the request limit is 20 MB after base64
GEMINI_TEXT_CHARS = 400_000
TEXT_BUDGET = {"local": 2500}  # characters of document text the small embedded model can take
DEFAULT_TEXT_BUDGET = 24_000

SYSTEM = ("You analyse images and documents for the user. You cannot see the image: you get the text read "
          "from it by OCR and facts about it. Answer the user's request from those; do not invent details.")
OFFLINE_NOTICE = ("Offline analysis: the embedded model read the extracted text and the image's facts "
                  "(size, colours, EXIF); it did not see the image itself.")
TEXT_ONLY_NOTICE = "Analysis of the extracted text and the image's facts; the model did not see the image itself."


def default_prompt(kind: Kind) -> str:
    what = "document" if kind.is_pdf else "image"
    return f"Describe and summarise this {what}: what it is, its main points, and anything notable."


def analyse(engines, kind: Kind, path: Path, extraction: Extraction, prompt: str | None) -> dict:
    prompt = prompt or default_prompt(kind)
    if engines.provider == "gemini":
        return _gemini(engines, kind, path, extraction, prompt)
    return _from_text(engines, kind, extraction, prompt)


def _gemini(engines, kind: Kind, path: Path, extraction: Extraction, prompt: str) -> dict:
    if kind.is_pdf:
        text = extraction.text[:GEMINI_TEXT_CHARS] or "(no text could be read from this document)"
        parts = [types.Part(text=f"The document's text, page by page:\n\n{text}"), types.Part(text=prompt)]
    else:
        data, mime_type = _image_for_gemini(path, kind)
        parts = [types.Part.from_bytes(data=data, mime_type=mime_type), types.Part(text=prompt)]
    text = generate(engines, parts)
    return {"text": text, "engine": "gemini", "model": engines.settings.gemini_text_model, "offline": False, "notice": None}


def _image_for_gemini(path: Path, kind: Kind) -> tuple[bytes, str]:
    """The uploaded bytes themselves when Gemini takes them; else the first frame as PNG (or JPEG when huge)."""
    if kind in GEMINI_IMAGE_TYPES and path.stat().st_size <= GEMINI_INLINE_BYTES:
        return path.read_bytes(), kind.mime_type
    with Image.open(path) as img:
        frame = img.convert("RGBA" if kind in (PNG, GIF, WEBP) else "RGB")
        buffer = io.BytesIO()
        frame.save(buffer, "PNG", optimize=False)
        if buffer.tell() <= GEMINI_INLINE_BYTES:
            return buffer.getvalue(), "image/png"
        frame = frame.convert("RGB")
        frame.thumbnail((3072, 3072))
        buffer = io.BytesIO()
        frame.save(buffer, "JPEG", quality=88)
        return buffer.getvalue(), "image/jpeg"


def _from_text(engines, kind: Kind, extraction: Extraction, prompt: str) -> dict:
    provider = engines.chat()
    budget = TEXT_BUDGET.get(provider.engine, DEFAULT_TEXT_BUDGET)
    text = extraction.text
    if len(text) > budget:
        text = text[:budget] + "\n[… the rest is cut]"
    sections = []
    if extraction.image:
        sections.append("Image facts: " + json.dumps(extraction.image, ensure_ascii=False))
    else:
        sections.append(f"A PDF document of {len(extraction.pages)} page(s).")
    sections.append("Text read from it:\n" + (text or "(none)"))
    sections.append("Request: " + prompt)
    reply = "".join(chunk.text for chunk in provider.stream_chat([Turn("user", "\n\n".join(sections))], SYSTEM)).strip()
    offline = provider.engine == "local"
    return {"text": reply, "engine": provider.engine, "model": provider.model, "offline": offline,
            "notice": OFFLINE_NOTICE if offline else TEXT_ONLY_NOTICE}
