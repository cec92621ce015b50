"""The real thing: gunicorn with gunicorn.conf.py, streamed chats over HTTP, a restart, a client that leaves."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from httpx_sse import connect_sse

from tests.conftest import FAKE_KEY, ROOT, free_port, wait_for
from tests.fakes.gemini import Reply


class Server:
    def __init__(self, env: dict):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("GEMINI", "OPENAI", "AI_PROVIDER"))}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "app:app"], cwd=ROOT,
            env=clean | env | {"PORT": str(self.port), "WEB_CONCURRENCY": "2"},
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        wait_for(self._healthy, timeout=60, interval=0.2)

    def _healthy(self):
        if self.proc.poll() is not None:
            raise AssertionError(self.proc.stdout.read())
        try:
            return httpx.get(f"{self.url}/api/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self) -> str:
        self.proc.send_signal(signal.SIGTERM)
        out, _ = self.proc.communicate(timeout=40)
        return out


@pytest.fixture
def server_env(fake_gemini, tmp_path):
    return {"GEMINI_API_KEY": FAKE_KEY, "GEMINI_BASE_URL": fake_gemini.url, "GEMINI_TIMEOUT_SECONDS": "5",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'server.db'}"}


def stream_turn(client: httpx.Client, message: str, conversation_id: str | None = None) -> tuple[str, str]:
    body = {"message": message} | ({"conversation_id": conversation_id} if conversation_id else {})
    with connect_sse(client, "POST", "/api/chat", json=body) as source:
        assert source.response.status_code == 200
        events = [(sse.event, sse.json()) for sse in source.iter_sse()]
    assert events[0][0] == "meta" and events[-1][0] == "done"
    return events[0][1]["conversation_id"], "".join(d["text"] for name, d in events if name == "delta")


def test_three_turn_stream_listed_and_kept_across_a_restart(server_env, fake_gemini):
    server = Server(server_env)
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            cid, first = stream_turn(client, "Hello, I am Ada.")
            stream_turn(client, "What is my name?", cid)
            _, third = stream_turn(client, "Thanks!", cid)
            assert first == "You said: Hello, I am Ada." and third == "You said: Thanks!"
            assert len(fake_gemini.requests[-1]["body"]["contents"]) == 5
    finally:
        log = server.stop()
    assert "Hello, I am Ada" not in log  # prompts never reach the logs
    assert FAKE_KEY not in log

    server = Server(server_env)
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            listed = client.get("/api/conversations").json()["conversations"]
            assert [(c["id"], c["message_count"]) for c in listed] == [(cid, 6)]
            messages = client.get(f"/api/conversations/{cid}").json()["messages"]
            assert [m["content"] for m in messages][-2:] == ["Thanks!", "You said: Thanks!"]
    finally:
        server.stop()


def test_client_gone_mid_stream_keeps_the_partial_reply(server_env, fake_gemini):
    fake_gemini.push(Reply(chunks=[f"w{i} " for i in range(40)], interval=0.1))
    server = Server(server_env)
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            with connect_sse(client, "POST", "/api/chat", json={"message": "long story"}) as source:
                events = source.iter_sse()
                cid = next(events).json()["conversation_id"]
                next(events), next(events)  # two deltas, then the user closes the tab

            def saved_partial():
                messages = client.get(f"/api/conversations/{cid}").json()["messages"]
                return messages if len(messages) == 2 else None

            messages = wait_for(saved_partial, timeout=15)
            assert messages[1]["status"] == "incomplete"
            assert messages[1]["content"].startswith("w0 w1 ") and len(messages[1]["content"].split()) < 40
            # the server is still healthy and answers the next chat
            assert client.post("/api/chat", json={"message": "still there?"}).status_code == 200
    finally:
        server.stop()
