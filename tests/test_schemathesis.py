"""Property-based checks of the whole API against its own /api/openapi.json with schemathesis, run against a
real gunicorn: a few hundred generated requests at most; no 5xx, and every response matches the documented
schema, status codes and content types."""
import subprocess
import sys

from tests.conftest import ROOT
from tests.live_server import Server

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


def test_api_conforms_to_its_own_openapi_document(server_env, tmp_path):
    server = Server(server_env)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "schemathesis.cli", "run", f"{server.url}/api/openapi.json", "--checks", CHECKS,
             "--max-examples", "5", "--workers", "2", "--request-timeout", "30", "--no-color"],
            cwd=ROOT, capture_output=True, text=True, timeout=280)
    finally:
        server.stop()
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
