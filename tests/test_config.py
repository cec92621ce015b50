"""Configuration: typed and validated; a bad value stops start-up with one line naming it."""
import os
import subprocess
import sys

import pytest

from assistant.config import ConfigError, Settings, load_settings
from tests.conftest import ROOT


def start(env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k.upper() not in {n.upper() for n in Settings.model_fields}}
    return subprocess.run([sys.executable, "-c", "import app"], cwd=ROOT, env=clean | env,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    ("name", "value"),
    [("MAX_UPLOAD_MB", "lots"), ("PORT", "70000"), ("AI_PROVIDER", "magic"), ("GEMINI_BASE_URL", "ftp://x"),
     ("LOG_LEVEL", "loud")],
)
def test_bad_value_stops_startup_with_one_line_naming_it(name, value, tmp_path):
    result = start({name: value, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert name in lines[0]


def test_secret_values_are_not_echoed(monkeypatch):
    monkeypatch.setenv("APP_ACCESS_TOKEN", "")
    monkeypatch.setenv("GEMINI_API_KEY", "x" * 10)
    monkeypatch.setenv("GEMINI_TIMEOUT_SECONDS", "-1")
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert "GEMINI_TIMEOUT_SECONDS" in info.value.message and "xxxxxxxxxx" not in info.value.message


def test_defaults_and_url_normalisation(tmp_path):
    settings = Settings()
    assert settings.port == 5000 and settings.ai_provider == "auto" and settings.gemini_api_key is None
    assert settings.sqlalchemy_url(tmp_path).startswith("sqlite:///")
    render = Settings(database_url="postgres://u:p@host:5432/db")
    assert render.sqlalchemy_url(tmp_path) == "postgresql+psycopg://u:p@host:5432/db"
    assert Settings(allowed_origins="https://a.example/, https://b.example").origins == ["https://a.example", "https://b.example"]
