"""The Gemini key lives only on the server: never in a response, a log line or the built JavaScript."""
import logging
import os
import shutil
import subprocess

import pytest

from tests.conftest import ROOT
from tests.fakes.gemini import Reply

SENTINEL = "sentinel-key-7f3a9c-never-shown"


def test_key_in_no_response_and_no_log_line(make_app, fake_gemini, caplog):
    client = make_app(gemini_api_key=SENTINEL, log_level="DEBUG").test_client()
    fake_gemini.push(Reply(error=401))
    with caplog.at_level(logging.DEBUG):
        responses = [
            client.get("/api/health"), client.get("/api/openapi.json"), client.get("/api/conversations"),
            client.post("/api/chat", json={"message": "hello"}),  # 401 upstream: the key is rejected
            client.post("/api/chat", json={"message": "hello"}),
            client.post("/api/chat", json={"message": "hi"}, headers={"Accept": "text/event-stream"}),
            client.get("/api/dashboard?range=24h"), client.get("/metrics"), client.get("/api/nope"),
            client.post("/api/image/generate", json={"prompt": "a cat"}),
        ]
    assert fake_gemini.requests[0]["headers"]["x-goog-api-key"] == SENTINEL  # it was used…
    for response in responses:  # …and never shown
        assert SENTINEL not in response.get_data(as_text=True)
        assert SENTINEL not in str(response.headers)
    assert SENTINEL not in caplog.text


def test_key_not_in_the_built_javascript(tmp_path):
    app_dir = ROOT / "react-app"
    if not (app_dir / "node_modules").is_dir() or shutil.which("npm") is None:
        if os.environ.get("CI"):
            pytest.fail("react-app/node_modules is missing: scripts/setup.sh installs it")
        pytest.skip("npm packages not installed")
    out = tmp_path / "build"
    env = {**os.environ, "GEMINI_API_KEY": SENTINEL, "REACT_APP_API_URL": "https://api.example.com"}
    subprocess.run(["npx", "vite", "build", "--outDir", str(out), "--emptyOutDir"], cwd=app_dir, env=env,
                   check=True, capture_output=True, timeout=300)
    built = "".join(p.read_text(errors="ignore") for p in out.rglob("*") if p.is_file())
    assert "https://api.example.com" in built  # the build did read the environment…
    assert SENTINEL not in built  # …but only REACT_APP_/VITE_ variables
