"""POST/GET/DELETE /api/attachments and …/content, and what chat does with attachment ids: the same
sniffing and limits as uploads, owners only, and attachments that go with their conversation."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.accounts import make_user
from tests.attachments.conftest import attach, attached, wait_read
from tests.documents import corpus
from tests.fakes.gemini import Reply
from tests.test_errors import assert_envelope


@pytest.fixture
def app(make_attach_app):
    return make_attach_app()


@pytest.fixture
def client(app):
    return app.test_client()


def test_a_text_file_is_read_page_by_page_and_can_be_deleted(client):
    created = attach(client, "# Notes\n\nThe meeting moved to Thursday.\n".encode(), "notes.md")
    assert created.status_code == 201
    body = created.get_json()["attachment"]
    assert body["filename"] == "notes.md" and body["mime_type"] == "text/markdown" and body["status"] == "processing"
    assert body["size"] == 40
    done = wait_read(client, body["id"])
    assert done["status"] == "ready"
    assert done["text"] == [{"number": 1, "text": "# Notes\n\nThe meeting moved to Thursday.", "method": "text"}]
    assert client.get(f"/api/attachments/{body['id']}/content").status_code == 404  # text is read through GET …/<id>
    assert client.delete(f"/api/attachments/{body['id']}").status_code == 204
    assert_envelope(client.get(f"/api/attachments/{body['id']}"), 404, "not_found")


def test_a_pdf_has_its_pages_and_its_content_is_served_safely(client):
    pdf = corpus.text_page_pdf(corpus.PARAGRAPHS)
    done = attached(client, pdf, 'report "final"/..\\q3.pdf')
    assert done["status"] == "ready" and done["pages"] == 3 and done["mime_type"] == "application/pdf"
    assert [p["number"] for p in done["text"]] == [1, 2, 3] and "Revenue grew" in done["text"][0]["text"]
    served = client.get(f"/api/attachments/{done['id']}/content")
    assert served.status_code == 200 and served.data == pdf
    assert served.headers["Content-Type"] == "application/pdf"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    disposition = served.headers["Content-Disposition"]
    assert disposition.startswith("inline;") and "/" not in disposition.split("filename*")[0] and "\\" not in disposition


def test_type_comes_from_the_content_and_bad_files_are_clear_4xx(client):
    png = corpus.png(corpus.text_image("hello"))
    image = attach(client, png, "looks-like.pdf").get_json()["attachment"]
    assert image["mime_type"] == "image/png"
    wait_read(client, image["id"])  # read in uploads/ (OCR), which must be empty afterwards
    assert_envelope(attach(client, b"\x00\x01\x02binary junk", "notes.txt"), 415, "unsupported_media_type")
    assert_envelope(attach(client, b"", "empty.txt"), 422, "unprocessable_file")
    encrypted = attach(client, corpus.encrypted_pdf(), "locked.pdf")
    assert_envelope(encrypted, 422, "unprocessable_file")
    assert "password" in encrypted.get_json()["error"]["message"]
    assert_envelope(attach(client, corpus.truncated_pdf(), "cut.pdf"), 422, "unprocessable_file")
    assert_envelope(attach(client, corpus.png_bomb(), "bomb.png"), 413, "payload_too_large")
    assert_envelope(client.post("/api/attachments", json={"file": "x"}), 415, "unsupported_media_type")


def test_pages_and_storage_limits(make_attach_app):
    client = make_attach_app(max_pdf_pages=2, attachment_storage_mb=1).test_client()
    too_long = attach(client, corpus.text_pdf_pages(3), "long.pdf")
    assert_envelope(too_long, 413, "payload_too_large")
    assert "MAX_PDF_PAGES" in too_long.get_json()["error"]["message"]
    assert attach(client, b"a" * 700_000, "a.txt").status_code == 201
    full = attach(client, b"b" * 400_000, "b.txt")
    assert_envelope(full, 413, "payload_too_large")
    assert "ATTACHMENT_STORAGE_MB" in full.get_json()["error"]["message"]


def test_someone_elses_attachment_is_404_everywhere(app, client):
    mine = attached(client, b"The vault code is 9921.", "secret.txt")
    _, token = make_user(app, "mallory")
    other = app.test_client(token=token)
    for response in (other.get(f"/api/attachments/{mine['id']}"), other.get(f"/api/attachments/{mine['id']}/content"),
                     other.delete(f"/api/attachments/{mine['id']}"),
                     other.post("/api/chat", json={"message": "What is the code?", "attachments": [mine["id"]]})):
        assert_envelope(response, 404, "not_found")
    assert other.get("/api/conversations").get_json()["conversations"] == []  # nothing was saved for the refused message
    assert client.get(f"/api/attachments/{mine['id']}").status_code == 200


def test_an_attachment_belongs_to_one_conversation_and_goes_with_it(client, fake_gemini):
    doc = attached(client, b"The vault code is 9921.", "secret.txt")
    first = client.post("/api/chat", json={"message": "What is the code?", "attachments": [doc["id"]]})
    assert first.status_code == 200
    conversation = first.get_json()["conversation_id"]
    shown = client.get(f"/api/conversations/{conversation}").get_json()["messages"]
    assert shown[0]["attachments"] == [{"id": doc["id"], "filename": "secret.txt", "mime_type": "text/plain"}]
    assert shown[1]["attachments"] == [] and shown[1]["citations"] == first.get_json()["message"]["citations"]

    elsewhere = client.post("/api/chat", json={"message": "And here?", "attachments": [doc["id"]]})
    assert_envelope(elsewhere, 404, "not_found")
    again = client.post("/api/chat", json={"message": "Once more", "conversation_id": conversation, "attachments": [doc["id"]]})
    assert again.status_code == 200  # sending it again in its own conversation is fine

    assert client.delete(f"/api/conversations/{conversation}").status_code == 204
    assert_envelope(client.get(f"/api/attachments/{doc['id']}"), 404, "not_found")


def test_deleting_a_person_deletes_their_files(app, client):
    user_id, token = make_user(app, "leaving")
    theirs = attached(app.test_client(token=token), b"Private notes.", "notes.txt")
    assert client.delete(f"/api/admin/users/{user_id}").status_code == 204
    _, again = make_user(app, "leaving")  # even a new account of the same name cannot see them
    assert_envelope(app.test_client(token=again).get(f"/api/attachments/{theirs['id']}"), 404, "not_found")
    with app.extensions["database"].engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM attachments")).scalar() == 0


def test_bad_attachment_lists_are_400(client):
    assert_envelope(client.post("/api/chat", json={"message": "hi", "attachments": ["not-an-id"]}), 400, "invalid_request")
    assert_envelope(client.post("/api/chat", json={"message": "hi", "attachments": ["a" * 32] * 2}), 400, "invalid_request")
    assert_envelope(client.post("/api/chat", json={"message": "hi", "attachments": [f"{i:032x}" for i in range(11)]}),
                    400, "invalid_request")


def test_a_message_waits_for_a_file_being_read_then_says_so(make_attach_app, fake_gemini):
    client = make_attach_app(attachment_wait_seconds=0.3).test_client()
    fake_gemini.push(Reply(first_byte_delay=2.0))  # the embedding call answers late
    created = attach(client, b"Slow to index: the embedding service answers late.", "slow.txt").get_json()["attachment"]
    refused = client.post("/api/chat", json={"message": "What does it say?", "attachments": [created["id"]]})
    assert_envelope(refused, 409, "conflict")
    assert "still being read" in refused.get_json()["error"]["message"] and refused.headers["Retry-After"]
    wait_read(client, created["id"])


def test_a_file_with_no_text_says_so(make_attach_app, fake_gemini):
    client = make_attach_app(gemini_api_key=None, ai_provider="local").test_client()
    done = attached(client, corpus.text_page_pdf([""]), "blank.pdf")
    assert done["status"] == "empty"
    refused = client.post("/api/chat", json={"message": "Summarise it", "attachments": [done["id"]]})
    assert_envelope(refused, 422, "unprocessable_file")
    assert "no text" in refused.get_json()["error"]["message"]


def test_watching_a_file_being_read_costs_no_quota(make_attach_app):
    """The web app asks for a file's status every second while it is read: those reads are free, uploads count."""
    client = make_attach_app(daily_request_limit=2).test_client()
    first = attach(client, b"notes about the garden", "notes.txt").get_json()["attachment"]["id"]
    for _ in range(5):
        assert client.get(f"/api/attachments/{first}").status_code == 200
    assert attach(client, b"more notes", "more.txt").status_code == 201
    assert_envelope(attach(client, b"one too many", "third.txt"), 429, "quota_exceeded")
