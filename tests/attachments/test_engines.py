"""Each engine gets what it can read: an OpenAI-compatible vision model the image itself, one that refuses
images its OCR text and facts; recordings become a transcript (offline Whisper) and reach Gemini as audio;
the conversation's PDF export lists the files and shows the attached images."""
from __future__ import annotations

import base64

import pytest

from tests.attachments.conftest import attach, attached
from tests.attachments.fake_openai import FakeOpenAI
from tests.documents import corpus
from tests.fakes.gemini import Reply
from tests.pdf_helpers import open_pdf, pdf_text
from tests.test_errors import assert_envelope

RECEIPT = "Harbour Street Bakery total 12.50"


@pytest.fixture
def receipt() -> bytes:
    return corpus.png(corpus.text_image(RECEIPT, size=14))


@pytest.mark.parametrize("vision", [True, False])
def test_openai_compatible_gets_the_image_or_its_ocr_text(make_attach_app, receipt, vision):
    server = FakeOpenAI(vision=vision)
    try:
        client = make_attach_app(gemini_api_key=None, openai_base_url=server.url, openai_model="vision").test_client()
        image = attached(client, receipt, "receipt.png")
        reply = client.post("/api/chat", json={"message": "What is this?", "attachments": [image["id"]]})
        assert reply.status_code == 200, reply.get_json()
        assert reply.get_json()["message"]["content"].strip() == "It is a receipt."
        content = server.requests[-1]["messages"][-1]["content"]
        if vision:
            (picture,) = [p for p in content if p["type"] == "image_url"]
            assert picture["image_url"]["url"] == "data:image/png;base64," + base64.b64encode(receipt).decode()
        else:
            assert len(server.requests) == 2  # refused once, then asked with the image's words
            assert isinstance(content, str) and "Harbour Street Bakery" in content and "pixels wide" in content
    finally:
        server.stop()


def test_a_recording_is_transcribed_offline_and_reaches_gemini_as_audio(make_attach_app, fake_gemini):
    from tests.voice.clips import ENCODINGS, encode, speak

    samples, rate = speak("Please call the doctor and ask for an appointment next Monday morning.")
    wav = encode(samples, rate, ENCODINGS[1])
    offline = make_attach_app(gemini_api_key=None, ai_provider="local").test_client()
    heard = attached(offline, wav, "memo.wav")
    assert heard["status"] == "ready" and heard["mime_type"] == "audio/wav" and heard["duration_seconds"] > 2
    assert "doctor" in heard["text"][0]["text"].lower() and heard["text"][0]["method"] == "transcript"

    strict = make_attach_app(gemini_api_key=None, ai_provider="local", max_audio_seconds=2).test_client()
    too_long = attach(strict, wav, "memo.wav")
    assert_envelope(too_long, 413, "payload_too_large")  # known from the header: refused at once
    assert "MAX_AUDIO_SECONDS" in too_long.get_json()["error"]["message"]

    gemini = make_attach_app().test_client()
    fake_gemini.push(Reply(chunks=["Please call the doctor and ask for an appointment next Monday morning."]))  # the transcript
    memo = attached(gemini, wav, "memo.wav")
    assert memo["status"] == "ready"
    fake_gemini.clear()
    assert gemini.post("/api/chat", json={"message": "Summarise the memo.", "attachments": [memo["id"]]}).status_code == 200
    request = [r for r in fake_gemini.requests if r["path"].endswith("GenerateContent")][0]
    assert request["body"]["contents"][-1]["parts"][0]["inlineData"]["mimeType"] == "audio/wav"


def test_the_pdf_export_lists_attachments_and_shows_images(make_attach_app, receipt, fake_gemini):
    client = make_attach_app().test_client()
    image = attached(client, receipt, "receipt.png")
    notes = attached(client, b"Buy more flour.", "notes.txt")
    reply = client.post("/api/chat", json={"message": "What do these say?", "attachments": [image["id"], notes["id"]]}).get_json()
    exported = client.get(f"/api/conversations/{reply['conversation_id']}/export?format=pdf")
    assert exported.status_code == 200
    text = pdf_text(exported.data)
    assert "Attached: receipt.png, notes.txt" in text
    with open_pdf(exported.data) as doc:
        assert sum(len(page.get_images()) for page in doc) == 1  # the image itself, under its message
    markdown = client.get(f"/api/conversations/{reply['conversation_id']}/export?format=md").get_data(as_text=True)
    assert "*Attached: receipt.png, notes.txt*" in markdown
