"""Gemini's two chat calls, models.generateContent and models.streamGenerateContent, straight over its REST API
on urllib3 (ai.google.dev/api/generate-content, checked 2026-12-03: POST {base}/{version}/models/{model}:<method>,
the key in `x-goog-api-key`, `?alt=sse` for one `data: <GenerateContentResponse>` event per chunk).

Why not google-genai for these two: relaying a streamed reply cost 9.1-11.2 ms of server CPU through the SDK's
`generate_content_stream` (typed chunks), 5.9-6.5 ms through its private request methods (request building,
tenacity, httpx2, httpcore2, h11: what the app used before), and 4.3-4.9 ms with this client (bench/relay_floor.py,
200 streams at once, 2 cores): a chat's largest single cost. Everything else Gemini (models, files, images,
embeddings, speech) stays on the SDK.

Kept as the SDK does it: the same trust store (httpx2's SSL context: the system's, or SSL_CERT_FILE / SSL_CERT_DIR)
and proxies (HTTPS_PROXY / NO_PROXY), 3 attempts on connection failures, timeouts and 429/5xx before the reply
starts, with the SDK's back-off (tenacity, 0.5 s doubling to 2 s, jittered), the timeout on connecting and on every
silence, idle connections kept for the next message, and every failure raised as the SDK's exception types so that
gemini.translate_error maps them as before.
"""
from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx2
import tenacity
import urllib3
from google.genai import errors as genai_errors

from .sse import data_of_events

API_VERSION = "v1"  # what google-genai 3.6 calls by default, so chat sees the same API as before
RETRY_STATUS_CODES = frozenset({429, 500, 502, 503, 504})
# Idle connections kept for reuse: a burst of a hundred replies a worker then finds its connections open instead of
# resolving, connecting (and with Google, TLS-handshaking) most of them again: 8.4 ms of CPU a chat instead of
# 9.1-9.9 with 16 kept (200 at once, bench/chat_concurrency.py). urllib3 hands out the last one returned, with no
# scan of the others, so keeping more costs nothing per request.
KEEP_IDLE = 128


def _transient(exc: BaseException) -> bool:
    """What is worth another attempt: the service busy or failing (429/5xx), or no answer yet (refused, timed out).
    A reset or a malformed reply is not retried (the SDK did not either)."""
    if isinstance(exc, genai_errors.APIError):
        return exc.code in RETRY_STATUS_CODES
    return isinstance(exc, urllib3.exceptions.TimeoutError)  # NewConnectionError is one too in urllib3


def _pool(base_url: str) -> urllib3.PoolManager:
    parts = urlsplit(base_url)
    options = {"maxsize": KEEP_IDLE, "block": False, "ssl_context": httpx2.create_ssl_context()}
    proxy = urllib.request.getproxies().get(parts.scheme)
    if proxy and not urllib.request.proxy_bypass(parts.hostname or ""):
        return urllib3.ProxyManager(proxy, **options)
    return urllib3.PoolManager(**options)


class GeminiRest:
    def __init__(self, base_url: str, api_key: str, timeout_s: float):
        self.base = f"{base_url.rstrip('/')}/{API_VERSION}/"
        self.headers = {"Content-Type": "application/json", "x-goog-api-key": api_key}
        self.timeout = urllib3.Timeout(connect=timeout_s, read=timeout_s)
        self.pool = _pool(base_url)
        self._attempts = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(3), retry=tenacity.retry_if_exception(_transient), reraise=True,
            wait=tenacity.wait_exponential_jitter(initial=0.5, max=2.0, jitter=0.5))

    def generate(self, model: str, body: dict) -> dict:
        """models.generateContent: the whole response's JSON."""
        response = self._attempts(self._post, f"models/{model}:generateContent", body, stream=False)
        return json.loads(response.data)

    def stream(self, model: str, body: dict) -> Iterator[dict]:
        """models.streamGenerateContent: each chunk's JSON as it arrives. The request is made (and retried) before
        the first chunk is asked for; the connection goes back to the pool once the body has been read to its end,
        and is closed if the reading stops before (a failure, or the caller closing the iterator)."""
        response = self._attempts(self._post, f"models/{model}:streamGenerateContent?alt=sse", body, stream=True)
        return self._events(response)

    def _post(self, path: str, body: dict, *, stream: bool) -> urllib3.BaseHTTPResponse:
        response = self.pool.request("POST", self.base + path, body=json.dumps(body).encode(), headers=self.headers,
                                     timeout=self.timeout, retries=False, redirect=False, preload_content=not stream)
        if response.status >= 400:
            error = _error_json(response.data, response.reason)  # .data reads an error body to its end
            response.release_conn()
            genai_errors.APIError.raise_error(response.status, error, None)
        return response

    @staticmethod
    def _events(response: urllib3.BaseHTTPResponse) -> Iterator[dict]:
        finished = False
        try:
            if response.headers.get("Content-Type", "").startswith("text/event-stream"):
                for data in data_of_events(_arrived(response)):
                    yield json.loads(data)
            else:  # answered in one piece (a prompt refused outright, say), as the SDK also accepts: one chunk
                yield json.loads(response.data)
            finished = True
        finally:
            if not finished:
                response.close()  # unread bytes left on it: the connection cannot serve another request
            response.release_conn()


def _arrived(response: urllib3.BaseHTTPResponse) -> Iterator[bytes]:
    """The body as it arrives (read1: whatever is there, chunked or not), so each event is passed on at once."""
    while data := response.read1():
        yield data


def _error_json(body: bytes, reason: str | None) -> dict:
    """Google's error body ({"error": {code, message, status}}) as the SDK's APIError reads it; a proxy's page
    or an empty body becomes a message of its own."""
    try:
        parsed = json.loads(body)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict):
        return parsed
    return {"error": {"message": body.decode("utf-8", "replace")[:500] or (reason or ""), "status": reason or ""}}
