"""Saved conversations on SQLite and on a real PostgreSQL server: list, read, delete, survive a restart."""
from tests.fakes.gemini import Reply
from tests.test_errors import assert_envelope


def chat(client, message, conversation_id=None):
    body = {"message": message} | ({"conversation_id": conversation_id} if conversation_id else {})
    response = client.post("/api/chat", json=body)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_list_read_delete(make_app, db_url):
    client = make_app(db_url=db_url).test_client()
    first = chat(client, "First conversation")
    second = chat(client, "Second conversation, with a title longer than sixty characters in all")
    chat(client, "and more", second["conversation_id"])

    listed = client.get("/api/conversations").get_json()["conversations"]
    assert [c["id"] for c in listed] == [second["conversation_id"], first["conversation_id"]]  # most recent first
    assert [c["message_count"] for c in listed] == [4, 2]
    assert listed[0]["title"].endswith("…") and len(listed[0]["title"]) == 60
    assert listed[0]["updated_at"].endswith("Z")

    one = client.get(f"/api/conversations/{first['conversation_id']}").get_json()
    assert [m["content"] for m in one["messages"]] == ["First conversation", "You said: First conversation"]

    assert client.delete(f"/api/conversations/{first['conversation_id']}").status_code == 204
    assert_envelope(client.get(f"/api/conversations/{first['conversation_id']}"), 404, "not_found")
    assert_envelope(client.delete(f"/api/conversations/{first['conversation_id']}"), 404, "not_found")
    assert [c["id"] for c in client.get("/api/conversations").get_json()["conversations"]] == [second["conversation_id"]]


def test_conversation_survives_an_app_restart(make_app, db_url, fake_gemini):
    client = make_app(db_url=db_url).test_client()
    reply = chat(client, "Remember me")
    fake_gemini.push(Reply(chunks=["cut ", "off"], reset_after=1))
    client.post("/api/chat", json={"message": "then this", "conversation_id": reply["conversation_id"]},
                headers={"Accept": "text/event-stream"}).get_data()

    restarted = make_app(db_url=db_url).test_client()
    saved = restarted.get(f"/api/conversations/{reply['conversation_id']}").get_json()
    assert [(m["role"], m["content"], m["status"]) for m in saved["messages"]] == [
        ("user", "Remember me", "complete"), ("assistant", "You said: Remember me", "complete"),
        ("user", "then this", "complete"), ("assistant", "cut ", "incomplete")]
    # the conversation goes on after the restart, with its history
    chat(restarted, "still there?", reply["conversation_id"])
    assert len(fake_gemini.requests[-1]["body"]["contents"]) == 5


def test_unicode_round_trips(make_app, db_url, fake_gemini):
    client = make_app(db_url=db_url).test_client()
    fake_gemini.push(Reply(chunks=["Καλημέρα ", "мир ", "🌍"]))
    reply = chat(client, "Ça va? 日本語")
    saved = client.get(f"/api/conversations/{reply['conversation_id']}").get_json()
    assert [m["content"] for m in saved["messages"]] == ["Ça va? 日本語", "Καλημέρα мир 🌍"]
