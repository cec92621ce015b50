"""Tesseract through pytesseract, one process per page, pages spread over the cores by a pool that
every request shares (so two uploads never run more Tesseracts than there are cores).

Tesseract's own OpenMP threads are switched off (OMP_THREAD_LIMIT=1: about 0.2 s per image instead of
1 s on these machines); the parallelism comes from the pool. Sideways and upside-down pages are turned
upright with Tesseract's orientation detection (OSD), see `TesseractOcr`.
"""
from __future__ import annotations

import functools
import os
import shutil
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PIL import Image

from .. import errors


def _tesseract_env() -> None:
    """OMP_THREAD_LIMIT=1 for the tesseract processes only: set process-wide, it would also throttle
    llama.cpp and CTranslate2 (Whisper), whose OpenMP pools then crawl or return garbage. pytesseract
    passes its module-level `environ` to every tesseract it starts, so it gets its own copy."""
    import pytesseract.pytesseract as pt

    if pt.environ is os.environ:
        pt.environ = {**os.environ, "OMP_THREAD_LIMIT": "1"}

PAGE_TIMEOUT_SECONDS = 120
RETRY_BELOW_CONFIDENCE = 70  # upright print reads at 90+; sideways or upside-down text at 30-40
INSTALL_HINT = "apt-get install tesseract-ocr tesseract-ocr-eng tesseract-ocr-osd"

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def pool() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=workers(), thread_name_prefix="ocr")
        return _pool


@functools.lru_cache(maxsize=8)
def tesseract_problem(cmd: str, languages: str) -> str | None:
    """None when `cmd` runs and has every language (and OSD); else what is missing, in a sentence."""
    if shutil.which(cmd) is None:
        return f"The Tesseract OCR program ({cmd}) is not installed."
    try:
        listed = subprocess.run([cmd, "--list-langs"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return f"The Tesseract OCR program ({cmd}) does not run."
    have = {line.strip() for line in listed.splitlines()[1:]}
    missing = [lang for lang in languages.split("+") + ["osd"] if lang not in have]
    if missing:
        packages = " ".join(f"tesseract-ocr-{lang}" for lang in missing)
        return f"Tesseract lacks the language data {', '.join(missing)} (install {packages})."
    return None


class TesseractOcr:
    """Reads a page as it is; only a page that reads badly (low word confidence: sideways or upside
    down) pays for Tesseract's orientation detection (OSD) and a second read of the upright page.
    Upright pages, nearly all of them, cost one pass instead of the two of OSD-first (`--psm 1`)."""

    name = "tesseract"
    suffix = ".pgm"  # uncompressed: nothing to encode or decode

    def __init__(self, cmd: str, languages: str):
        self.cmd = cmd
        self.languages = languages

    def read(self, path: Path) -> str:
        import pytesseract  # loaded on first use: it pulls in numpy (about 16 MB)

        pytesseract.pytesseract.tesseract_cmd = self.cmd
        _tesseract_env()
        try:
            text, confidence = self._read(pytesseract, path)
            if confidence < RETRY_BELOW_CONFIDENCE:
                rotate = self._orientation(pytesseract, path)
                if rotate:
                    upright = path.with_name(f"{path.stem}-upright{path.suffix}")
                    with Image.open(path) as img:
                        img.rotate(-rotate, expand=True).save(upright)  # OSD's angle is clockwise
                    try:
                        second, second_confidence = self._read(pytesseract, upright)
                    finally:
                        upright.unlink(missing_ok=True)
                    if second_confidence > confidence:
                        text = second
        except RuntimeError as exc:  # pytesseract's timeout
            if "timeout" not in str(exc).lower():
                raise
            raise errors.UnprocessableFile(
                f"Reading a page took longer than {PAGE_TIMEOUT_SECONDS} seconds; try a smaller or clearer image.") from None
        except pytesseract.TesseractNotFoundError:
            raise errors.CapabilityUnavailable(f"OCR is not available: Tesseract is not installed ({INSTALL_HINT}).") from None
        except pytesseract.TesseractError as exc:
            raise errors.UnprocessableFile("The OCR engine could not read this image.") from exc
        return tidy(text)

    def _read(self, pytesseract, path: Path) -> tuple[str, float]:
        """The text and the mean confidence (0-100) of its words, from one Tesseract run."""
        text, tsv = pytesseract.pytesseract.run_and_get_multiple_output(
            str(path), extensions=["txt", "tsv"], lang=self.languages, timeout=PAGE_TIMEOUT_SECONDS)
        confidences = []
        for line in tsv.splitlines()[1:]:
            fields = line.split("\t")
            if len(fields) == 12 and fields[11].strip() and float(fields[10]) >= 0:
                confidences.append(float(fields[10]))
        # no words at all: a blank page, nothing that turning could improve
        return text, sum(confidences) / len(confidences) if confidences else 100.0

    def _orientation(self, pytesseract, path: Path) -> int:
        try:
            osd = pytesseract.image_to_osd(str(path), output_type=pytesseract.Output.DICT, timeout=PAGE_TIMEOUT_SECONDS)
        except pytesseract.TesseractError:  # "Too few characters": no orientation to tell
            return 0
        return int(osd.get("rotate", 0)) % 360


def tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.replace("\f", "").splitlines()]
    return "\n".join(lines).strip()
