"""PDF export of markdown content: what a reader finds in the file (text, fonts, structure, images)."""
import base64
import json
import io
import struct
import zlib

import pytest
from PIL import Image

from assistant.export.fonts import load_fonts
from assistant.export.pdf import Part, render_pdf
from tests.pdf_helpers import blank_pages, missing_glyphs, open_pdf, pdf_text, spans
from tests.test_errors import assert_envelope

MARKDOWN = """# Report: Ελλάδα, Россия, Café

Some **bold words**, *italic words*, ~~struck~~ and `inline_code()`; see [the docs](https://example.org/docs?a=1&b=2).

Accents: déjà vu, naïve façade, Ærøskøbing, Łódź, Ñandú.
Greek: Καλημέρα κόσμε, ξεσκεπάζω την ψυχοφθόρα βδελυγμία.
Cyrillic: Съешь же ещё этих мягких французских булок, да выпей чаю.

## Shopping list

- apples
- pears
  - green ones
1. first step
2. second step

```python
def greet(name):
    return f"Привет, {name}!"
```

| City | Country |
|---|---|
| Αθήνα | Greece |
| Москва | Russia |

> A quoted line.

<script>alert("not html")</script>
"""

EXPECTED_PHRASES = [
    "Report: Ελλάδα, Россия, Café", "bold words", "italic words", "inline_code()", "the docs",
    "Accents: déjà vu, naïve façade, Ærøskøbing, Łódź, Ñandú.",
    "Greek: Καλημέρα κόσμε, ξεσκεπάζω την ψυχοφθόρα βδελυγμία.",
    "Cyrillic: Съешь же ещё этих мягких французских булок, да выпей чаю.",
    "Shopping list", "apples", "green ones", "first step", "def greet(name):", 'return f"Привет, {name}!"',
    "Αθήνα", "Москва", "A quoted line.", '<script>alert("not html")</script>',
]


def png_bytes(size=(320, 200), colour=(20, 120, 200), fmt="PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, fmt)
    return out.getvalue()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def export(client, **payload):
    return client.post("/api/export/pdf", json=payload)


def test_markdown_comes_back_as_text_with_every_glyph(client):
    response = export(client, title="Monthly report", content=MARKDOWN)

    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    for phrase in EXPECTED_PHRASES + ["Monthly report", "Exported on", "Page 1 of 1"]:
        assert phrase in text, phrase
    assert missing_glyphs(response.data) == set()
    assert blank_pages(response.data) == []


def test_markdown_structure_shows_in_the_fonts_and_links(client):
    data = export(client, title="Structure", content=MARKDOWN).data
    by_text = {s["text"].strip(): s for s in spans(data) if s["text"].strip()}
    body_size = by_text["apples"]["size"]
    assert by_text["Report: Ελλάδα, Россия, Café"]["size"] > by_text["Shopping list"]["size"] > body_size
    assert "Bold" in by_text["bold words"]["font"]
    assert "Oblique" in by_text["italic words"]["font"] or "Italic" in by_text["italic words"]["font"]
    assert "Mono" in by_text["def greet(name):"]["font"]
    assert "Mono" in by_text["inline_code()"]["font"]
    with open_pdf(data) as doc:
        assert [link["uri"] for link in doc[0].get_links()] == ["https://example.org/docs?a=1&b=2"]


def test_images_are_embedded_scaled_to_the_page(client):
    wide = png_bytes((3000, 1000))
    photo = png_bytes((400, 300), (200, 60, 60), fmt="JPEG")
    small = "data:image/png;base64," + b64(png_bytes((40, 40)))
    response = export(client, title="Pictures", content="Three pictures follow.", images=[b64(wide), b64(photo), small])

    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    with open_pdf(response.data) as doc:
        placed = [(page, info["bbox"]) for page in doc for info in page.get_image_info()]
        assert len(placed) == 3
        for page, bbox in placed:
            box = page.rect & bbox
            assert box == bbox and box.width > 20  # wholly on the page
    assert "Image 3" in pdf_text(response.data)
    assert blank_pages(response.data) == []


def test_images_without_text_are_enough(client):
    response = export(client, title="Generated picture", images=[b64(png_bytes())])
    assert response.status_code == 200
    with open_pdf(response.data) as doc:
        assert sum(len(page.get_images()) for page in doc) == 1


def test_untrusted_markdown_is_shown_not_followed(client):
    content = "[click](javascript:alert(1)) ![remote](http://127.0.0.1:1/secret.png) <img src=x onerror=alert(1)>"
    data = export(client, title="Untrusted", content=content).data
    with open_pdf(data) as doc:
        assert doc[0].get_links() == [] and doc[0].get_images() == []
    assert "[image: remote]" in pdf_text(data)


@pytest.mark.parametrize("levels", [9, 40])
def test_deeply_nested_lists_lose_no_words(client, levels):
    nested = "\n".join("  " * i + f"- level {i}" for i in range(levels))
    data = export(client, title="Nested", content=nested + "\n\nThe end.\n\n| a |\n|---|\n| cell |").data
    text = pdf_text(data)
    assert all(f"level {i}" in text for i in range(levels)) and "The end." in text and "cell" in text


def test_awkward_markdown_still_lays_out(client):
    nested = "\n".join("  " * i + f"- level {i}" for i in range(9))
    wide_table = "|" + "|".join(f"c{i}" for i in range(25)) + "|\n|" + "---|" * 25 + "\n|" + "|".join("x" * 60 for _ in range(25)) + "|"
    long_code = "```\n" + "y = '" + "z" * 3000 + "'\n" + "\n".join(f"line {i}" for i in range(400)) + "\n```"
    tall_cell = "| a |\n|---|\n| " + " ".join(["word"] * 6000) + " |"
    content = "\n\n".join([nested, wide_table, long_code, tall_cell, "W" * 5000, "> " * 30 + "deep quote"])
    response = export(client, title="Awkward", content=content)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    text = pdf_text(response.data)
    assert "level 8" in text and "line 399" in text and "deep quote" in text
    assert blank_pages(response.data) == []


def test_the_fallback_fonts_for_hosts_without_dejavu_have_the_glyphs():
    # what Render gets: no apt, so Noto Sans / Ubuntu Mono from the pymupdf-fonts wheel
    data = render_pdf("Τίτλος — Заголовок", [Part(MARKDOWN)], fonts=load_fonts("pymupdf-fonts"))
    text = pdf_text(data)
    for phrase in EXPECTED_PHRASES:
        assert phrase in text, phrase
    assert missing_glyphs(data) == set()
    fonts = {s["font"] for s in spans(data)}
    assert any("NotoSans" in f for f in fonts) and any("UbuntuMono" in f for f in fonts)


def test_health_reports_pdf_export(client):
    assert client.get("/api/health").get_json()["capabilities"]["pdf_export"] == {"available": True, "engine": "reportlab"}


# --- bad input ------------------------------------------------------------------------------------
def _png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge size: a decompression bomb's calling card."""
    real = png_bytes((1, 1))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return real[:8] + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk)) + real[33:]


