"""PDFs through PyMuPDF: opened with every refusal a person understands (password, truncated, damaged,
no pages, too many pages), the text layer per page, and pages without one rendered for OCR."""
from __future__ import annotations

import math
from pathlib import Path

import pymupdf

from .. import errors

pymupdf.TOOLS.mupdf_display_errors(False)  # MuPDF's own stderr chatter; failures are reported as ApiErrors

MIN_TEXT_CHARS = 20  # fewer letters/digits than this on a page with a picture: a scan, OCR it
OCR_DPI = 300
MIN_OCR_DPI = 150
DAMAGED = "The PDF is damaged and could not be read."


def open_pdf(path: Path, max_pages: int) -> pymupdf.Document:
    with path.open("rb") as f:
        f.seek(max(0, path.stat().st_size - 2048))
        tail = f.read()
    # MuPDF silently rebuilds a cut-off file from what is left; a person should hear it is incomplete.
    if b"%%EOF" not in tail:
        raise errors.UnprocessableFile(
            "The PDF is incomplete (its end is missing); it was probably cut off during download or upload.")
    try:
        doc = pymupdf.open(path, filetype="pdf")
    except Exception:  # noqa: BLE001 - FileDataError, RuntimeError…: all mean unreadable
        raise errors.UnprocessableFile(DAMAGED) from None
    if doc.needs_pass:
        doc.close()
        raise errors.UnprocessableFile("The PDF is protected by a password; remove the protection and upload it again.")
    count = doc.page_count
    if count == 0:
        doc.close()
        raise errors.UnprocessableFile("The PDF has no pages.")
    if count > max_pages:
        doc.close()
        raise errors.PayloadTooLarge(f"The PDF has {count} pages; this server reads at most {max_pages} (MAX_PDF_PAGES).")
    return doc


def text_layer(page: pymupdf.Page) -> str:
    return page.get_text("text").strip()


def needs_ocr(page: pymupdf.Page, text: str) -> bool:
    """No usable text layer but something drawn from an image: a scanned page."""
    meaningful = sum(ch.isalnum() for ch in text)
    garbled = text.count("\ufffd") > len(text) * 0.1  # fonts without a Unicode map extract as U+FFFD
    if meaningful >= MIN_TEXT_CHARS and not garbled:
        return False
    return bool(page.get_images(full=False))


def _scan_dpi(page: pymupdf.Page) -> float | None:
    """The resolution of the page's main picture: rendering finer than the scan only costs time."""
    best = None
    page_area = abs(page.rect)
    for info in page.get_image_info():
        box = pymupdf.Rect(info["bbox"])
        if box.is_empty or abs(box) < page_area * 0.25:
            continue
        dpi = info["width"] / (box.width / 72) if box.width else None
        if dpi and (best is None or dpi > best):
            best = dpi
    return best


def render_for_ocr(page: pymupdf.Page, dest: Path, max_pixels: int) -> None:
    """Grayscale at the scan's resolution (150-300 dpi), within MAX_IMAGE_PIXELS; the format follows
    `dest`'s suffix (PGM for Tesseract: no compression to spend time on; PNG for Gemini)."""
    dpi = min(OCR_DPI, max(MIN_OCR_DPI, _scan_dpi(page) or OCR_DPI))
    scale = dpi / 72
    pixels = page.rect.width * scale * page.rect.height * scale
    if pixels > max_pixels:
        scale *= math.sqrt(max_pixels / pixels)
    pix = page.get_pixmap(matrix=pymupdf.Matrix(scale, scale), colorspace=pymupdf.csGRAY, alpha=False)
    pix.save(dest)
