"""Unicode fonts for PDF export: ReportLab's built-in fonts have no Greek or Cyrillic (black boxes).

DejaVu Sans from Debian's fonts-dejavu-core where it is installed (widest coverage); otherwise Noto
Sans and Ubuntu Mono from the PyPI package `pymupdf-fonts` (OFL / Ubuntu Font Licence; TrueType
outlines, which ReportLab needs), so platforms without apt, such as Render, get the same coverage of
Latin, Greek and Cyrillic from `pip install` alone. Fonts are registered once per process, lazily.
"""
from __future__ import annotations

import importlib.util
import io
import threading
from dataclasses import dataclass
from pathlib import Path


DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")
STYLES = ("regular", "bold", "italic", "bolditalic")
FACES = {
    "dejavu": {
        "sans": ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSans-BoldOblique.ttf"),
        "mono": ("DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf", "DejaVuSansMono-Oblique.ttf", "DejaVuSansMono-BoldOblique.ttf"),
    },
    # pymupdf_fonts' short codes: Noto Sans and Ubuntu Mono in four styles each
    "pymupdf-fonts": {
        "sans": ("notos", "notosbo", "notosit", "notosbi"),
        "mono": ("ubuntm", "ubuntmbo", "ubuntmit", "ubuntmbi"),
    },
}


@dataclass(frozen=True)
class FontSet:
    """Registered ReportLab family names; `<b>`/`<i>` in paragraphs pick the matching faces."""

    source: str
    sans: str
    mono: str

    def face(self, family: str, style: str = "regular") -> str:
        return f"{family}-{style}"


_lock = threading.Lock()
_loaded: dict[str, FontSet] = {}


def font_source() -> str | None:
    if all((DEJAVU_DIR / name).is_file() for faces in FACES["dejavu"].values() for name in faces):
        return "dejavu"
    if importlib.util.find_spec("pymupdf_fonts") is not None:
        return "pymupdf-fonts"
    return None


def _font_file(source: str, name: str):
    if source == "dejavu":
        return str(DEJAVU_DIR / name)
    import pymupdf_fonts

    return io.BytesIO(pymupdf_fonts.myfont(name))


def load_fonts(source: str | None = None) -> FontSet:
    """Register the fonts of `source` (default: the best one present) and return their names."""
    from reportlab.pdfbase import pdfmetrics  # ReportLab loads with the first export
    from reportlab.pdfbase.ttfonts import TTFont

    source = source or font_source()
    if source is None:
        raise RuntimeError("no Unicode font: install fonts-dejavu-core or pymupdf-fonts")
    with _lock:
        if source not in _loaded:
            names = {}
            for family, files in FACES[source].items():
                name = f"{source}-{family}"
                faces = [f"{name}-{style}" for style in STYLES]
                for face, file in zip(faces, files):
                    pdfmetrics.registerFont(TTFont(face, _font_file(source, file)))
                pdfmetrics.registerFontFamily(name, normal=faces[0], bold=faces[1], italic=faces[2], boldItalic=faces[3])
                names[family] = name
            _loaded[source] = FontSet(source, names["sans"], names["mono"])
        return _loaded[source]
