"""Text out of images and PDFs, offline (Tesseract + PyMuPDF), with analyze=false."""
from __future__ import annotations

import pytest
from PIL import Image

from . import corpus
from .helpers import post, sample_image

MAX_CER = 0.02


@pytest.fixture
def app(offline_app):
    return offline_app


@pytest.mark.parametrize("size", [10, 14])
@pytest.mark.parametrize("font", list(corpus.FONTS))
def test_fonts_and_sizes_read_accurately(app, font, size):
    status, body = post(app, corpus.png(sample_image(font, size)), "note.png", analyze=False)
    assert status == 200, body
    doc = body["document"]
    assert doc["mime_type"] == "image/png" and doc["ocr_engine"] == "tesseract"
    assert [p["method"] for p in doc["pages"]] == ["ocr"]
    assert corpus.cer(corpus.SAMPLE, doc["text"]) <= MAX_CER, doc["text"]
    assert body["analysis"] is None


@pytest.mark.parametrize("degrees", [90, 180])
def test_rotated_pages_are_turned_upright(app, degrees):
    status, body = post(app, corpus.png(corpus.rotated(sample_image(), degrees)), analyze=False)
    assert status == 200, body
    assert corpus.cer(corpus.SAMPLE, body["document"]["text"]) <= MAX_CER, body["document"]["text"]


def test_phone_photo_with_exif_orientation(app):
    status, body = post(app, corpus.exif_rotated_jpeg(sample_image()), "IMG_0042.JPG", analyze=False)
    assert status == 200, body
    doc = body["document"]
    assert corpus.cer(corpus.SAMPLE, doc["text"]) <= MAX_CER, doc["text"]
    upright = sample_image()
    assert (doc["image"]["width"], doc["image"]["height"]) == upright.size  # facts describe the upright photo
    assert doc["image"]["exif"]["camera_make"] == "TestCam"


def test_noisy_photo_of_a_page(app):
    status, body = post(app, corpus.photo_of_page(sample_image()), "photo.jpg", analyze=False)
    assert status == 200, body
    assert corpus.cer(corpus.SAMPLE, body["document"]["text"]) <= 0.05, body["document"]["text"]
    colours = body["document"]["image"]["dominant_colours"]
    assert colours and abs(sum(c["share"] for c in colours) - 1) < 0.01


@pytest.mark.parametrize("fmt,mime", [("WEBP", "image/webp"), ("GIF", "image/gif"), ("BMP", "image/bmp")])
def test_other_image_formats(app, fmt, mime):
    status, body = post(app, corpus.encode(sample_image("helv", 14), fmt), "scan.bin", analyze=False)
    assert status == 200, body
    assert body["document"]["mime_type"] == mime
    assert corpus.cer(corpus.SAMPLE, body["document"]["text"]) <= MAX_CER


def test_multipage_tiff_gives_one_page_per_frame(app):
    first, second = sample_image("helv", 14), corpus.text_image(corpus.PARAGRAPHS[0], size=14)
    data = corpus.encode(first, "TIFF", save_all=True, append_images=[second], compression="tiff_deflate")
    status, body = post(app, data, "fax.tiff", analyze=False)
    assert status == 200, body
    pages = body["document"]["pages"]
    assert [p["number"] for p in pages] == [1, 2]
    assert corpus.cer(corpus.SAMPLE, pages[0]["text"]) <= MAX_CER
    assert corpus.cer(corpus.PARAGRAPHS[0], pages[1]["text"]) <= MAX_CER


def test_mixed_pdf_named_jpg_reads_text_layer_and_scan(app):
    status, body = post(app, corpus.mixed_pdf(), "holiday.jpg", analyze=False)
    assert status == 200, body
    doc = body["document"]
    assert doc["mime_type"] == "application/pdf" and doc["filename"] == "holiday.jpg"
    assert [(p["number"], p["method"]) for p in doc["pages"]] == [(1, "text"), (2, "ocr"), (3, "text")]
    for page, expected in zip(doc["pages"], corpus.PARAGRAPHS):
        assert corpus.cer(expected, page["text"]) <= MAX_CER, page
    assert doc["text"].index("Quarterly") < doc["text"].index("Meeting") < doc["text"].index("Safety")
    assert doc["image"] is None


def test_text_pdf_needs_no_ocr(app):
    status, body = post(app, corpus.text_pdf_pages(5), "report.pdf", analyze=False)
    assert status == 200, body
    assert [p["method"] for p in body["document"]["pages"]] == ["text"] * 5
    assert body["document"]["ocr_engine"] is None


