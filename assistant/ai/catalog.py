"""Which Gemini models this key can use: `models.list`, fetched in the background and cached, so that a
retired default is explained ("GEMINI_TEXT_MODEL=gemini-x is not offered to this key; it can use …")
instead of failing every chat with a vague upstream error. Never blocks start-up or /api/health: until
the first answer arrives (or when it fails) nothing is claimed about the models.
"""
from __future__ import annotations

import logging
import threading
import time

log = logging.getLogger(__name__)

TTL_S = 600.0  # Google adds and retires models over weeks; ten minutes is fresh enough
RETRY_S = 30.0  # after a failed fetch


class GeminiCatalog:
    def __init__(self, client_factory, clock=time.monotonic):
        self._client_factory = client_factory
        self._clock = clock
        self._lock = threading.Lock()
        self._models: dict[str, dict] | None = None
        self._fetched_at = float("-inf")
        self._fetching = False

    def models(self) -> dict[str, dict] | None:
        """{id: {"label", "methods"}} as last fetched, or None if not known yet; refreshes in the background."""
        with self._lock:
            stale = self._clock() - self._fetched_at > (TTL_S if self._models is not None else RETRY_S)
            if stale and not self._fetching:
                self._fetching = True
                threading.Thread(target=self._fetch, name="gemini-models", daemon=True).start()
            return self._models

    def refresh_now(self) -> dict[str, dict] | None:
        """Fetch in this thread (GET /api/models wants an answer, not a promise)."""
        self._fetch()
        return self._models

    def _fetch(self) -> None:
        try:
            found = {}
            for model in self._client_factory().models.list(config={"page_size": 200}):
                model_id = (model.name or "").removeprefix("models/")
                if model_id:
                    found[model_id] = {"label": model.display_name or model_id,
                                       "methods": list(model.supported_actions or [])}
            with self._lock:
                self._models, self._fetched_at = found, self._clock()
        except Exception as exc:  # noqa: BLE001 - the list is advice; chat itself will say what is wrong
            log.warning("could not list this key's Gemini models: %s", type(exc).__name__)
            with self._lock:
                self._fetched_at = self._clock()
        finally:
            with self._lock:
                self._fetching = False

    def problem(self, setting: str, model: str) -> str | None:
        """Why `model` (the value of `setting`) cannot be used with this key, or None when it can (or we do not know)."""
        known = self.models()
        if known is None or model in known:
            return None
        return missing_message(setting, model, known)


def missing_message(setting: str, model: str, known: dict[str, dict] | None) -> str:
    hint = ""
    if known:
        usable = sorted(m for m, info in known.items() if "generateContent" in info["methods"])
        hint = f" This key can use: {', '.join(usable[:12])}{' …' if len(usable) > 12 else ''}."
    return (f"{setting}={model} is not offered to this GEMINI_API_KEY (retired or misspelled). "
            f"Set {setting} to a current model and restart.{hint}")
