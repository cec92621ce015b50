"""With the fake Gemini over HTTP: attached images and PDFs reach the model as the files themselves
(inline, or through the Files API above the inline limit, uploaded once), the text is embedded through
Gemini's embedding endpoint, and a failure there is said clearly."""
from __future__ import annotations

import base64
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import update

from assistant.models import Attachment

from tests.attachments.conftest import attach, attached, wait_read
from tests.documents import corpus
from tests.fakes.gemini import Reply
from tests.sse import parse_sse
from tests.test_errors import assert_envelope


@pytest.fixture
def client(make_attach_app):
    return make_attach_app().test_client()


def generate_requests(fake) -> list[dict]:
    return [r for r in fake.requests if r["path"].endswith("GenerateContent")]


def user_parts(request: dict) -> list[dict]:
    return request["body"]["contents"][-1]["parts"]


def test_an_image_reaches_the_model_as_an_image_part(client, fake_gemini):
    png = corpus.png(corpus.text_image("Harbour Street Bakery"))
    image = attached(client, png, "receipt.png")
    assert image["status"] == "ready"
    fake_gemini.clear()
    fake_gemini.push(Reply(chunks=["A receipt from Harbour Street Bakery."]))
    reply = client.post("/api/chat", json={"message": "What is this?", "attachments": [image["id"]]})
    assert reply.status_code == 200, reply.get_json()
    (request,) = generate_requests(fake_gemini)
    inline = [p["inlineData"] for p in user_parts(request) if "inlineData" in p]
    assert inline == [{"mimeType": "image/png", "data": base64.b64encode(png).decode()}]
    assert "What is this?" in user_parts(request)[-1]["text"]


def test_a_pdf_reaches_the_model_as_a_document_and_the_answer_cites_its_page(client, fake_gemini):
    pdf = corpus.text_page_pdf(corpus.PARAGRAPHS)
    fake_gemini.clear()
    doc = attached(client, pdf, "notes.pdf")
    embeds = [r for r in fake_gemini.requests if r["path"].endswith((":batchEmbedContents", ":embedContent"))]
    assert embeds and "gemini-embedding-001" in embeds[0]["path"]  # Gemini's embedding endpoint, not a local model
    assert any("Revenue grew" in p["content"]["parts"][0]["text"] for r in embeds for p in r["body"].get("requests", []))
    fake_gemini.clear()
    fake_gemini.push(Reply(chunks=["The launch moved to the second week of June [2]."]))
    response = client.post("/api/chat", headers={"Accept": "text/event-stream"},
                           json={"message": "When is the product launch?", "attachments": [doc["id"]]})
    events = parse_sse(response.get_data(as_text=True))
    done = events[-1]
    assert done[0] == "done", events
    request = generate_requests(fake_gemini)[0]
    parts = user_parts(request)
    assert parts[0] == {"inlineData": {"mimeType": "application/pdf", "data": base64.b64encode(pdf).decode()}}
    assert "[2] notes.pdf, page 2" in parts[-1]["text"]  # the extracted text too, numbered for citing
    assert done[1]["citations"] == [{"attachment_id": doc["id"], "filename": "notes.pdf", "page": 2, "quote":
                                     "The team agreed to move the product launch to the second week of June, after the "
                                     "final round of testing."}]
    conversation = events[0][1]["conversation_id"]
    saved = client.get(f"/api/conversations/{conversation}").get_json()["messages"]
    assert saved[1]["citations"] == done[1]["citations"]

    # a follow-up in the same conversation still sends the document
    fake_gemini.clear()
    follow = client.post("/api/chat", json={"message": "Who updates the schedule?", "conversation_id": conversation})
    assert follow.status_code == 200
    assert "inlineData" in user_parts(generate_requests(fake_gemini)[0])[0]


def test_above_the_inline_limit_a_file_goes_through_the_files_api_once(make_attach_app, fake_gemini):
    app = make_attach_app(gemini_inline_mb=0.001)  # about 1 KB inline
    client = app.test_client()
    pdf = corpus.text_page_pdf(corpus.PARAGRAPHS)
    doc = attached(client, pdf, "notes.pdf")
    fake_gemini.clear()
    first = client.post("/api/chat", json={"message": "Summarise it.", "attachments": [doc["id"]]}).get_json()
    second = client.post("/api/chat", json={"message": "And the safety part?", "conversation_id": first["conversation_id"]})
    assert second.status_code == 200
    assert len(fake_gemini.files) == 1  # uploaded once, reused by the follow-up
    (stored,) = fake_gemini.files.values()
    assert stored["data"] == pdf and stored["mimeType"] == "application/pdf"
    for request in generate_requests(fake_gemini):
        assert user_parts(request)[0] == {"fileData": {"mimeType": "application/pdf", "fileUri": stored["uri"]}}

    # close to Google's 48-hour expiry it is uploaded again rather than sent stale
    with app.extensions["database"].session() as s:
        s.execute(update(Attachment).where(Attachment.id == doc["id"])
                  .values(gemini_file_expires_at=datetime.now(timezone.utc) + timedelta(minutes=30)))
    third = client.post("/api/chat", json={"message": "Anything else?", "conversation_id": first["conversation_id"]})
    assert third.status_code == 200 and len(fake_gemini.files) == 2


def test_a_failing_embedding_endpoint_gives_a_clear_error(client, fake_gemini):
    fake_gemini.push(Reply(error=403, error_message="API key not valid."))
    created = attach(client, b"Quarterly numbers: revenue grew 14 percent.", "numbers.txt").get_json()["attachment"]
    failed = wait_read(client, created["id"])
    assert failed["status"] == "failed"
    assert failed["error"] == ("The file was read, but preparing it for questions failed: the AI service rejected this "
                               "server's credentials (check GEMINI_API_KEY).")
    refused = client.post("/api/chat", json={"message": "How much did revenue grow?", "attachments": [created["id"]]})
    assert_envelope(refused, 422, "unprocessable_file")
    assert failed["error"] in refused.get_json()["error"]["message"]
