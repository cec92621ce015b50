"""The text of every page. Text layers are read in order; pages that need OCR are rendered here (PyMuPDF
is not thread-safe) and read by the shared pool while the next pages render."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

from .. import errors, offload
from ..config import Settings
from . import images, pdf
from .ocr import pool, workers
from .sniff import Kind


class OcrBackend(Protocol):
    name: str  # "tesseract" | "gemini"
    suffix: str  # the image format it reads, as a file suffix

    def read(self, path: Path) -> str: ...


@dataclass
class Page:
    number: int
    text: str
    method: Literal["text", "ocr"]


@dataclass
class Extraction:
    pages: list[Page]
    ocr_engine: str | None = None
    image: dict | None = field(default=None)  # facts about an uploaded image

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.pages if p.text)


# A page is either done (text layer) or an OCR job: a function that writes the page image to a path.
Job = Page | Callable[[Path], None]


def extract(path: Path, kind: Kind, folder: Path, settings: Settings, ocr: Callable[[], OcrBackend]) -> Extraction:
    """`ocr()` gives the OCR backend, or raises 503 when there is none; called only if a page needs it."""
    if kind.is_pdf:
        with closing(pdf.open_pdf(path, settings.max_pdf_pages)) as doc:
            return _run(_pdf_jobs(doc, settings), folder, ocr)
    with closing(images.open_image(path, settings.max_image_pixels)) as img:
        found: dict = {}

        def jobs() -> Iterator[Job]:
            for frame in images.frames(img, kind, settings.max_image_pixels, settings.max_pdf_pages):
                found.setdefault("facts", images.facts(img, frame, kind))
                yield lambda dest, frame=frame: images.for_ocr(frame).save(dest)  # resized in the offload pool

        extraction = _run(jobs(), folder, ocr)
        extraction.image = found.get("facts")
        return extraction


def _pdf_jobs(doc, settings: Settings) -> Iterator[Job]:
    for index in range(doc.page_count):
        number = index + 1
        try:
            page = doc.load_page(index)
            text = pdf.text_layer(page)
            scanned = pdf.needs_ocr(page, text)
        except Exception:  # noqa: BLE001 - a broken page object
            raise errors.UnprocessableFile(f"Page {number} of the PDF is damaged and could not be read.") from None
        if not scanned:
            yield Page(number, text, "text")
        else:
            yield lambda dest, page=page: pdf.render_for_ocr(page, dest, settings.max_image_pixels)


def _run(jobs: Iterable[Job], folder: Path, ocr: Callable[[], OcrBackend]) -> Extraction:
    pages: list[Page | Future] = []
    pending: set[Future] = set()
    backend: OcrBackend | None = None
    ahead = 2 * workers()  # rendered pages waiting for a reader: bounded, so disk and memory stay small
    try:
        for job in jobs:
            if isinstance(job, Page):
                pages.append(job)
                continue
            backend = backend or ocr()
            dest = folder / f"page-{len(pages) + 1}{backend.suffix}"
            # PyMuPDF renders holding the interpreter lock (~0.4 s a page): in a forked copy, not a thread
            offload.call_process(job, dest)
            future = pool().submit(_read_once, backend, dest)
            pages.append(future)
            pending.add(future)
            while len(pending) >= ahead:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for f in done:
                    f.result()  # the first failure stops the whole upload
        result = [p if isinstance(p, Page) else Page(n, p.result(), "ocr") for n, p in enumerate(pages, 1)]
        return Extraction(result, ocr_engine=backend.name if backend else None)
    finally:
        # on failure: pages not started are dropped, running ones finish before their files go
        for f in pending:
            f.cancel()
        wait(pending)


def _read_once(backend: OcrBackend, path: Path) -> str:
    try:
        return backend.read(path)
    finally:
        path.unlink(missing_ok=True)
