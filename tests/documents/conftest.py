"""Upload tests: every app gets its own UPLOAD_DIR, which must be empty after each test."""
from __future__ import annotations

import functools

import pytest


@pytest.fixture
def upload_dir(tmp_path):
    folder = tmp_path / "uploads"
    yield folder
    left = sorted(p.name for p in folder.rglob("*")) if folder.exists() else []
    assert left == [], f"files left in uploads/: {left}"


@pytest.fixture
def make_upload_app(make_app, upload_dir):
    return functools.partial(make_app, upload_dir=upload_dir)


@pytest.fixture
def offline_app(make_upload_app):
    return make_upload_app(gemini_api_key=None, ai_provider="local")
