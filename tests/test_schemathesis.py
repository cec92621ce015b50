"""Property-based checks of the whole API against its own /api/openapi.json with schemathesis, run against a
real gunicorn, signed in as the administrator (with a personal API token, which sign-out does not end):
well over 1,000 generated requests; no 5xx, and every response matches the documented schema, status codes
and content types."""
import re
import subprocess
import sys

from tests.conftest import ROOT
from tests.live_server import Server

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


def test_api_conforms_to_its_own_openapi_document(server_env, tmp_path):
    server = Server(server_env | {"LOGIN_RATE_LIMIT_ACCOUNT": "1000/minute", "LOGIN_RATE_LIMIT_IP": "1000/minute"})
    try:
        with server.client(timeout=30) as client:
            token = client.post("/api/auth/tokens", json={"name": "schemathesis"}).json()["token"]
        result = subprocess.run(
            [sys.executable, "-m", "schemathesis.cli", "run", f"{server.url}/api/openapi.json", "--checks", CHECKS,
             "--header", f"Authorization: Bearer {token}", "--max-examples", "45", "--workers", "2",
             "--request-timeout", "30", "--no-color", "--seed", "1"],
            cwd=ROOT, capture_output=True, text=True, timeout=400)
    finally:
        server.stop()
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    found = re.search(r"(\d+) generated, (\d+) passed", result.stdout)
    assert found and int(found[1]) >= 1000 and found[1] == found[2], result.stdout[-3000:]
