"""A real gunicorn process running the app with gunicorn.conf.py, for tests that need HTTP and signals."""
import os
import signal
import subprocess
import sys
import tempfile

import httpx
from httpx_sse import connect_sse

from tests.conftest import ROOT, free_port, wait_for


class Server:
    def __init__(self, env: dict):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("GEMINI", "OPENAI", "AI_PROVIDER"))}
        # The log goes to a file: an unread pipe fills up and then blocks the server on its next log line.
        self.log = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "app:app"], cwd=ROOT,
            env=clean | {"WEB_CONCURRENCY": "2"} | env | {"PORT": str(self.port)},
            stdout=self.log, stderr=subprocess.STDOUT, text=True)
        wait_for(self._healthy, timeout=60, interval=0.2)
        self.token = self._admin()

    def _admin(self) -> str | None:
        """Create the administrator over HTTP, as a person's first visit would, or sign in as it after a
        restart (None without accounts)."""
        auth = httpx.get(f"{self.url}/api/health", timeout=5).json()["auth"]
        if auth["mode"] == "none":
            return None
        route, status = ("setup", 201) if auth["setup_required"] else ("login", 200)
        resp = httpx.post(f"{self.url}/api/auth/{route}", json={"username": "admin", "password": "a test password"}, timeout=30)
        assert resp.status_code == status, resp.text
        return resp.json()["token"]

    def client(self, **kwargs) -> httpx.Client:
        """An HTTP client signed in as the administrator; a connection the server refuses or drops fails with
        the server's log in the message (why gunicorn stopped is there, not in the test)."""
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return httpx.Client(base_url=self.url, headers=headers, transport=_WithServerLog(self), **kwargs)

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read()

    def _healthy(self):
        if self.proc.poll() is not None:
            raise AssertionError(self.output())
        try:
            return httpx.get(f"{self.url}/api/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self) -> str:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=40)
        out = self.output()
        self.log.close()
        return out


class _WithServerLog(httpx.HTTPTransport):
    def __init__(self, server: "Server"):
        super().__init__()
        self.server = server

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return super().handle_request(request)
        except httpx.TransportError as exc:
            alive = "running" if self.server.proc.poll() is None else f"exited with {self.server.proc.returncode}"
            raise type(exc)(f"{exc} (server {alive}; its log:\n{self.server.output()[-4000:]})", request=request) from exc


def stream_turn(client: httpx.Client, message: str, conversation_id: str | None = None) -> tuple[str, str]:
    body = {"message": message} | ({"conversation_id": conversation_id} if conversation_id else {})
    with connect_sse(client, "POST", "/api/chat", json=body) as source:
        assert source.response.status_code == 200
        events = [(sse.event, sse.json()) for sse in source.iter_sse()]
    assert events[0][0] == "meta" and events[-1][0] == "done"
    return events[0][1]["conversation_id"], "".join(d["text"] for name, d in events if name == "delta")