def _ico() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16)).save(out, "ICO")
    return out.getvalue()


@pytest.mark.parametrize(
    ("payload", "status", "code", "words"),
    [
        ({"title": "x", "content": ""}, 400, "invalid_request", "nothing to export"),
        ({"title": "x", "content": "   \n  "}, 400, "invalid_request", "nothing to export"),
        ({"title": "x"}, 400, "invalid_request", "nothing to export"),
        ({"content": 42}, 400, "invalid_request", "content"),
        ({"content": "hi", "conversation_id": "0" * 32}, 400, "invalid_request", "not both"),
        ({"content": "hi", "title": "t" * 201}, 400, "invalid_request", "title"),
        ({"content": "hi", "format": "docx"}, 400, "invalid_request", "format"),
        ({"content": "hi", "images": ["not base64 at all!"]}, 400, "invalid_request", "Image 1 is not valid base64"),
        ({"content": "hi", "images": [b64(png_bytes()), ""]}, 400, "invalid_request", "Image 2"),
        ({"content": "hi", "images": [b64(b"just some text, not a picture")]}, 422, "unprocessable_file", "Image 1"),
        ({"content": "hi", "images": [b64(png_bytes()[:200])]}, 422, "unprocessable_file", "damaged"),
        ({"content": "hi", "images": [b64(_ico())]}, 415, "unsupported_media_type", "ICO"),
        ({"content": "hi", "images": [b64(_png_claiming(9000, 9000))]}, 413, "payload_too_large", "megapixels"),
        ({"content": "hi", "images": [b64(_png_claiming(60000, 60000))]}, 413, "payload_too_large", "megapixels"),
        ({"content": "hi", "images": [b64(png_bytes((8, 8)))] * 21}, 400, "invalid_request", "images"),
        ({"conversation_id": "../../etc/passwd"}, 400, "invalid_request", "conversation_id"),
    ],
)
def test_bad_input_is_a_clear_4xx(client, payload, status, code, words):
    body = assert_envelope(export(client, **payload), status, code)
    assert words in body["error"]["message"]


def test_an_image_over_the_upload_limit_is_413(make_app):
    client = make_app(max_upload_mb=1).test_client()
    noise = Image.frombytes("RGB", (700, 700), bytes(range(256)) * (700 * 700 * 3 // 256 + 1))
    out = io.BytesIO()
    noise.save(out, "BMP")  # uncompressed: about 1.4 MB
    assert_envelope(export(client, content="hi", images=[b64(out.getvalue())]), 413, "payload_too_large")


def test_export_is_listed_in_the_openapi_document(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    assert "application/pdf" in paths["/api/export/pdf"]["post"]["responses"]["200"]["content"]
    assert "/api/image/generate" in paths


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("# " + "H" * 5000, "HHHH"),  # a heading taller than a page, last in the document
        ("a\x00b\x01c\x0bd\x1be \u200b end", "end"),
        ("<para><font size=100>big</font> <img src='/etc/passwd'/> &amp; &#x41;", "<img src='/etc/passwd'/>"),
    ],
    ids=["huge-heading", "control-characters", "reportlab-markup"],
)
def test_odd_text_is_exported_as_text(client, content, expected):
    response = export(client, title="Odd \x00 title\n", content=content)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert expected in pdf_text(response.data)


def test_text_that_is_not_unicode_is_400(client):
    body = json.dumps({"title": "t", "content": "lone \ud800 surrogate"})  # JSON escapes keep it; UTF-8 cannot
    response = client.post("/api/export/pdf", data=body, content_type="application/json")
    assert_envelope(response, 400, "invalid_request")


@pytest.mark.timeout(60)
def test_a_table_too_costly_to_lay_out_is_shown_as_its_source(client):
    columns = 25
    table = ("|" + "|".join(f"c{i}" for i in range(columns)) + "|\n|" + "---|" * columns + "\n|"
             + "|".join(" ".join([f"w{i}"] * 400) for i in range(columns)) + "|")
    response = export(client, title="Wide", content="Before.\n\n" + table + "\n\nAfter.")
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert "Before." in text and "After." in text and "w24 w24" in text
    by_text = {s["text"].strip()[:3]: s for s in spans(response.data)}
    assert "Mono" in by_text["|c0"]["font"]
