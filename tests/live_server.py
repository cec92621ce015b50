"""A real gunicorn process running the app with gunicorn.conf.py, for tests that need HTTP and signals."""
import os
import signal
import subprocess
import sys

import httpx
from httpx_sse import connect_sse

from tests.conftest import ROOT, free_port, wait_for


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


def stream_turn(client: httpx.Client, message: str, conversation_id: str | None = None) -> tuple[str, str]:
    body = {"message": message} | ({"conversation_id": conversation_id} if conversation_id else {})
    with connect_sse(client, "POST", "/api/chat", json=body) as source:
        assert source.response.status_code == 200
        events = [(sse.event, sse.json()) for sse in source.iter_sse()]
    assert events[0][0] == "meta" and events[-1][0] == "done"
    return events[0][1]["conversation_id"], "".join(d["text"] for name, d in events if name == "delta")