def test_filename_is_shown_never_used_as_a_path(app, upload_dir):
    status, body = post(app, corpus.text_pdf_pages(1), "../../etc/passwd.pdf", analyze=False)
    assert status == 200
    assert body["document"]["filename"] == "passwd.pdf"


# --- refusals: clear status and message, before heavy work -------------------------------------
def _error(app, data, name="file.png", **form):
    status, body = post(app, data, name, analyze=False, **form)
    return status, body["error"]["code"], body["error"]["message"]


def test_encrypted_pdf(app):
    assert _error(app, corpus.encrypted_pdf(), "locked.pdf")[:2] == (422, "unprocessable_file")
    assert "password" in _error(app, corpus.encrypted_pdf(), "locked.pdf")[2]


def test_truncated_pdf(app):
    status, code, message = _error(app, corpus.truncated_pdf(), "cut.pdf")
    assert (status, code) == (422, "unprocessable_file") and "incomplete" in message


def test_corrupt_pdf(app):
    status, code, message = _error(app, b"%PDF-1.7\n" + b"\x00garbage" * 500 + b"\n%%EOF\n", "bad.pdf")
    assert (status, code) == (422, "unprocessable_file") and "damaged" in message


def test_zero_page_pdf(app):
    status, code, message = _error(app, corpus.zero_page_pdf(), "empty.pdf")
    assert (status, code, message) == (422, "unprocessable_file", "The PDF has no pages.")


def test_zero_byte_file(app):
    assert _error(app, b"", "empty.png") == (422, "unprocessable_file", "The uploaded file is empty (0 bytes).")


def test_text_named_png(app):
    status, code, message = _error(app, b"Dear diary, today I uploaded a text file.\n" * 20, "photo.png")
    assert (status, code) == (415, "unsupported_media_type") and "PNG, JPEG" in message


def test_truncated_image(app):
    data = corpus.png(sample_image())
    status, code, message = _error(app, data[: len(data) // 2], "half.png")
    assert (status, code) == (422, "unprocessable_file") and "incomplete" in message


def test_png_decompression_bomb(app):
    data = corpus.png_bomb()
    assert len(data) < 200_000
    status, code, message = _error(app, data, "bomb.png")
    assert (status, code) == (413, "payload_too_large")
    assert "40,000,000 pixels (MAX_IMAGE_PIXELS)" in message


def test_pixel_limit_names_the_size(make_upload_app):
    app = make_upload_app(gemini_api_key=None, ai_provider="local", max_image_pixels=1_000_000)
    big = Image.new("RGB", (2000, 1000), "white")
    status, code, message = _error(app, corpus.png(big))
    assert (status, code) == (413, "payload_too_large")
    assert message == "The image is 2,000 × 1,000 pixels; this server decodes at most 1,000,000 pixels (MAX_IMAGE_PIXELS)."


def test_page_limit(make_upload_app):
    app = make_upload_app(gemini_api_key=None, ai_provider="local", max_pdf_pages=2)
    status, code, message = _error(app, corpus.text_pdf_pages(3), "long.pdf")
    assert (status, code) == (413, "payload_too_large")
    assert message == "The PDF has 3 pages; this server reads at most 2 (MAX_PDF_PAGES)."


def test_size_limit(make_upload_app):
    app = make_upload_app(gemini_api_key=None, ai_provider="local", max_upload_mb=1)
    status, code, message = _error(app, b"%PDF-1.7\n" + b"0" * (1024 * 1024 + 100_000), "big.pdf")
    assert (status, code) == (413, "payload_too_large") and "MAX_UPLOAD_MB = 1 MB" in message


def test_bad_form_fields(app):
    client = app.test_client()
    response = client.post("/api/upload", json={"file": "x"})
    assert response.status_code == 415 and response.get_json()["error"]["code"] == "unsupported_media_type"
    response = client.post("/api/upload", data={"prompt": "hi"}, content_type="multipart/form-data")
    assert response.status_code == 400 and "file" in response.get_json()["error"]["message"]
    status, code, message = _error(app, corpus.text_pdf_pages(1), "a.pdf", prompt="x" * 5000)
    assert (status, code) == (400, "invalid_request") and message.startswith("prompt:")
    status, body = post(app, corpus.text_pdf_pages(1), "a.pdf", analyze="perhaps")
    assert status == 400 and body["error"]["message"].startswith("analyze:")
