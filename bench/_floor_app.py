"""The least a streamed chat can cost on our stack, for bench/relay_floor.py: a Flask app with one route,
POST /api/chat, that answers with the same Server-Sent Events as ours (`event: delta` x 20, `event: done`) and
does nothing else: no sign-in, rate limit, database, usage, history or title. FLOOR_MODE picks where the words
come from:
- `sse`: the app itself, 50 ms apart (no upstream): Flask + gunicorn's gevent worker alone;
- `chat`: Gemini through assistant.ai.gemini.GeminiChat, the app's own streaming client (urllib3, gemini_rest.py);
- `sdk`: Gemini through google-genai's `generate_content_stream` (its request building, retries, httpx2/httpcore2/h11
  and typed chunks): what chat would cost on the SDK, by difference.
Not part of the app; gunicorn loads it with the app's gunicorn.conf.py (`--pythonpath bench`)."""
from __future__ import annotations

import json
import os
import time

from flask import Flask, Response, request

from assistant.ai import gemini
from assistant.ai.base import Turn
from assistant.config import DEFAULT_TEXT_MODEL, Settings

MODE = os.environ.get("FLOOR_MODE", "chat")
UPSTREAM = os.environ.get("GEMINI_BASE_URL", "")
app = Flask(__name__)
_state: dict = {}


def event(text: str) -> str:
    return f"event: delta\ndata: {json.dumps({'text': text}, ensure_ascii=False)}\n\n"


def own_words():
    for i in range(20):
        if i:
            time.sleep(0.05)  # gevent's sleep in a gevent worker
        yield f"word{i} "


def _settings() -> Settings:
    return Settings(gemini_api_key="bench-key", gemini_base_url=UPSTREAM)


def chat_words(message: str):
    if "chat" not in _state:  # one client per worker, as the app keeps one per app
        _state["chat"] = gemini.GeminiChat(None, gemini.make_rest(_settings()), DEFAULT_TEXT_MODEL)
    for chunk in _state["chat"].stream_chat([Turn(role="user", content=message)], None):
        if chunk.text:
            yield chunk.text


def sdk_words(message: str):
    if "client" not in _state:
        _state["client"] = gemini.make_client(_settings())
    for response in _state["client"].models.generate_content_stream(model=DEFAULT_TEXT_MODEL, contents=message):
        if response.text:
            yield response.text


SOURCES = {"sse": lambda _message: own_words(), "chat": chat_words, "sdk": sdk_words}


@app.get("/api/health")
def health():
    return {"status": "ok"}


@app.post("/api/chat")
def chat():
    words = SOURCES[MODE](request.get_json()["message"])
    first = next(words)  # as the app does: the first chunk is read before the response starts

    def sse():
        yield event(first)
        for text in words:
            yield event(text)
        yield "event: done\ndata: {}\n\n"

    return Response(sse(), mimetype="text/event-stream", headers={"Cache-Control": "no-cache"})
