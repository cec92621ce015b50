"""The AI analysis of an upload. With Gemini the model sees the image itself (or the document's text);
otherwise the chat engine summarises the extracted text and the image's facts, and says so."""
from __future__ import annotations

import io
from contextlib import closing
from pathlib import Path

from google.genai import types
from PIL import Image, ImageOps

from ..ai.base import Turn, Usage
from .extract import Extraction
from .grounding import key_lines, ungrounded
from .sniff import GIF, JPEG, PNG, WEBP, Kind
from .vision import generate

GEMINI_IMAGE_TYPES = {PNG, JPEG, WEBP}  # what Gemini takes inline; others are converted to PNG
GEMINI_INLINE_BYTES = 14 * 1024 * 1024  # the request limit is 20 MB after base64
GEMINI_TEXT_CHARS = 400_000
TEXT_BUDGET = {"local": 2500}  # characters of document text the small embedded model can take
DEFAULT_TEXT_BUDGET = 24_000

SYSTEM = ("You analyse images and documents for the user from their extracted text and, for images, a few facts "
          "about them (you cannot see images). Answer the user's request from those; do not invent details.")
OFFLINE_NOTICE = ("Offline analysis: the embedded model read the extracted text and the image's facts "
                  "(size, colours, EXIF); it did not see the image itself.")
OFFLINE_PDF_NOTICE = "Offline analysis by the embedded model, from the document's extracted text."
TEXT_ONLY_NOTICE = "Analysis of the extracted text and the image's facts; the model did not see the image itself."
EXTRACT_NOTICE = ("Offline extract: the embedded model's summary named things the document does not contain "
                  "({missing}), so these are the document's own key lines instead. Connect Gemini or a larger "
                  "model for a real analysis.")


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
    text, usage = generate(engines, parts)
    return {"text": text, "engine": "gemini", "model": engines.settings.gemini_text_model, "offline": False, "notice": None,
            "usage": usage.to_dict()}


def _image_for_gemini(path: Path, kind: Kind) -> tuple[bytes, str]:
    """The uploaded bytes themselves when Gemini takes them; else the first frame as PNG (or JPEG when huge)."""
    if kind in GEMINI_IMAGE_TYPES and path.stat().st_size <= GEMINI_INLINE_BYTES:
        return path.read_bytes(), kind.mime_type
    with Image.open(path) as img:  # already checked against MAX_IMAGE_PIXELS by the extraction
        frame = ImageOps.exif_transpose(img).convert("RGBA" if kind in (PNG, GIF, WEBP) else "RGB")
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
    about = describe_image(extraction.image) if extraction.image else f"A PDF document of {len(extraction.pages)} page(s)."
    label = "Text read from it by OCR" if extraction.image else "Its text"
    message = f"{about}\n\n{label}:\n{text or '(no text found)'}\n\nRequest: {prompt}"
    parts, usage = [], Usage()
    with closing(provider.stream_chat([Turn("user", message)], SYSTEM)) as stream:
        for chunk in stream:
            parts.append(chunk.text)
            usage = chunk.usage or usage
    reply = "".join(parts).strip()
    offline = provider.engine == "local"
    notice = (OFFLINE_NOTICE if offline else TEXT_ONLY_NOTICE) if extraction.image else (OFFLINE_PDF_NOTICE if offline else None)
    missing = ungrounded(reply, f"{about}\n{extraction.text}\n{prompt}") if offline else []
    if missing:  # the tiny offline model made something up: show the document itself, labelled as such
        lines = key_lines(extraction.text)
        reply = "\n".join(f"- {line}" for line in lines) if lines else "No text could be read from it."
        notice = EXTRACT_NOTICE.format(missing=", ".join(missing[:5]))
    return {"text": reply, "engine": provider.engine, "model": provider.model, "offline": offline, "notice": notice,
            "usage": usage.to_dict()}


def describe_image(facts: dict) -> str:
    """The facts in plain sentences: small models follow prose better than JSON."""
    colours = ", ".join(f"{c['name']} ({c['share']:.0%})" for c in facts["dominant_colours"][:3])
    size = f"{facts['width']} pixels wide and {facts['height']} pixels high"
    lines = [f"A {facts['format']} image, {size}. Main colours: {colours}."]
    exif = facts["exif"]
    camera = " ".join(v for v in (exif.get("camera_make"), exif.get("camera_model")) if v)
    if camera:
        lines.append(f"Taken with a {camera} camera.")
    if exif.get("taken"):
        lines.append(f"Taken on {exif['taken']}.")
    return " ".join(lines)
