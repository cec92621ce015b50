"""What an upload really is, from its first bytes: never from its name or its declared type."""
from __future__ import annotations

from dataclasses import dataclass

from .. import errors

ACCEPTED = "PNG, JPEG, WebP, GIF, TIFF, BMP or PDF"


@dataclass(frozen=True)
class Kind:
    mime_type: str
    label: str

    @property
    def is_pdf(self) -> bool:
        return self.mime_type == "application/pdf"


PNG = Kind("image/png", "PNG")
JPEG = Kind("image/jpeg", "JPEG")
WEBP = Kind("image/webp", "WebP")
GIF = Kind("image/gif", "GIF")
TIFF = Kind("image/tiff", "TIFF")
BMP = Kind("image/bmp", "BMP")
PDF = Kind("application/pdf", "PDF")

_SIGNATURES: list[tuple[bytes, Kind]] = [
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"GIF87a", GIF),
    (b"GIF89a", GIF),
    (b"II*\x00", TIFF),
    (b"MM\x00*", TIFF),
]


def sniff(head: bytes) -> Kind:
    """`head`: at least the first 1024 bytes (or the whole file when shorter)."""
    if not head:
        raise errors.UnprocessableFile("The uploaded file is empty (0 bytes).")
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    # BMP: "BM" then a DIB header whose size is one of the known ones (plain "BM" text is common)
    if head[:2] == b"BM" and len(head) >= 18 and int.from_bytes(head[14:18], "little") in (12, 40, 52, 56, 64, 108, 124):
        return BMP
    # readers accept the PDF header anywhere in the first 1024 bytes (some generators prepend junk)
    if b"%PDF-" in head[:1024]:
        return PDF
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"heim", b"heis", b"avif"):
        raise errors.UnsupportedMediaType(
            f"HEIC/AVIF photos are not supported yet; export the photo as JPEG or PNG. Accepted: {ACCEPTED}.")
    raise errors.UnsupportedMediaType(
        f"This file is not a supported image or PDF (checked by its content, not its name). Accepted: {ACCEPTED}.")
