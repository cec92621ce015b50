"""POST /api/chat through the real google-genai SDK talking to the fake Gemini over HTTP."""
import time

import pytest

from tests.fakes.gemini import Reply
from tests.sse import parse_sse
from tests.test_errors import assert_envelope

SSE = {"Accept": "text/event-stream"}


def stream(client, **body):
    response = client.post("/api/chat", json=body, headers=SSE)
    assert response.status_code == 200
    assert response.mimetype == "text/event-stream"
    return parse_sse(response.get_data(as_text=True))


def test_json_reply(client, fake_gemini):
    fake_gemini.push(Reply(chunks=["Hello ", "there!"], usage=(5, 2)))
    response = client.post("/api/chat", json={"message": "Hi"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["message"]["role"] == "assistant" and body["message"]["content"] == "Hello there!"
    assert body["engine"] == "gemini" and body["usage"] == {"input_tokens": 5, "output_tokens": 2}
    assert len(body["conversation_id"]) == 32
    sent = fake_gemini.requests[-1]
    assert sent["path"].endswith("/models/gemini-3.8-flash:streamGenerateContent")
    assert sent["headers"]["x-goog-api-key"] == "test-key-for-the-fake"


def test_streamed_reply_arrives_as_meta_deltas_done(client, fake_gemini):
    fake_gemini.push(Reply(chunks=["One ", "two ", "three."], usage=(3, 3)))
    events = stream(client, message="Count")
    names = [name for name, _ in events]
    assert names == ["meta", "delta", "delta", "delta", "done"]
    assert "".join(data["text"] for name, data in events if name == "delta") == "One two three."
    conversation_id = events[0][1]["conversation_id"]
    done = events[-1][1]
    assert done["usage"] == {"input_tokens": 3, "output_tokens": 3}
    saved = client.get(f"/api/conversations/{conversation_id}").get_json()
    assert [(m["role"], m["content"], m["status"]) for m in saved["messages"]] == [
        ("user", "Count", "complete"), ("assistant", "One two three.", "complete")]
    assert saved["messages"][1]["id"] == done["message_id"]


def test_three_turns_send_the_history_and_the_system_prompt(client, fake_gemini):
    first = stream(client, message="My name is Ada.", system="Answer in one sentence.")
    conversation_id = first[0][1]["conversation_id"]
    stream(client, message="What is my name?", conversation_id=conversation_id)
    stream(client, message="Spell it.", conversation_id=conversation_id)
    body = fake_gemini.requests[-1]["body"]
    assert [(c["role"], c["parts"][0]["text"]) for c in body["contents"]] == [
        ("user", "My name is Ada."), ("model", "You said: My name is Ada."),
        ("user", "What is my name?"), ("model", "You said: What is my name?"),
        ("user", "Spell it."),
    ]
    assert body["systemInstruction"]["parts"][0]["text"] == "Answer in one sentence."
    listed = client.get("/api/conversations").get_json()["conversations"]
    assert listed[0]["id"] == conversation_id and listed[0]["message_count"] == 6
    assert listed[0]["title"] == "My name is Ada."


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "message"),
        ({"message": ""}, "message"),
        ({"message": "   "}, "message"),
        ({"message": 42}, "message"),
        ({"message": "hi", "conversation_id": "../../etc"}, "conversation_id"),
        ({"message": "hi", "system": "x" * 8001}, "system"),
        ({"message": "hi", "temperature": 2}, "temperature"),
    ],
)
def test_validation_errors_name_the_field(client, fake_gemini, body, field):
    response = client.post("/api/chat", json=body)
    payload = assert_envelope(response, 400, "invalid_request")
    assert payload["error"]["message"].startswith(field)
    assert payload["error"]["details"][0]["field"] == field
    assert fake_gemini.requests == []


def test_a_malformed_conversation_id_is_explained_in_words(client):
    payload = assert_envelope(client.post("/api/chat", json={"message": "hi", "conversation_id": "nope"}), 400, "invalid_request")
    assert payload["error"]["message"] == "conversation_id: this is not a conversation id (32 lowercase hex characters)."


def test_message_over_the_configured_limit(make_app, fake_gemini):
    client = make_app(max_message_chars=100).test_client()
    payload = assert_envelope(client.post("/api/chat", json={"message": "x" * 101}), 400, "invalid_request")
    assert "MAX_MESSAGE_CHARS" in payload["error"]["message"]


