"""A lean fake of Gemini's chat endpoints for the streaming benches: `:streamGenerateContent?alt=sse` streams
`--chunks` words `--interval` s apart, `:generateContent` (titles) answers when the model would have finished,
`GET /v1beta/models` lists tests/fakes/gemini.py's models, in the same JSON shapes as that fake.

Why not tests/fakes/gemini.py itself: it serves a thread per connection, and on the two cores it shares with
the server being measured, a burst of 1,000 streams cost it ~2.8 ms of CPU each and delayed its own first
chunk by 1.9 s (p95, with nothing else running) — time the bench then charged to our server. Google's servers do not share our cores; this asyncio one costs ~0.9 ms a stream.

    python -m bench._fake_gemini --port 8125 [--chunks 20] [--interval 0.05]
"""
from __future__ import annotations

import asyncio
import json

from aiohttp import web

from bench._fake_upstream import main, stream
from tests.fakes.gemini import MODELS, Reply, _response


def make_app(chunks: int, interval: float) -> web.Application:
    words = [f"word{i} " for i in range(chunks)]
    reply = Reply(chunks=words, interval=interval)

    async def models(_request: web.Request) -> web.Response:
        return web.json_response({"models": [{"name": f"models/{m}", "displayName": m, "supportedGenerationMethods": methods}
                                             for m, methods in MODELS.items()]})

    async def generate(request: web.Request) -> web.StreamResponse:
        model, _, method = request.path.rsplit("/models/", 1)[-1].partition(":")
        body = await request.json()
        if model not in MODELS:
            return web.json_response({"error": {"code": 404, "message": f"models/{model} is not found.",
                                                "status": "NOT_FOUND"}}, status=404)
        prompt = sum(len(p.get("text", "").split()) for c in body.get("contents", []) for p in c.get("parts", []))
        usage = (prompt, chunks)
        if method == "generateContent":  # a whole reply at once (titles), when the model would have finished it
            await asyncio.sleep(interval * chunks)
            return web.json_response(_response([{"text": "A bench title"}], reply, usage, final=True))

        def event(i: int) -> bytes:
            last = i == chunks - 1
            return b"data: " + json.dumps(_response([{"text": words[i]}], reply, usage if last else None, final=last)).encode() + b"\r\n\r\n"

        return await stream(request, ((interval if i else 0.0, event(i)) for i in range(chunks)))

    app = web.Application()
    app.router.add_get("/{version}/models", models)
    app.router.add_post("/{path:.*}", generate)  # …/models/{model}:method (the version is the SDK's choice)
    return app


if __name__ == "__main__":
    main(make_app, __doc__, 8125)
