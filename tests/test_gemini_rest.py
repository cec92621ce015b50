"""Chat's own client for Gemini's REST API (assistant/ai/gemini_rest.py), against the fake Gemini over real HTTP.
Failures, retries, timeouts and mid-stream cuts through the app are in test_chat_api.py; here what the client
itself must keep doing as the SDK did: reuse its connections, never reuse one left half read, honour proxies and
the trust store."""
from __future__ import annotations

import ssl

import pytest
import trustme

from assistant import errors
from assistant.ai.base import Turn
from assistant.ai.gemini import GeminiChat, make_rest
from assistant.config import DEFAULT_TEXT_MODEL, Settings
from tests.conftest import FAKE_KEY, free_port
from tests.fakes.gemini import FakeGemini, Reply


def _chat(base_url: str) -> GeminiChat:
    settings = Settings(gemini_api_key=FAKE_KEY, gemini_base_url=base_url, gemini_timeout_seconds=3)
    return GeminiChat(None, make_rest(settings), DEFAULT_TEXT_MODEL)


def _reply(chat: GeminiChat, message: str) -> str:
    return "".join(c.text or "" for c in chat.stream_chat([Turn(role="user", content=message)], None))


def test_messages_reuse_one_connection(fake_gemini):
    """A hosted model is reached over TLS: a connection per message would be a handshake per message."""
    chat = _chat(fake_gemini.url)
    assert [_reply(chat, f"hello {i}") for i in range(3)] == [f"You said: hello {i}" for i in range(3)]  # the fake echoes
    assert chat.complete([Turn(role="user", content="name it")], None) == "You said: name it"
    assert fake_gemini.connections == 1


def test_a_reply_stopped_early_does_not_leave_its_bytes_to_the_next_message(fake_gemini):
    """The person stops a reply (or leaves): the rest of that stream is still on its connection, so the connection
    must not serve the next message."""
    chat = _chat(fake_gemini.url)
    fake_gemini.push(Reply(chunks=[f"old{i} " for i in range(30)], interval=0.02))
    stream = chat.stream_chat([Turn(role="user", content="a long one")], None)
    assert next(stream).text == "old0 "
    stream.close()
    assert _reply(chat, "the next question") == "You said: the next question"
    assert fake_gemini.connections == 2


def test_chat_goes_through_the_proxy_named_in_the_environment(fake_gemini, monkeypatch):
    """Behind a corporate proxy the SDK's client used HTTP(S)_PROXY; so does chat's. Here the model's address is
    a closed port that only the proxy (the fake, which answers absolute-form requests) can stand in for."""
    unreachable = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("HTTP_PROXY", fake_gemini.url)
    assert _reply(_chat(unreachable), "through the proxy") == "You said: through the proxy"
    assert len(fake_gemini.requests) == 1

    monkeypatch.setenv("NO_PROXY", "127.0.0.1")  # the proxy skipped for that host: nothing answers there
    with pytest.raises(errors.UpstreamError):
        _reply(_chat(unreachable), "straight there")
    assert len(fake_gemini.requests) == 1


def test_tls_certificates_are_checked_against_the_trust_store(monkeypatch):
    """A gateway in front of Gemini with a company's own certificate authority: refused until SSL_CERT_FILE names
    that authority (as the SDK's client did), then answered."""
    authority = trustme.CA()
    server_side = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    authority.issue_cert("127.0.0.1").configure_cert(server_side)
    gateway = FakeGemini()
    gateway.server.socket = server_side.wrap_socket(gateway.server.socket, server_side=True)
    gateway.start()
    url = f"https://127.0.0.1:{gateway.port}"
    try:
        with pytest.raises(errors.UpstreamError):  # a certificate no trusted authority signed
            _reply(_chat(url), "hello")
        assert gateway.requests == []
        with authority.cert_pem.tempfile() as ca_file:
            monkeypatch.setenv("SSL_CERT_FILE", ca_file)
            assert _reply(_chat(url), "hello") == "You said: hello"
    finally:
        gateway.stop()
