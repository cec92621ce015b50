"""Migration 0007: a database holding attachments (at 0006, before retrieval) upgrades with its rows kept;
the old attachment can then be indexed and asked about, and deleting its conversation deletes its chunks."""
from __future__ import annotations

from sqlalchemy import create_engine, insert, text

from assistant import migrate, retrieval
from assistant.models import User, utcnow
from tests.retrieval.corpus import FACT_PAGE, QUESTION, long_document
from tests.retrieval.helpers import chunk_count

BEFORE = "0006_attachments"


def test_a_database_with_attachments_upgrades_through_retrieval(make_app, db_url):
    engine = create_engine(db_url)
    migrate.upgrade(engine, BEFORE)
    now, owner, conversation, doc = utcnow(), "u" * 32, "c" * 32, "a" * 32
    with engine.begin() as conn:
        conn.execute(insert(User.__table__).values(
            id=owner, username="owner", username_key="owner", password_hash="x", role="admin", disabled=False, created_at=now))
        conn.execute(text("INSERT INTO conversations (id, user_id, title, title_source, created_at, updated_at) "
                          "VALUES (:id, :u, 'Old chat', 'auto', :t, :t)"), {"id": conversation, "u": owner, "t": now})
        conn.execute(text("INSERT INTO attachments (id, user_id, conversation_id, filename, mime_type, size, status, data, "
                          "created_at) VALUES (:id, :u, :c, 'minutes.pdf', 'application/pdf', 3, 'ready', :data, :t)"),
                     {"id": doc, "u": owner, "c": conversation, "data": b"pdf", "t": now})
    engine.dispose()

    app = make_app(database_url=db_url, gemini_api_key=None, ai_provider="local")
    db = app.extensions["database"]
    with db.engine.connect() as conn:
        assert migrate.current(conn) == migrate.head()
        assert conn.execute(text("SELECT filename, status FROM attachments")).one() == ("minutes.pdf", "ready")
        assert conn.execute(text("SELECT count(*) FROM retrieval_chunks")).scalar() == 0

    with app.app_context():
        retrieval.index(db, owner, doc, long_document(60))
        passages = retrieval.context_for(db, owner, [doc], QUESTION, 1500)
    assert FACT_PAGE in [p["page"] for p in passages] and passages[0]["filename"] == "minutes.pdf"

    with db.session() as s:  # the conversation goes: its attachments, then their chunks, go with it
        s.execute(text("DELETE FROM conversations WHERE id = :c"), {"c": conversation})
    assert chunk_count(app, doc) == 0
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM retrieval_documents")).scalar() == 0
