"""Retrieval offline, on SQLite and PostgreSQL: a fact on one page of a long PDF comes back within the
budget, a short file goes whole, nobody receives another person's passages, indexing again replaces, and
deleting the attachment deletes its chunks."""
from __future__ import annotations

import pymupdf
import pytest
from sqlalchemy import delete

from assistant import errors, retrieval
from assistant.documents.pdf import text_layer
from assistant.models import Attachment
from assistant.retrieval.chunking import MAX_TOKENS, estimate_tokens
from tests.documents.corpus import text_page_pdf
from tests.retrieval.corpus import FACT, FACT_PAGE, QUESTION, long_document
from tests.retrieval.helpers import attachment, chunk_count, person

BUDGET = 1500


def pdf_pages(pages: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The pages as a real PDF's text layer reads them back (line breaks, no paragraph marks)."""
    with pymupdf.open(stream=text_page_pdf([text for _, text in pages], size=10), filetype="pdf") as doc:
        return [(page.number + 1, text_layer(page)) for page in doc]


@pytest.fixture(scope="module")
def sixty_pages():
    return pdf_pages(long_document(60))


def test_the_page_with_the_fact_comes_back_within_the_budget(offline_app, sixty_pages):
    alice = person(offline_app, "alice")
    doc = attachment(offline_app, alice, "maintenance-minutes.pdf")
    db = offline_app.extensions["database"]
    with offline_app.app_context():
        assert retrieval.index(db, alice, doc, sixty_pages) == chunk_count(offline_app, doc) > 60
        passages = retrieval.context_for(db, alice, [doc], QUESTION, BUDGET)
        follow_up = retrieval.context_for(db, alice, [doc], "How much does that contract KP-4471 cost a year?", BUDGET)

    assert FACT_PAGE in [p["page"] for p in passages]
    cited = next(p for p in passages if p["page"] == FACT_PAGE)
    assert "Kestrel Power Systems" in cited["text"] and cited["filename"] == "maintenance-minutes.pdf"
    assert cited["attachment_id"] == doc
    assert sum(estimate_tokens(p["text"]) for p in passages) <= BUDGET
    assert len({p["page"] for p in passages}) < 60  # chosen, not the whole document
    assert "18,350 euros" in next(p["text"] for p in follow_up if p["page"] == FACT_PAGE)


def test_a_short_document_goes_whole(offline_app):
    alice = person(offline_app, "alice")
    doc = attachment(offline_app, alice, "note.pdf")
    pages = [(1, "Meeting moved to Tuesday."), (2, "Bring the signed forms.\n\nParking is behind the building.")]
    db = offline_app.extensions["database"]
    with offline_app.app_context():
        retrieval.index(db, alice, doc, pages)
        passages = retrieval.context_for(db, alice, [doc], "What should I bring?", BUDGET)
    assert [(p["page"], p["text"]) for p in passages] == [
        (1, "Meeting moved to Tuesday."), (2, "Bring the signed forms.\n\nParking is behind the building.")]


def test_nobody_gets_another_persons_passages(offline_app, sixty_pages):
    alice, bob = person(offline_app, "alice"), person(offline_app, "bob")
    mine, theirs = attachment(offline_app, alice), attachment(offline_app, bob, "bobs-secret.pdf")
    db = offline_app.extensions["database"]
    with offline_app.app_context():
        retrieval.index(db, alice, mine, sixty_pages[:3])
        retrieval.index(db, bob, theirs, [(1, FACT)])
        with pytest.raises(errors.NotFound):  # indexing someone else's attachment: as if it did not exist
            retrieval.index(db, alice, theirs, [(1, "overwritten?")])
        asked_both = retrieval.context_for(db, alice, [mine, theirs], QUESTION, BUDGET)
        asked_theirs = retrieval.context_for(db, alice, [theirs], QUESTION, BUDGET)
        still_bobs = retrieval.context_for(db, bob, [theirs], QUESTION, BUDGET)
    assert asked_both and {p["attachment_id"] for p in asked_both} == {mine}
    assert not any("Kestrel" in p["text"] for p in asked_both)
    assert asked_theirs == []
    assert [p["text"] for p in still_bobs] == [FACT]


def test_indexing_again_replaces_the_chunks(offline_app):
    alice = person(offline_app, "alice")
    doc = attachment(offline_app, alice)
    db = offline_app.extensions["database"]
    first = long_document(20, fact_page=None)
    with offline_app.app_context():
        retrieval.index(db, alice, doc, first)
        count = chunk_count(offline_app, doc)
        retrieval.context_for(db, alice, [doc], QUESTION, 500)  # cached for the next question
        assert retrieval.index(db, alice, doc, first) == count == chunk_count(offline_app, doc)  # idempotent
        retrieval.index(db, alice, doc, first[:5] + [(6, FACT)])  # the file read again differently
        passages = retrieval.context_for(db, alice, [doc], QUESTION, 500)
    assert chunk_count(offline_app, doc) < count
    assert passages[0]["page"] == 6 or any(p["text"] == FACT for p in passages)


def test_deleting_the_attachment_deletes_its_chunks(offline_app):
    alice = person(offline_app, "alice")
    doc, other = attachment(offline_app, alice), attachment(offline_app, alice)
    db = offline_app.extensions["database"]
    with offline_app.app_context():
        retrieval.index(db, alice, doc, long_document(3))
        retrieval.index(db, alice, other, long_document(2))
        with db.session() as s:
            s.execute(delete(Attachment).where(Attachment.id == doc))
        assert retrieval.context_for(db, alice, [doc], QUESTION, BUDGET) == []
    assert chunk_count(offline_app, doc) == 0 and chunk_count(offline_app, other) > 0


def test_pages_are_split_by_paragraph_and_never_across_pages():
    from assistant.retrieval.chunking import split_pages

    long_paragraph = " ".join(f"Sentence number {i} says something about the plan." for i in range(200))
    passages = split_pages([(1, "Short intro.\n\nAnother short paragraph."), (2, long_paragraph), (3, "x" * 5000), (4, "  \n ")])
    assert passages[0].page == 1 and passages[0].text == "Short intro.\n\nAnother short paragraph."
    assert {p.page for p in passages} == {1, 2, 3}
    assert all(p.tokens <= MAX_TOKENS for p in passages)
    assert " ".join(p.text for p in passages if p.page == 2) == long_paragraph  # nothing lost at the cuts
