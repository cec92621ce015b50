"""Which engine serves each capability, decided once per app from AI_PROVIDER and what is configured.

`auto`: Gemini when GEMINI_API_KEY is set, else an OpenAI-compatible server when OPENAI_BASE_URL is
set, else the embedded local engines. Providers are built lazily and kept for the app's lifetime.
"""
from __future__ import annotations

import threading

from .. import errors
from ..config import Settings
from .base import Availability, ChatProvider

NOT_YET = "Not available in this version yet."


class Engines:
    def __init__(self, settings: Settings):
        self.settings = settings
        self._lock = threading.Lock()
        self._gemini_client = None
        self._gemini_rest = None  # chat's (gemini_rest.py); the SDK's client serves the rest
        self._chats: dict[str | None, ChatProvider] = {}  # one provider per model, built on first use
        self.catalog = None
        if settings.gemini_api_key:
            from .catalog import GeminiCatalog

            self.catalog = GeminiCatalog(self.gemini_client)

    @property
    def provider(self) -> str:
        s = self.settings
        if s.ai_provider != "auto":
            return s.ai_provider
        if s.gemini_api_key:
            return "gemini"
        if s.openai_base_url:
            return "openai"
        return "local"

    def gemini_client(self):
        with self._lock:
            if self._gemini_client is None:
                from .gemini import make_client

                self._gemini_client = make_client(self.settings)
            return self._gemini_client

    # --- chat ---------------------------------------------------------------------------------
    def chat_availability(self) -> Availability:
        s, provider = self.settings, self.provider
        if provider == "gemini":
            if not s.gemini_api_key:
                return Availability(False, "gemini", "AI_PROVIDER=gemini but GEMINI_API_KEY is not set.")
            return self._gemini_model("GEMINI_TEXT_MODEL", s.gemini_text_model)
        if provider == "openai":
            if not s.openai_base_url:
                return Availability(False, "openai", "AI_PROVIDER=openai but OPENAI_BASE_URL is not set.")
            return Availability(True, "openai")
        from .local import local_chat_availability

        return local_chat_availability(s)

    def chat(self, model: str | None = None, *, strict: bool = True) -> ChatProvider:
        """The chat provider for `model` (one of GET /api/models; None: the configured default). Not
        `strict`: a model no longer offered (a conversation's earlier pick) falls back to the default."""
        availability = self.chat_availability()
        if not availability.available:
            raise errors.CapabilityUnavailable(f"Chat is not available: {availability.reason}")
        if model is not None:
            from .choices import check

            try:
                check(self, model)
            except errors.InvalidRequest:
                if strict:
                    raise
                model = None
        with self._lock:
            if model not in self._chats:
                self._chats[model] = self._build_chat(availability.engine, model)
            return self._chats[model]

    def _build_chat(self, engine: str, model: str | None) -> ChatProvider:
        s = self.settings
        if engine == "gemini":
            from .gemini import GeminiChat, make_client, make_rest

            self._gemini_client = self._gemini_client or make_client(s)
            self._gemini_rest = self._gemini_rest or make_rest(s)
            return GeminiChat(self._gemini_client, self._gemini_rest, model or s.gemini_text_model)
        if engine == "openai":
            from .openai_compat import OpenAIChat

            return OpenAIChat(s, model)
        from .choices import local_path
        from .local import LocalChat

        return LocalChat(s, local_path(s, model) if model else None)

    def openai_client(self):
        """The OpenAI-compatible server's client (the default chat provider's), for listing its models."""
        return self.chat().client

    # --- other capabilities: each feature fills in its own method --------------------------------
    def vision_availability(self) -> Availability:
        # Gemini sees the image itself; the other chat engines analyse its OCR text and facts.
        chat = self.chat_availability()
        if chat.available:
            return chat
        return Availability(False, chat.engine, f"Image analysis needs a chat engine: {chat.reason}")

    def image_generation_availability(self) -> Availability:
        # No image model runs offline or behind the OpenAI-compatible provider: only Gemini draws.
        s = self.settings
        if not s.gemini_api_key:
            return Availability(False, "gemini", "Text to Image needs Google Gemini: set GEMINI_API_KEY (no image model runs offline).")
        if s.ai_provider == "local":
            return Availability(False, "gemini", "AI_PROVIDER=local keeps this server offline; set AI_PROVIDER=auto or gemini to draw with Gemini.")
        return self._gemini_model("GEMINI_IMAGE_MODEL", s.gemini_image_model)

    def _gemini_model(self, setting: str, model: str) -> Availability:
        problem = self.catalog.problem(setting, model) if self.catalog else None
        return Availability(problem is None, "gemini", problem)

    def transcription_availability(self) -> Availability:
        from ..audio.service import transcription_availability

        return transcription_availability(self.settings, self.provider)

    def transcriber(self):
        """The Voice to Text engine (503 capability_unavailable when there is none); cheap to build,
        the Whisper model itself is held once per process."""
        from ..audio.service import make_transcriber

        return make_transcriber(self)

    def ocr_availability(self) -> Availability:
        # Tesseract when installed; else Gemini's vision reads scanned pages (Render has no Tesseract).
        from ..documents.ocr import INSTALL_HINT, tesseract_problem

        s = self.settings
        problem = tesseract_problem(s.tesseract_cmd, s.ocr_languages)
        if problem is None:
            from ..documents.ocr import tesseract_info

            info = tesseract_info(s.tesseract_cmd, s.ocr_languages)  # cached: which binary, never its path
            return Availability(True, "tesseract", detail=f"{info['source']} Tesseract {info['version']}")
        if self.provider == "gemini" and s.gemini_api_key:
            return Availability(True, "gemini")
        return Availability(False, "tesseract", f"{problem} Install it ({INSTALL_HINT}) or set GEMINI_API_KEY to read scanned pages with Gemini.")

    def speech_availability(self) -> Availability:
        from ..audio.speech import speech_availability

        speech = speech_availability(self.settings, self.provider)
        if speech.available and speech.engine == "gemini":  # a retired TTS model says so, like the others
            return self._gemini_model("GEMINI_TTS_MODEL", self.settings.gemini_tts_model)
        return speech

    def pdf_export_availability(self) -> Availability:
        from ..export.fonts import font_source

        source = font_source()
        if source is None:
            return Availability(False, "reportlab", "No Unicode font found: install fonts-dejavu-core or the pymupdf-fonts package.")
        return Availability(True, "reportlab")

    # --- health -------------------------------------------------------------------------------
    def capabilities(self) -> dict[str, dict]:
        return {
            "chat": self.chat_availability().to_dict(),
            "vision": self.vision_availability().to_dict(),
            "image_generation": self.image_generation_availability().to_dict(),
            "transcription": self.transcription_availability().to_dict(),
            "ocr": self.ocr_availability().to_dict(),
            "pdf_export": self.pdf_export_availability().to_dict(),
            "speech": self.speech_availability().to_dict(),
        }

    def close(self) -> None:
        client, self._gemini_client = self._gemini_client, None
        if client is not None:
            client.close()