def test_unknown_conversation_is_404(client):
    assert_envelope(client.post("/api/chat", json={"message": "hi", "conversation_id": "0" * 32}), 404, "not_found")


@pytest.mark.parametrize(
    ("replies", "status", "code"),
    [
        ([Reply(error=429)] * 3, 429, "rate_limited"),
        ([Reply(error=500)] * 3, 502, "upstream_error"),
        ([Reply(error=503)] * 3, 502, "upstream_error"),
        ([Reply(error=400)], 502, "upstream_error"),
        ([Reply(error=403)], 502, "upstream_error"),
        ([Reply(error=404)], 502, "upstream_error"),
        ([Reply(reset=True)], 502, "upstream_error"),
        ([Reply(malformed=True)], 502, "upstream_error"),
        ([Reply(first_byte_delay=4)] * 3, 504, "upstream_timeout"),
        ([Reply(block_reason="SAFETY")], 422, "content_blocked"),
    ],
)
def test_upstream_failures_map_to_documented_codes(client, fake_gemini, replies, status, code):
    fake_gemini.push(*replies)
    started = time.monotonic()
    response = client.post("/api/chat", json={"message": "hello"})
    elapsed = time.monotonic() - started
    assert_envelope(response, status, code)
    assert elapsed < 15  # bounded: 3 attempts x 3 s timeout + short back-off at most
    if status == 429:
        assert int(response.headers["Retry-After"]) > 0
    # The user's message was saved before the model was called; nothing pretends to be a reply.
    conversation = client.get("/api/conversations").get_json()["conversations"][0]
    messages = client.get(f"/api/conversations/{conversation['id']}").get_json()["messages"]
    assert [m["role"] for m in messages] == ["user"]


def test_retry_before_first_byte_recovers(client, fake_gemini):
    fake_gemini.push(Reply(error=503), Reply(error=429), Reply(chunks=["ok"]))
    response = client.post("/api/chat", json={"message": "hello"})
    assert response.status_code == 200 and response.get_json()["message"]["content"] == "ok"
    assert len(fake_gemini.requests) == 3


def test_no_retry_for_client_errors(client, fake_gemini):
    fake_gemini.push(Reply(error=400))
    client.post("/api/chat", json={"message": "hello"})
    assert len(fake_gemini.requests) == 1


@pytest.mark.parametrize(
    ("reply", "code"),
    [
        (Reply(chunks=["Partial ", "answer ", "lost"], reset_after=2), "upstream_error"),
        (Reply(chunks=["Partial ", "answer ", "lost"], stall_after=2, stall_seconds=5), "upstream_timeout"),
        (Reply(chunks=["Partial ", "answer ", "lost"], stall_after=2, stall_seconds=0), "upstream_error"),
        # the safety filter stops the reply: its last chunk carries finishReason SAFETY
        (Reply(chunks=["Partial ", "answer ", "lost"], finish_reason="SAFETY"), "content_blocked"),
    ],
)
def test_failure_mid_stream_is_an_error_event_and_the_partial_is_saved(client, fake_gemini, reply, code):
    fake_gemini.push(reply)
    events = stream(client, message="Tell me")
    names = [name for name, _ in events]
    assert names == ["meta", "delta", "delta", "error"]
    assert events[-1][1]["error"]["code"] == code
    conversation_id = events[0][1]["conversation_id"]
    messages = client.get(f"/api/conversations/{conversation_id}").get_json()["messages"]
    assert [(m["role"], m["content"], m["status"]) for m in messages] == [
        ("user", "Tell me", "complete"), ("assistant", "Partial answer ", "incomplete")]


def test_error_before_the_first_byte_of_a_stream_is_the_http_status(client, fake_gemini):
    fake_gemini.push(*[Reply(error=500)] * 3)
    response = client.post("/api/chat", json={"message": "hello"}, headers=SSE)
    assert_envelope(response, 502, "upstream_error")
    saved = client.get(f"/api/conversations/{response.headers['X-Conversation-Id']}").get_json()
    assert [m["content"] for m in saved["messages"]] == ["hello"]


def test_no_key_and_no_engine_is_503(make_app, tmp_path):
    client = make_app(gemini_api_key=None, ai_provider="local", local_llm_model=tmp_path / "missing.gguf").test_client()
    payload = assert_envelope(client.post("/api/chat", json={"message": "hi"}), 503, "capability_unavailable")
    chat = client.get("/api/health").get_json()["capabilities"]["chat"]
    assert chat["available"] is False and chat["reason"]
    assert chat["reason"] in payload["error"]["message"]
