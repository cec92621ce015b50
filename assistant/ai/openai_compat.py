"""Any OpenAI-compatible server (Ollama, LM Studio, vLLM, llama.cpp server, OpenAI) through
`/v1/chat/completions`, streamed, with the official `openai` SDK."""
from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator
from contextlib import ExitStack

import httpx  # the openai SDK's HTTP client
import openai

from .. import errors
from ..config import Settings
from .base import ChatProvider, Chunk, Turn, Usage
from .sse import data_of_events

log = logging.getLogger(__name__)


def translate_error(exc: BaseException) -> errors.ApiError:
    if isinstance(exc, errors.ApiError):
        return exc
    if isinstance(exc, openai.APITimeoutError):
        return errors.UpstreamTimeout("The OpenAI-compatible server took too long to answer.")
    if isinstance(exc, openai.APIConnectionError):
        return errors.UpstreamError("Could not reach the OpenAI-compatible server (check OPENAI_BASE_URL and that it is running).")
    if isinstance(exc, openai.RateLimitError):
        return errors.RateLimited("The OpenAI-compatible server is rate limiting this server. Please try again shortly.", retry_after=10)
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return errors.UpstreamError("The OpenAI-compatible server rejected the credentials (check OPENAI_API_KEY).")
    if isinstance(exc, openai.NotFoundError):
        return errors.UpstreamError("The OpenAI-compatible server does not know the model (check OPENAI_MODEL).")
    if isinstance(exc, openai.APIStatusError):
        return errors.UpstreamError(f"The OpenAI-compatible server answered with an error (HTTP {exc.status_code}).")
    log.warning("openai-compatible failure: %s", type(exc).__name__)
    return errors.UpstreamError("The OpenAI-compatible server sent a reply that could not be read.")


def _content(turn: Turn, images: bool) -> str | list[dict]:
    """Attached images as `image_url` data (vision models read them), else their OCR text and facts."""
    if not turn.files:
        return turn.content
    if not images:
        return "\n\n".join([*(f.fallback for f in turn.files if f.fallback), turn.content])
    parts: list[dict] = [{"type": "image_url", "image_url": {
        "url": f"data:{f.mime_type};base64,{base64.b64encode(f.data or b'').decode()}"}} for f in turn.files]
    return [*parts, {"type": "text", "text": turn.content}]


def _messages(turns: list[Turn], system: str | None, images: bool) -> list[dict]:
    return ([{"role": "system", "content": system}] if system else []) + \
        [{"role": t.role, "content": _content(t, images)} for t in turns]


def _events(response) -> Iterator[dict]:
    """Each `data:` event of the SSE body, parsed once, read to the end of the body. The SDK's own stream stops
    at `[DONE]` and closes a response it has not finished reading, so the connection could not go back to the
    pool: every message opened a new one (a TLS handshake with a hosted server). It also built a pydantic
    object per chunk (bench/first_byte.py --engine openai). An error sent inside the stream is raised as the
    SDK raises it."""
    for payload in data_of_events(response.iter_bytes()):
        if payload == "[DONE]":
            continue  # the end marker: what follows it is read too
        data = json.loads(payload)
        if isinstance(data, dict) and data.get("error"):
            error = data["error"]
            message = error.get("message") if isinstance(error, dict) else None
            raise openai.APIError(message=message or "An error occurred during streaming", request=response.http_request,
                                  body=error)
        yield data


class OpenAIChat(ChatProvider):
    engine = "openai"

    def __init__(self, settings: Settings, model: str | None = None):
        self.model = model or settings.openai_model
        self.refuses_images: set[str] = set()  # models that answered image parts with an error
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
        # The SDK retries connection errors, 408/409/429/5xx twice with back-off before the first byte. Its pool
        # keeps 100 idle connections and probes each one with a poll() on every request: keep fewer (as gemini.py).
        self.client = openai.OpenAI(base_url=settings.openai_base_url, api_key=key,
                                    timeout=settings.openai_timeout_seconds, max_retries=2,
                                    http_client=openai.DefaultHttpxClient(
                                        limits=httpx.Limits(max_connections=1000, max_keepalive_connections=16)))

    def stream_chat(self, turns: list[Turn], system: str | None) -> Iterator[Chunk]:
        images = any(t.files for t in turns) and self.model not in self.refuses_images
        messages = _messages(turns, system, images)
        try:
            with ExitStack() as open_response:
                try:  # the request is sent on entering: a refusal is raised here
                    response = open_response.enter_context(self._stream(messages))
                except openai.APIStatusError as exc:
                    # A model without vision answers 400 (Ollama, OpenAI) or 500 (llama.cpp server) to image parts:
                    # ask again with the images' OCR text and facts instead, and remember not to try again.
                    if not images or exc.status_code not in (400, 415, 422, 500):
                        raise
                    log.info("the OpenAI-compatible model %s refused image input (HTTP %s): sending text",
                             self.model, exc.status_code)
                    self.refuses_images.add(self.model)
                    response = open_response.enter_context(self._stream(_messages(turns, system, False)))
                usage, finished = Usage(), False
                for data in _events(response):
                    if data.get("usage"):
                        usage = Usage(data["usage"].get("prompt_tokens"), data["usage"].get("completion_tokens"))
                    for choice in data.get("choices") or []:
                        finished = finished or choice.get("finish_reason") is not None
                        if text := (choice.get("delta") or {}).get("content"):
                            yield Chunk(text=text)
            if not finished:
                raise errors.UpstreamError("The OpenAI-compatible server ended the reply early. Please try again.")
            yield Chunk(usage=usage)
        except GeneratorExit:
            raise
        except Exception as exc:  # noqa: BLE001 - every failure becomes a documented error
            raise translate_error(exc) from exc

    def _stream(self, messages: list[dict]):
        """The streamed request as the SDK sends it (auth, retries, status errors), its body read by `_events`."""
        return self.client.chat.completions.with_streaming_response.create(
            model=self.model, messages=messages, stream=True, stream_options={"include_usage": True})

    def complete(self, turns: list[Turn], system: str | None) -> str:
        # not streamed: one response to read (text only: titles and other short asks)
        try:
            reply = self.client.chat.completions.create(model=self.model, messages=_messages(turns, system, False))
        except Exception as exc:  # noqa: BLE001 - every failure becomes a documented error
            raise translate_error(exc) from exc
        return (reply.choices[0].message.content or "") if reply.choices else ""
