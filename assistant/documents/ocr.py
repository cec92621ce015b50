"""Tesseract through pytesseract, one process per page, pages spread over the cores by a pool that
every request shares (so two uploads never run more Tesseracts than there are cores).

Tesseract's own OpenMP threads are switched off: measured 5x faster per page with
OMP_THREAD_LIMIT=1, and the parallelism comes from the pool. Page segmentation mode 1 runs Tesseract's
orientation detection (OSD) first and reads the page upright, so sideways and upside-down photos read.
"""
from __future__ import annotations

import functools
import os
import shutil
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # pytesseract hands os.environ to every tesseract it starts

import pytesseract  # noqa: E402

from .. import errors  # noqa: E402

PAGE_TIMEOUT_SECONDS = 120
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
    name = "tesseract"
    suffix = ".pgm"  # uncompressed: nothing to encode or decode

    def __init__(self, cmd: str, languages: str):
        self.cmd = cmd
        self.languages = languages

    def read(self, path: Path) -> str:
        pytesseract.pytesseract.tesseract_cmd = self.cmd
        try:
            text = pytesseract.image_to_string(str(path), lang=self.languages, config="--psm 1", timeout=PAGE_TIMEOUT_SECONDS)
        except RuntimeError as exc:  # pytesseract's timeout
            if "timeout" not in str(exc).lower():
                raise
            raise errors.UnprocessableFile(f"Reading a page took longer than {PAGE_TIMEOUT_SECONDS} seconds; try a smaller or clearer image.") from None
        except pytesseract.TesseractNotFoundError:
            raise errors.CapabilityUnavailable(f"OCR is not available: Tesseract is not installed ({INSTALL_HINT}).") from None
        except pytesseract.TesseractError as exc:
            raise errors.UnprocessableFile("The OCR engine could not read this image.") from exc
        return tidy(text)


def tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.replace("\f", "").splitlines()]
    return "\n".join(lines).strip()
