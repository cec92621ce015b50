"""With Gemini as the engine the chunks are embedded by Gemini's embedding model, through google-genai talking
to the fake Gemini over HTTP: the calls reach `:batchEmbedContents`, a fault there is a clear 502, and a
question still finds its page when the embedding service fails at question time or is no longer configured."""
from __future__ import annotations

import pytest

from assistant import errors, retrieval
from tests.fakes.gemini import Reply
from tests.retrieval.corpus import FACT_PAGE, QUESTION, long_document
from tests.retrieval.helpers import attachment, chunk_count, person

BUDGET = 1500


def embedding_calls(fake):
    return [r for r in fake.requests if r["path"].endswith((":batchEmbedContents", ":embedContent"))]


def test_chunks_and_questions_are_embedded_by_gemini(make_app, fake_gemini):
    app = make_app()
    alice = person(app, "alice")
    doc = attachment(app, alice)
    db = app.extensions["database"]
    with app.app_context():
        count = retrieval.index(db, alice, doc, long_document(60))
        indexing = embedding_calls(fake_gemini)
        passages = retrieval.context_for(db, alice, [doc], QUESTION, BUDGET)
    assert indexing and all("/models/gemini-embedding-001:batchEmbedContents" in r["path"] for r in indexing)
    sent = [req for r in indexing for req in r["body"]["requests"]]
    assert len(sent) == count == chunk_count(app, doc) and all(len(r["body"]["requests"]) <= 100 for r in indexing)
    assert {(req["taskType"], req["outputDimensionality"]) for req in sent} == {("RETRIEVAL_DOCUMENT", 768)}
    asked = embedding_calls(fake_gemini)[len(indexing):]
    assert [req["taskType"] for r in asked for req in r["body"]["requests"]] == ["RETRIEVAL_QUERY"]
    assert FACT_PAGE in [p["page"] for p in passages]


@pytest.mark.parametrize("faults, says", [
    ([Reply(error=403, error_message="API key not valid.")], "GEMINI_API_KEY"),
    ([Reply(error=503)] * 3, "unavailable"),  # past the SDK's three attempts
])
def test_a_fault_of_the_embedding_service_is_a_clear_error(make_app, fake_gemini, faults, says):
    app = make_app()
    alice = person(app, "alice")
    doc = attachment(app, alice)
    fake_gemini.push(*faults)
    with app.app_context(), pytest.raises(errors.ApiError) as failed:
        retrieval.index(app.extensions["database"], alice, doc, long_document(3))
    assert (failed.value.status, failed.value.code) == (502, "upstream_error")
    assert says in failed.value.message
    assert chunk_count(app, doc) == 0
    assert embedding_calls(fake_gemini)


def test_questions_still_find_their_page_when_gemini_embeddings_are_gone(make_app, fake_gemini, sqlite_url):
    app = make_app()
    alice = person(app, "alice")
    doc = attachment(app, alice)
    db = app.extensions["database"]
    with app.app_context():
        retrieval.index(db, alice, doc, long_document(60))
        fake_gemini.push(Reply(error=403))  # the question cannot be embedded now: ranked by its words
        failing = retrieval.context_for(db, alice, [doc], QUESTION, BUDGET)
    offline = make_app(database_url=sqlite_url, gemini_api_key=None, ai_provider="local")  # the key removed since
    with offline.app_context():
        without_key = retrieval.context_for(offline.extensions["database"], alice, [doc], QUESTION, BUDGET)
    assert FACT_PAGE in [p["page"] for p in failing] and FACT_PAGE in [p["page"] for p in without_key]
