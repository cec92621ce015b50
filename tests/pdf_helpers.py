"""Reading exported PDFs back as a user would see them: text (PyMuPDF), glyphs, rendered pages."""
from __future__ import annotations

import io

import pymupdf
from PIL import Image


def open_pdf(data: bytes) -> pymupdf.Document:
    assert data.startswith(b"%PDF-"), data[:100]
    return pymupdf.open(stream=data, filetype="pdf")


def pdf_text(data: bytes) -> str:
    """All the text, whitespace collapsed (line breaks fall wherever the layout puts them)."""
    with open_pdf(data) as doc:
        return " ".join(" ".join(page.get_text().split()) for page in doc)


def missing_glyphs(data: bytes) -> set[str]:
    """Characters drawn with glyph 0 (.notdef): what a reader sees as a black box or a blank."""
    missing = set()
    with open_pdf(data) as doc:
        for page in doc:
            for span in page.get_texttrace():
                missing.update(chr(c[0]) for c in span["chars"] if c[1] == 0 and not chr(c[0]).isspace())
    return missing


def blank_pages(data: bytes, dpi: int = 30) -> list[int]:
    """Numbers of pages whose rendering (as PNG) is nearly all white."""
    blank = []
    with open_pdf(data) as doc:
        for page in doc:
            png = page.get_pixmap(dpi=dpi).tobytes("png")
            grey = Image.open(io.BytesIO(png)).convert("L")
            dark = sum(grey.histogram()[:200])  # pixels clearly darker than paper
            if dark < 50:
                blank.append(page.number + 1)
    return blank


def spans(data: bytes) -> list[dict]:
    out = []
    with open_pdf(data) as doc:
        for page in doc:
            for block in page.get_text("dict")["blocks"]:
                for line in block.get("lines", []):
                    out.extend(line["spans"])
    return out
