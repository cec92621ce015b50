"""PDF export of a saved conversation (POST /api/export/pdf with conversation_id)."""
import time

from tests.accounts import admin
from tests.export_samples import add_conversation
from tests.pdf_helpers import blank_pages, missing_glyphs, open_pdf, pdf_text
from tests.test_errors import assert_envelope


def test_a_chat_exports_with_both_sides_and_its_title(client, fake_gemini):
    reply = client.post("/api/chat", json={"message": "Bonjour, ça va? Ελληνικά и русский"}).get_json()
    client.post("/api/chat", json={"message": "Second question", "conversation_id": reply["conversation_id"]})

    response = client.post("/api/export/pdf", json={"conversation_id": reply["conversation_id"]})

    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    text = pdf_text(response.data)
    assert text.count("You") >= 2 and text.count("Assistant") >= 2
    assert "You said: Bonjour, ça va? Ελληνικά и русский" in text and "You said: Second question" in text
    assert text.index("Bonjour") < text.index("Second question")
    assert "Bonjour, ça va" in response.headers["Content-Disposition"] or "Bonjour" in response.headers["Content-Disposition"]
    assert missing_glyphs(response.data) == set()


def test_a_title_given_with_the_conversation_replaces_its_own(client, app):
    conversation_id = add_conversation(app.extensions["database"], owner=admin(app)[0], messages=4, title="Original title")
    response = client.post("/api/export/pdf", json={"conversation_id": conversation_id, "title": "Chosen title"})
    assert pdf_text(response.data).startswith("Chosen title")
    assert 'filename="Chosen title.pdf"' in response.headers["Content-Disposition"]


def test_a_500_message_conversation_exports_in_reasonable_time(client, app):
    conversation_id = add_conversation(app.extensions["database"], owner=admin(app)[0], messages=500)
    started = time.monotonic()
    response = client.post("/api/export/pdf", json={"conversation_id": conversation_id})
    elapsed = time.monotonic() - started

    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert elapsed < 30  # a guard against pathologies; bench/export.py measures the real figure
    text = pdf_text(response.data)
    assert "Here is answer **1**" not in text and "Here is answer 1," in text and "Here is answer 250," in text
    with open_pdf(response.data) as doc:
        assert doc.page_count > 20
        assert f"Page {doc.page_count} of {doc.page_count}" in doc[-1].get_text()
    assert blank_pages(response.data) == []
    assert missing_glyphs(response.data) == set()


def test_an_unknown_conversation_is_404(client):
    assert_envelope(client.post("/api/export/pdf", json={"conversation_id": "0" * 32}), 404, "not_found")


def test_the_system_prompt_and_a_reply_cut_short_are_shown(client, app):
    conversation_id = add_conversation(app.extensions["database"], owner=admin(app)[0], messages=4, system="Answer in Ελληνικά.")
    text = pdf_text(client.post("/api/export/pdf", json={"conversation_id": conversation_id}).data)
    assert "System prompt Answer in Ελληνικά." in text
    assert text.count("incomplete (the reply was cut short)") == 1


def test_a_conversation_too_long_for_one_pdf_is_413(client, app):
    conversation_id = add_conversation(app.extensions["database"], owner=admin(app)[0], messages=2, content="word " * 70_000)
    body = assert_envelope(client.post("/api/export/pdf", json={"conversation_id": conversation_id}), 413, "payload_too_large")
    assert "700,000 characters" in body["error"]["message"]
