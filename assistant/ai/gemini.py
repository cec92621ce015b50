"""Google Gemini: chat's two calls through its REST API (gemini_rest.py, for the CPU a streamed reply costs), the
rest (models, files, images, embeddings, speech) through `google-genai` 3.x.

One `genai.Client` and one `GeminiRest` per app, kept referenced (the client's destructor closes its pool). Both
retry a few times on 429/5xx before the first byte with the same back-off; the timeout also bounds the silence
inside a stream. Their failures become our error types in `translate_error`.
"""
from __future__ import annotations

import base64
import logging
from collections.abc import Iterator
from contextlib import closing

import httpx2  # google-genai's HTTP client (its dependency; httpx's maintained fork)
from google import genai
from google.genai import errors as genai_errors
from google.genai import types

from .. import errors
from ..config import Settings
from .base import ChatProvider, Chunk, FilePart, Turn, Usage
from .catalog import missing_message
from .gemini_rest import RETRY_STATUS_CODES, GeminiRest

log = logging.getLogger(__name__)

GEMINI_API_URL = "https://generativelanguage.googleapis.com"  # the SDK's own default


def make_client(settings: Settings) -> genai.Client:
    """The SDK's client, for everything Gemini but chat (gemini_rest.py): models, files, images, embeddings, speech."""
    assert settings.gemini_api_key is not None
    http_options = types.HttpOptions(
        base_url=settings.gemini_base_url,
        # httpx's default pool is 100 connections: under a gevent worker (1,000 connections) the 101st call waited
        # for another to end. Few idle ones are kept: every request probes each one with a poll().
        client_args={"limits": httpx2.Limits(max_connections=None, max_keepalive_connections=16)},
        timeout=int(settings.gemini_timeout_seconds * 1000),  # the SDK counts milliseconds
        retry_options=types.HttpRetryOptions(
            attempts=3, initial_delay=0.5, max_delay=2.0, jitter=0.5, http_status_codes=sorted(RETRY_STATUS_CODES),
        ),
    )
    return genai.Client(api_key=settings.gemini_api_key.get_secret_value(), http_options=http_options)


def make_rest(settings: Settings) -> GeminiRest:
    """Chat's client, with the same address, key and timeout as the SDK's."""
    assert settings.gemini_api_key is not None
    return GeminiRest(settings.gemini_base_url or GEMINI_API_URL, settings.gemini_api_key.get_secret_value(),
                      settings.gemini_timeout_seconds)


def translate_error(exc: BaseException, model: tuple[str, str] | None = None) -> errors.ApiError:
    """Map an SDK/transport failure to the documented error codes. Never leaks the key or the URL.
    `model`: (setting, id) of the model called, so a 404 (a retired model) names what to change."""
    if isinstance(exc, errors.ApiError):
        return exc
    if isinstance(exc, genai_errors.APIError):
        code = exc.code or 502
        status = (exc.status or "").upper()
        if code == 429:
            return errors.RateLimited("The AI service is rate limiting this server. Please try again shortly.", retry_after=10)
        if code in (401, 403):
            return errors.UpstreamError("The AI service rejected this server's credentials (check GEMINI_API_KEY).")
        if code == 400 and "SAFETY" in str(exc.details).upper():
            return errors.ContentBlocked()
        if code == 400:
            return errors.UpstreamError("The AI service could not process this request.")
        if code == 404:
            if model is not None:
                return errors.UpstreamError(missing_message(*model, None) + " /api/health lists the models this key can use.")
            return errors.UpstreamError("The configured Gemini model was not found (check GEMINI_TEXT_MODEL / GEMINI_IMAGE_MODEL).")
        if code == 503 or status == "UNAVAILABLE":
            return errors.UpstreamError("The AI service is overloaded or unavailable right now. Please try again shortly.")
        if code == 504 or status == "DEADLINE_EXCEEDED":
            return errors.UpstreamTimeout()
        return errors.UpstreamError()
    name = type(exc).__name__
    if "Timeout" in name:
        return errors.UpstreamTimeout()
    # connection refused/reset, broken chunked encoding, malformed JSON in the stream, …
    log.warning("gemini transport failure: %s", name)
    return errors.UpstreamError("The connection to the AI service failed. Please try again.")


