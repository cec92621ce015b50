"""POST /api/upload's work: save, sniff, check limits, extract the text, analyse; the request's files
are gone whatever happens."""
from __future__ import annotations

import re

from werkzeug.datastructures import FileStorage

from .. import errors
from ..config import Settings
from .analysis import analyse
from .extract import OcrBackend, extract
from .ocr import TesseractOcr
from .sniff import sniff
from .vision import GeminiOcr
from .workspace import save_stream, workspace


def ocr_backend(engines) -> OcrBackend:
    availability = engines.ocr_availability()
    if not availability.available:
        raise errors.CapabilityUnavailable(f"This file needs OCR, which is not available: {availability.reason}")
    if availability.engine == "gemini":
        return GeminiOcr(engines)
    s: Settings = engines.settings
    return TesseractOcr(s.tesseract_cmd, s.ocr_languages)


def display_name(filename: str | None) -> str:
    """The user's name for the file, for display only (never a path)."""
    name = re.split(r"[\\/]", filename or "")[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:255] or "upload"


def read_upload(file: FileStorage, engines, *, prompt: str | None, analyze: bool) -> dict:
    settings: Settings = engines.settings
    with workspace(settings.upload_dir) as folder:
        path = folder / "upload"
        save_stream(file.stream, path, settings.max_upload_mb)
        with path.open("rb") as f:
            kind = sniff(f.read(1024))
        extraction = extract(path, kind, folder, settings, ocr=lambda: ocr_backend(engines))
        analysis = analyse(engines, kind, path, extraction, prompt) if analyze else None
    document = {
        "filename": display_name(file.filename),
        "mime_type": kind.mime_type,
        "pages": [{"number": p.number, "text": p.text, "method": p.method} for p in extraction.pages],
        "text": extraction.text,
        "ocr_engine": extraction.ocr_engine,
        "image": extraction.image,
    }
    return {"document": document, "analysis": analysis}
