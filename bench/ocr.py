"""Image to Text throughput: pages per second through POST /api/upload (analyze=false) for a scanned
PDF and a text PDF, next to the naive way in the same run: every page rendered at 300 dpi and read by
`pytesseract.image_to_string` one after another, at Tesseract's default settings.

    python bench/ocr.py                       # 20 scanned pages, 200 text pages
    taskset -c 0,1 python bench/ocr.py        # as on a 2-core server
"""
from __future__ import annotations

import argparse
import io
import os
import resource
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pymupdf  # noqa: E402
import pytesseract  # noqa: E402
from PIL import Image  # noqa: E402

from assistant import create_app  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant.documents.ocr import workers  # noqa: E402  (also sets OMP_THREAD_LIMIT=1 for our path)
from bench._accounts import DEFAULT_STORAGE, limits, signed_in_client  # noqa: E402
from tests.documents import corpus  # noqa: E402

SCANNED_TEXT = " ".join(corpus.PARAGRAPHS * 3)  # about 1,400 characters: a two-thirds-full page


@contextmanager
def tesseract_defaults():
    """The naive run gets Tesseract's own threading back."""
    saved = os.environ.pop("OMP_THREAD_LIMIT", None)
    try:
        yield
    finally:
        if saved is not None:
            os.environ["OMP_THREAD_LIMIT"] = saved


def cpu_seconds() -> float:
    """CPU used by this process and its finished children (Tesseract): a figure the machine's load barely moves."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def ours(client, data: bytes) -> tuple[float, float, list[str]]:
    cpu, start = cpu_seconds(), time.perf_counter()
    response = client.post("/api/upload", data={"file": (io.BytesIO(data), "bench.pdf"), "analyze": "false"},
                           content_type="multipart/form-data")
    elapsed, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    body = response.get_json()
    if response.status_code != 200:
        raise SystemExit(f"upload failed: {body}")
    return elapsed, cpu, [p["text"] for p in body["document"]["pages"]]


def naive(data: bytes, pages: int) -> tuple[float, float, list[str]]:
    texts = []
    with tesseract_defaults():
        cpu, start = cpu_seconds(), time.perf_counter()
        doc = pymupdf.open(stream=data, filetype="pdf")
        for page in list(doc)[:pages]:
            image = Image.open(io.BytesIO(page.get_pixmap(dpi=300).tobytes("png")))
            texts.append(pytesseract.image_to_string(image))
        return time.perf_counter() - start, cpu_seconds() - cpu, texts


def mean_cer(expected: list[str], got: list[str]) -> float:
    return sum(corpus.cer(e, g) for e, g in zip(expected, got)) / len(got)


def row(name: str, pages: int, result: tuple[float, float, list[str]], expected: list[str], note: str = "") -> None:
    seconds, cpu, texts = result
    print(f"  {name:<6} {pages / seconds:8.1f} pages/s  ({pages} pages in {seconds:6.2f} s, "
          f"{cpu / pages:6.3f} CPU s/page)  CER {mean_cer(expected, texts):.2%}{note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scanned", type=int, default=20, help="pages in the scanned PDF")
    parser.add_argument("--text", type=int, default=200, help="pages in the text PDF")
    parser.add_argument("--naive-scanned-pages", type=int, default=None,
                        help="pages of the scanned PDF the naive way reads (default: all)")
    parser.add_argument("--naive-text-pages", type=int, default=10,
                        help="pages of the text PDF the naive way reads (it OCRs every page: slow)")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-ocr-"))
    app = create_app(Settings(database_url=f"sqlite:///{tmp / 'bench.db'}", upload_dir=tmp / "uploads",
                              ai_provider="local", gemini_api_key=None, log_level="WARNING",
                              max_pdf_pages=max(args.scanned, args.text), auth_mode="accounts", **limits(DEFAULT_STORAGE)))
    client = signed_in_client(app)[0]
    print(f"cores available: {workers()}, load average {os.getloadavg()[0]:.1f}, "
          f"tesseract {pytesseract.get_tesseract_version()}, PyMuPDF {pymupdf.VersionBind}; "
          f"signed in, SQLite, rate-limit storage {DEFAULT_STORAGE}")

    scanned_text = [SCANNED_TEXT] * args.scanned
    scanned = corpus.scanned_pdf([corpus.scan_of(SCANNED_TEXT)] * args.scanned)
    print(f"scanned PDF: {args.scanned} pages, 200 dpi, {len(scanned) // 1024} KB")
    row("ours", args.scanned, ours(client, scanned), scanned_text)
    n = min(args.naive_scanned_pages or args.scanned, args.scanned)
    row("naive", n, naive(scanned, n), scanned_text, f"  (first {n} pages only)" if n < args.scanned else "")

    text_pages = [corpus.PARAGRAPHS[i % 3] * 6 for i in range(args.text)]
    text_pdf = corpus.text_page_pdf(text_pages)
    print(f"text PDF: {args.text} pages, {len(text_pdf) // 1024} KB")
    row("ours", args.text, ours(client, text_pdf), text_pages)
    n = min(args.naive_text_pages, args.text)
    row("naive", n, naive(text_pdf, n), text_pages, f"  (first {n} pages only)")
    app.extensions["engines"].close()


if __name__ == "__main__":
    main()
