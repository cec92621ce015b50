"""Embedded offline chat engine (llama.cpp). Filled in by the local-engine work (#3)."""
from __future__ import annotations

from ..config import Settings
from .base import Availability


def local_chat_availability(settings: Settings) -> Availability:
    return Availability(False, "local", "No GEMINI_API_KEY or OPENAI_BASE_URL is set, and the embedded engine is not installed yet.")
