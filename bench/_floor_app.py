"""The least a streamed chat can cost on our stack, for bench/relay_floor.py: a Flask app with one route,
POST /api/chat, that answers with the same Server-Sent Events as ours (`event: delta` x 20, `event: done`) and
does nothing else: no sign-in, rate limit, database, usage, history or title. FLOOR_MODE picks where the words
come from:
- `sse`: the app itself, 50 ms apart (no upstream): Flask + gunicorn's gevent worker alone;
- `sdk`: Gemini through assistant.ai.gemini.GeminiChat, the app's own streaming path on google-genai's client;
- `urllib3`: the same REST call and the same SSE lines read with urllib3, without google-genai (its request
  building, retries and httpx2/httpcore2/h11): what the SDK's machinery costs, by difference.
Not part of the app; gunicorn loads it with the app's gunicorn.conf.py (`--pythonpath bench`)."""
from __future__ import annotations

import json
import os
import time

import urllib3
from flask import Flask, Response, request

from assistant.ai import gemini
from assistant.ai.base import Turn
from assistant.config import DEFAULT_TEXT_MODEL, Settings

MODE = os.environ.get("FLOOR_MODE", "sdk")
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


def sdk_words(message: str):
    if "chat" not in _state:  # one client per worker, as the app keeps one per app
        client = gemini.make_client(Settings(gemini_api_key="bench-key", gemini_base_url=UPSTREAM))
        _state["chat"] = gemini.GeminiChat(client, DEFAULT_TEXT_MODEL)
    for chunk in _state["chat"].stream_chat([Turn(role="user", content=message)], None):
        if chunk.text:
            yield chunk.text


def urllib3_words(message: str):
    pool = _state.setdefault("pool", urllib3.PoolManager(maxsize=16, block=False, retries=False))
    body = {"contents": [{"role": "user", "parts": [{"text": message}]}]}
    response = pool.request("POST", f"{UPSTREAM}/v1beta/models/{DEFAULT_TEXT_MODEL}:streamGenerateContent?alt=sse",
                            body=json.dumps(body).encode(), preload_content=False,
                            headers={"Content-Type": "application/json", "x-goog-api-key": "bench-key"})
    pending = b""
    try:
        for data in response.stream(None):
            pending += data.replace(b"\r\n", b"\n")
            *events, pending = pending.split(b"\n\n")
            for line in (line for ev in events for line in ev.split(b"\n") if line.startswith(b"data:")):
                if text := gemini._text(json.loads(line[5:])):  # noqa: SLF001 - the same reading of a chunk as the app's
                    yield text
    finally:
        response.release_conn()


SOURCES = {"sse": lambda _message: own_words(), "sdk": sdk_words, "urllib3": urllib3_words}


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
