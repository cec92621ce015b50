"""Upload tests: every app gets its own UPLOAD_DIR, which must be empty after each test."""
from __future__ import annotations

import functools

import pytest


@pytest.fixture
def make_upload_app(make_app, upload_dir):
    return functools.partial(make_app, upload_dir=upload_dir)


@pytest.fixture
def offline_app(make_upload_app):
    return make_upload_app(gemini_api_key=None, ai_provider="local")
