"""Deploy files: render.yaml obeys the Blueprint rules, its build and start commands work in a clean
virtualenv, and the GitHub workflow runs README's test command."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import httpx
import jsonschema
import pytest
import yaml

from tests.conftest import ROOT, free_port, wait_for

SCHEMA = json.loads((Path(__file__).parent / "render_blueprint.schema.json").read_text())


@pytest.fixture(scope="module")
def blueprint():
    return yaml.safe_load((ROOT / "render.yaml").read_text())


def service(blueprint, runtime):
    return next(s for s in blueprint["services"] if s.get("runtime") == runtime)


def env(svc):
    return {e["key"]: e for e in svc.get("envVars", [])}


def test_blueprint_matches_the_schema(blueprint):
    jsonschema.validate(blueprint, SCHEMA)


def test_schema_catches_mistakes(blueprint):
    broken = json.loads(json.dumps(blueprint))
    service(broken, "static")["startCommand"] = "npm start"  # static sites have no start command
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, SCHEMA)


def test_api_service(blueprint):
    api = service(blueprint, "python")
    assert api["startCommand"] == "gunicorn -c gunicorn.conf.py app:app"
    assert api["buildCommand"] == "pip install -r requirements.txt"
    assert api["healthCheckPath"] == "/api/health" and api["autoDeployTrigger"] == "checksPass"
    variables = env(api)
    version = variables["PYTHON_VERSION"]["value"]
    assert re.fullmatch(r"3\.\d+\.\d+", version)
    assert (ROOT / ".python-version").read_text().strip() == version
    assert (ROOT / "runtime.txt").read_text().strip() == f"python-{version}"
    assert variables["GEMINI_API_KEY"] == {"key": "GEMINI_API_KEY", "sync": False}
    assert variables["DATABASE_URL"]["fromDatabase"]["property"] == "connectionString"
    assert variables["RATELIMIT_STORAGE_URI"]["fromService"]["type"] == "keyvalue"
    # a public URL: the first administrator needs a code only the deployment's owner can read
    assert variables["SETUP_CODE"] == {"key": "SETUP_CODE", "generateValue": True}
    assert variables["SIGNUP"]["value"] == "invite" and "AUTH_MODE" not in variables
    web = service(blueprint, "static")
    web_origin = f"https://{web['name']}.onrender.com"
    assert variables["ALLOWED_ORIGINS"]["value"] == web_origin


def test_static_site(blueprint):
    web = service(blueprint, "static")
    assert web["staticPublishPath"] == "react-app/build" and "npm ci" in web["buildCommand"]
    api_url = env(web)["REACT_APP_API_URL"]["value"]
    assert urlparse(api_url).hostname == f"{service(blueprint, 'python')['name']}.onrender.com"
    assert {"type": "rewrite", "source": "/*", "destination": "/index.html"} in web["routes"]
    headers = {(h["path"], h["name"]): h["value"] for h in web["headers"]}
    csp = headers[("/*", "Content-Security-Policy")]
    connect = re.search(r"connect-src ([^;]+)", csp).group(1).split()
    assert set(connect) == {"'self'", api_url}  # only the API origin
    assert "immutable" in headers[("/assets/*", "Cache-Control")]
    assert headers[("/index.html", "Cache-Control")] == "no-cache"


def test_workflow_runs_readme_test_command():
    workflow = yaml.safe_load((ROOT / ".github/workflows/ci.yml").read_text())
    steps = workflow["jobs"]["test"]["steps"]
    commands = [s.get("run", "") for s in steps]
    readme = (ROOT / "README.md").read_text()
    run_command, test_command = re.findall(r"```bash\n(.*?)\n```", readme, re.S)[:2]  # README opens with these two
    assert run_command == "scripts/run.sh" and test_command == "scripts/test.sh"
    assert "scripts/test.sh" in commands
    assert "scripts/test.sh" in (ROOT / ".ci/run").read_text()


def test_render_build_and_start_commands_in_a_clean_virtualenv(tmp_path, blueprint):
    """What Render runs: `pip install -r requirements.txt`, then the start command; health must answer."""
    api = service(blueprint, "python")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    path = f"{venv / 'bin'}:{os.environ['PATH']}"
    base = {k: v for k, v in os.environ.items() if not k.startswith(("GEMINI", "OPENAI", "AI_PROVIDER", "VIRTUAL_ENV", "PYTHON"))}
    run_env = base | {"PATH": path, "PORT": str(free_port()), "DATABASE_URL": f"sqlite:///{tmp_path}/render.db"}
    subprocess.run(api["buildCommand"], shell=True, cwd=ROOT, env=run_env, check=True, capture_output=True, timeout=600)
    proc = subprocess.Popen(api["startCommand"], shell=True, cwd=ROOT, env=run_env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        def healthy():
            try:
                return httpx.get(f"http://127.0.0.1:{run_env['PORT']}/api/health", timeout=2).json()
            except (httpx.HTTPError, ValueError):
                return None

        health = wait_for(healthy, timeout=60, interval=0.5)
        assert health["status"] == "ok"
        # Render's runtime has no llama.cpp: health says why chat is off instead of pretending
        assert health["capabilities"]["chat"]["available"] is False and health["capabilities"]["chat"]["reason"]
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(30)
