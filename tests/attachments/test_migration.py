"""Migration 0006: a database holding conversations (at 0004, before attachments) upgrades with its rows
kept, and attachments then work in those old conversations."""
from __future__ import annotations

from sqlalchemy import create_engine, insert, text

from assistant import migrate
from assistant.models import User, utcnow
from tests.accounts import sign_in
from tests.attachments.conftest import attached

BEFORE = "0004_conversation_model"


def test_a_database_with_conversations_upgrades_through_attachments(make_app, db_url, upload_dir):
    engine = create_engine(db_url)
    migrate.upgrade(engine, BEFORE)
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(insert(User.__table__).values(
            id="u" * 32, username="owner", username_key="owner", password_hash="x", role="admin", disabled=False, created_at=now))
        conn.execute(text("INSERT INTO conversations (id, user_id, title, title_source, created_at, updated_at) "
                          "VALUES (:id, :u, 'Old chat', 'auto', :t, :t)"), {"id": "c" * 32, "u": "u" * 32, "t": now})
        for seq in range(2):
            conn.execute(text("INSERT INTO messages (id, conversation_id, parent_id, seq, role, content, status, created_at) "
                              "VALUES (:id, :c, :p, :s, :r, :content, 'complete', :t)"),
                         {"id": f"{seq}" * 32, "c": "c" * 32, "p": None if seq == 0 else "0" * 32, "s": seq,
                          "r": ("user", "assistant")[seq], "content": f"turn {seq}", "t": now})
    engine.dispose()

    app = make_app(database_url=db_url, upload_dir=upload_dir)
    with app.extensions["database"].engine.connect() as conn:
        assert migrate.current(conn) == migrate.head()
        assert conn.execute(text("SELECT count(*) FROM messages WHERE citations IS NULL")).scalar() == 2
        assert conn.execute(text("SELECT count(*) FROM attachments")).scalar() == 0

    _, token = sign_in(app, "owner")
    client = app.test_client(token=token)
    old = client.get(f"/api/conversations/{'c' * 32}").get_json()
    assert [(m["content"], m["attachments"], m["citations"]) for m in old["messages"]] == [("turn 0", [], []), ("turn 1", [], [])]
    doc = attached(client, b"Added later: the meeting is on Tuesday.", "later.txt")
    reply = client.post("/api/chat", json={"message": "When is the meeting?", "conversation_id": "c" * 32,
                                           "attachments": [doc["id"]]})
    assert reply.status_code == 200, reply.get_json()
    messages = client.get(f"/api/conversations/{'c' * 32}").get_json()["messages"]
    assert [m["content"] for m in messages[:2]] == ["turn 0", "turn 1"]
    assert messages[2]["attachments"][0]["id"] == doc["id"]
