"""Test files made on the spot: text rendered with PyMuPDF's built-in fonts (no system fonts needed),
scanned-looking pages, photos of pages, and broken or hostile files. Shared by tests and bench/ocr.py."""
from __future__ import annotations

import io
import struct
import zlib

import pymupdf
from PIL import Image, ImageFilter

SAMPLE = ("Invoice 2024-117 for Harbour Street Bakery. Three boxes of printer paper cost $12.50 each, "
          "and the delivery arrives on Monday, March 4th. The quick brown fox jumps over the lazy dog; "
          "pack my box with five dozen liquor jugs.")

PARAGRAPHS = [
    "Quarterly report. Revenue grew by 14 percent compared with the previous quarter, driven mostly by "
    "new customers in the northern region. Operating costs stayed flat.",
    "Meeting notes. The team agreed to move the product launch to the second week of June, after the "
    "final round of testing. Maria will update the schedule and inform the partners.",
    "Safety instructions. Keep the device away from water and direct sunlight. Charge the battery fully "
    "before first use and do not leave it charging overnight.",
]

FONTS = {"helv": "Helvetica", "tiro": "Times", "cour": "Courier"}


def text_page_pdf(texts: list[str], font: str = "helv", size: float = 12,
                  page_width: float = 595, page_height: float = 842) -> bytes:
    doc = pymupdf.open()
    for text in texts:
        page = doc.new_page(width=page_width, height=page_height)
        box = pymupdf.Rect(50, 50, page_width - 50, page_height - 50)
        if page.insert_textbox(box, text, fontname=font, fontsize=size) < 0:
            raise ValueError("text does not fit the page")
    return doc.tobytes()


def text_image(text: str = SAMPLE, font: str = "helv", size: float = 12, dpi: int = 200) -> Image.Image:
    """The text as a picture of a page (white paper, black text), cropped to a small margin."""
    width = 430
    lines = max(3, len(text) * size * 0.55 / (width - 20) * 1.4)
    height = 30 + lines * size * 1.3
    doc = pymupdf.open(stream=text_page_pdf([text], font, size, width + 100, height + 100))
    pix = doc[0].get_pixmap(dpi=dpi, colorspace=pymupdf.csRGB)
    return Image.open(io.BytesIO(pix.tobytes("png"))).convert("RGB")


def png(img: Image.Image) -> bytes:
    buffer = io.BytesIO()
    img.save(buffer, "PNG")
    return buffer.getvalue()


def encode(img: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    img.save(buffer, fmt, **options)
    return buffer.getvalue()


def rotated(img: Image.Image, degrees: int) -> Image.Image:
    return img.rotate(degrees, expand=True, fillcolor="white")


def photo_of_page(img: Image.Image) -> bytes:
    """A phone photo of a printed page: tilted, tinted paper, uneven light, sensor noise, soft focus, JPEG."""
    tilted = img.rotate(1.5, expand=True, fillcolor=(235, 228, 210), resample=Image.Resampling.BICUBIC)
    w, h = tilted.size
    light = Image.linear_gradient("L").resize((w, h)).point(lambda v: 255 - v // 4)  # darker towards one edge
    paper = Image.new("RGB", (w, h), (245, 238, 220))
    page = Image.composite(tilted, paper, tilted.convert("L").point(lambda v: 255 if v < 200 else 0))
    page = Image.composite(page, Image.new("RGB", (w, h), (150, 140, 120)), light)
    noise = Image.effect_noise((w, h), 40).convert("RGB")
    page = Image.blend(page, noise, 0.12).filter(ImageFilter.GaussianBlur(0.8))
    return encode(page, "JPEG", quality=72)


def exif_rotated_jpeg(img: Image.Image) -> bytes:
    """Pixels stored sideways with EXIF Orientation 6 (rotate 90° clockwise to view), as phones do."""
    stored = img.rotate(90, expand=True)  # counter-clockwise: the viewer turns it back clockwise
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "TestCam"
    exif[0x0110] = "Model 1"
    return encode(stored, "JPEG", quality=90, exif=exif.tobytes())


def scanned_pdf(images: list[Image.Image], dpi: int = 200) -> bytes:
    """Pages that are only pictures (no text layer), as a scanner makes them."""
    doc = pymupdf.open()
    for img in images:
        gray = img.convert("L")
        width, height = gray.width * 72 / dpi, gray.height * 72 / dpi
        page = doc.new_page(width=width, height=height)
        page.insert_image(page.rect, stream=encode(gray, "PNG"))
    return doc.tobytes(garbage=3, deflate=True)


def scan_of(text: str, dpi: int = 200) -> Image.Image:
    """A full A4 page of text, rendered like a scanner at `dpi`."""
    doc = pymupdf.open(stream=text_page_pdf([text]))
    pix = doc[0].get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
    return Image.open(io.BytesIO(pix.tobytes("png")))


def mixed_pdf() -> bytes:
    """Page 1 text layer, page 2 a scan, page 3 text layer."""
    doc = pymupdf.open(stream=text_page_pdf([PARAGRAPHS[0]]))
    doc.insert_pdf(pymupdf.open(stream=scanned_pdf([scan_of(PARAGRAPHS[1])])))
    doc.insert_pdf(pymupdf.open(stream=text_page_pdf([PARAGRAPHS[2]])))
    return doc.tobytes()


def encrypted_pdf() -> bytes:
    doc = pymupdf.open(stream=text_page_pdf([PARAGRAPHS[0]]))
    return doc.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="secret", owner_pw="owner-secret")


def truncated_pdf() -> bytes:
    data = text_page_pdf(PARAGRAPHS)
    return data[: len(data) * 2 // 3]


def zero_page_pdf() -> bytes:
    # PyMuPDF refuses to save an empty document, so write the few objects by hand
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def png_bomb(side: int = 30000) -> bytes:
    """A valid PNG of side × side black pixels (1-bit): about 100 KB on disk, gigabytes once decoded."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" * (1 + (side + 7) // 8)
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    ihdr = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def text_pdf_pages(count: int) -> bytes:
    return text_page_pdf([PARAGRAPHS[i % len(PARAGRAPHS)] * 6 for i in range(count)])


def cer(expected: str, got: str) -> float:
    """Character error rate: edit distance over the expected length, whitespace runs counted as one space."""
    a, b = " ".join(expected.split()), " ".join(got.split())
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1] / max(1, len(a))
