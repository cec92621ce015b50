"""Retrieval fixtures: an offline app on SQLite and on PostgreSQL."""
from __future__ import annotations

import pytest


@pytest.fixture
def offline_app(make_app, db_url):
    return make_app(database_url=db_url, gemini_api_key=None, ai_provider="local")
