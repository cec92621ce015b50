"""The model picker: which chat models the active engine offers (`GET /api/models`), restricted by
ALLOWED_MODELS, and which one a chat uses. Gemini: this key's text models (`models.list`, cached by
the catalog); an OpenAI-compatible server: its `/v1/models`; the embedded engine: the default GGUF
plus every `*.gguf` in LOCAL_MODELS_DIR."""
from __future__ import annotations

import logging
import time
from pathlib import Path

from .. import errors

log = logging.getLogger(__name__)

# Gemini models that do not chat in text (pictures, speech, embeddings, live audio, video)
NOT_CHAT = ("image", "banana", "tts", "embedding", "live", "translate", "transcribe", "omni", "aqa", "imagen", "veo")
OPENAI_TTL_S = 60.0


def _allowed(settings) -> set[str]:
    return {m.strip() for m in settings.allowed_models.split(",") if m.strip()}


def available(engines) -> list[dict]:
    """[{"id", "engine", "label", "default"}], the default first."""
    settings, engine = engines.settings, engines.chat_availability().engine
    if engine == "gemini":
        default, offered = settings.gemini_text_model, _gemini(engines)
    elif engine == "openai":
        default, offered = settings.openai_model, _openai(engines)
    else:
        default, offered = _local(settings)
    allowed = _allowed(settings)
    ids = [default] + sorted(m for m in offered if m != default and (not allowed or m in allowed))
    labels = offered if isinstance(offered, dict) else {}
    return [{"id": m, "engine": engine, "label": labels.get(m, m), "default": m == default} for m in ids]


def check(engines, model: str) -> None:
    if model not in {m["id"] for m in available(engines)}:
        raise errors.InvalidRequest(f"model: {model[:80]!r} is not offered here; GET /api/models lists the choices.")


def _gemini(engines) -> dict[str, str]:
    known = engines.catalog.models() or engines.catalog.refresh_now() or {}
    return {m: info["label"] for m, info in known.items()
            if "generateContent" in info["methods"] and not any(word in m for word in NOT_CHAT)}


def _openai(engines) -> dict[str, str]:
    cached = getattr(engines, "_openai_models", None)
    if cached and time.monotonic() - cached[0] < OPENAI_TTL_S:
        return cached[1]
    try:
        found = {m.id: m.id for m in engines.openai_client().models.list()}
    except Exception as exc:  # noqa: BLE001 - a server without /v1/models still has its configured model
        log.warning("could not list the OpenAI-compatible server's models: %s", type(exc).__name__)
        found = {}
    engines._openai_models = (time.monotonic(), found)
    return found


def _local(settings) -> tuple[str, dict[str, str]]:
    from .local import model_path

    default = model_path(settings)
    offered = {}
    folder = settings.local_models_dir
    if folder is not None and Path(folder).is_dir():
        offered = {p.stem: p.stem for p in sorted(Path(folder).glob("*.gguf")) if p.is_file()}
    return (default.stem if default else "none"), offered


def local_path(settings, model: str) -> Path | None:
    """The GGUF behind a local model id (None: the default)."""
    default = _local(settings)[0]
    if model == default or settings.local_models_dir is None:
        return None
    return Path(settings.local_models_dir) / f"{model}.gguf"
