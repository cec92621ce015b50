"""A `Content-Disposition: attachment` header that is safe whatever the title holds.

The title is reduced to printable text without path separators or quotes; the `filename` parameter
gets an ASCII fallback (accents stripped, the rest dashed) and `filename*` the UTF-8 name (RFC 6266 /
RFC 5987), so browsers show "Ελληνικά.pdf" while old clients still get something sensible.
"""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

MAX_NAME_CHARS = 80
DEFAULT_NAME = "export"


def _clean(title: str) -> str:
    text = "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in title)  # controls, newlines, odd spaces
    text = re.sub(r'[\\/:*?"<>|;,%]+', " ", text)  # path separators, quoting and header metacharacters
    text = " ".join(text.split()).strip(" .")  # no leading dots (hidden files), no trailing dots (Windows)
    return text[:MAX_NAME_CHARS].rstrip(" .") or DEFAULT_NAME


def content_disposition(title: str, extension: str = "pdf") -> str:
    name = _clean(title)
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    ascii_name = re.sub(r"[^A-Za-z0-9._ -]+", "-", ascii_name)
    ascii_name = " ".join(re.sub(r"-{2,}", "-", ascii_name).split()).strip(" .-") or DEFAULT_NAME
    return (f'attachment; filename="{ascii_name}.{extension}"; '
            f"filename*=UTF-8''{quote(f'{name}.{extension}', safe='')}")