# finishReason values that mean the safety filter stopped the reply
BLOCKED_FINISH_REASONS = frozenset({"SAFETY", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII", "IMAGE_SAFETY"})


def block_reason(response: types.GenerateContentResponse) -> str | None:
    return _block_reason(_as_json(response))


def usage_of(response: types.GenerateContentResponse) -> Usage | None:
    return _usage(_as_json(response))


def _as_json(response: types.GenerateContentResponse) -> dict:
    """A typed response as the REST JSON it came from (content left out: never needed here), so one
    reading of block reasons and usage serves typed responses and raw streamed chunks alike."""
    return response.model_dump(mode="json", by_alias=True, exclude_none=True,
                               exclude={"candidates": {"__all__": {"content"}}, "sdk_http_response": True})


def _block_reason(data: dict) -> str | None:
    reason = (data.get("promptFeedback") or {}).get("blockReason")
    if reason:
        return str(reason)
    for candidate in data.get("candidates") or []:
        if candidate.get("finishReason") in BLOCKED_FINISH_REASONS:
            return candidate["finishReason"]
    return None


def _usage(data: dict) -> Usage | None:
    meta = data.get("usageMetadata")
    if not meta:
        return None
    return Usage(input_tokens=meta.get("promptTokenCount"), output_tokens=meta.get("candidatesTokenCount"))


def file_part(f: FilePart) -> dict:
    """An attachment as the model sees it: inline bytes, or a Files API uri (above the inline limit)."""
    if f.uri:
        return {"fileData": {"mimeType": f.mime_type, "fileUri": f.uri}}
    return {"inlineData": {"mimeType": f.mime_type, "data": base64.b64encode(f.data or b"").decode()}}


class GeminiChat(ChatProvider):
    """Chat on Gemini's REST API (gemini_rest.py: why not the SDK for these two calls), each chunk's JSON read
    directly: block reasons, usage and text as the SDK's typed response would give them."""

    engine = "gemini"

    def __init__(self, client: genai.Client, rest: GeminiRest, model: str):
        self.client = client  # the SDK's: attachments too large to send inline go up through its Files API
        self.rest = rest
        self.model = model

    def stream_chat(self, turns: list[Turn], system: str | None) -> Iterator[Chunk]:
        try:
            usage, finished = None, False
            with closing(self.rest.stream(self.model, _body(turns, system))) as responses:  # closed at once if we stop early
                for response in responses:
                    if "error" in response:  # an error sent inside the stream, raised as the SDK raises it
                        genai_errors.APIError.raise_error((response["error"] or {}).get("code") or 500, response, None)
                    _refuse_blocked(response)
                    usage = _usage(response) or usage
                    finished = finished or any(c.get("finishReason") for c in response.get("candidates") or [])
                    text = _text(response)
                    if text:
                        yield Chunk(text=text)
            if not finished:  # the connection closed cleanly but the model never said it was done
                raise errors.UpstreamError("The AI service ended the reply early. Please try again.")
            yield Chunk(usage=usage)
        except GeneratorExit:
            raise
        except Exception as exc:  # noqa: BLE001 - every failure becomes a documented error
            raise translate_error(exc, ("GEMINI_TEXT_MODEL", self.model)) from exc

    def complete(self, turns: list[Turn], system: str | None) -> str:
        # models.generateContent: the same body, one JSON response (no chunks to read one by one)
        try:
            response = self.rest.generate(self.model, _body(turns, system))
            _refuse_blocked(response)
            return _text(response)
        except Exception as exc:  # noqa: BLE001 - every failure becomes a documented error
            raise translate_error(exc, ("GEMINI_TEXT_MODEL", self.model)) from exc


def _body(turns: list[Turn], system: str | None) -> dict:
    """The REST body of models.generateContent / streamGenerateContent (ai.google.dev/api/generate-content)."""
    body: dict = {"contents": [
        {"role": "model" if t.role == "assistant" else "user", "parts": [*map(file_part, t.files), {"text": t.content}]}
        for t in turns
    ]}
    if system:
        body["systemInstruction"] = {"parts": [{"text": system}]}
    return body


def _refuse_blocked(response: dict) -> None:
    blocked = _block_reason(response)
    if blocked:
        raise errors.ContentBlocked(f"The model's safety filter refused this request ({blocked}).")


def _text(response: dict) -> str:
    """Like the SDK's `.text`: the first candidate's text parts."""
    candidates = response.get("candidates") or []
    parts = ((candidates[0].get("content") or {}).get("parts") or []) if candidates else []
    return "".join(p.get("text", "") for p in parts)
