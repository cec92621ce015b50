"""A fake OpenAI-compatible server for benches: POST /v1/chat/completions streams `--chunks` words
`--interval` s apart (then usage and [DONE]), or without `stream` answers a short reply when it would be done, GET /v1/models lists one model. asyncio (aiohttp), so 1,000
open streams cost it little of the CPU that the server being measured shares.

    python -m bench._fake_openai --port 8124 [--chunks 20] [--interval 0.05]
"""
from __future__ import annotations

import asyncio
import json

from aiohttp import web

from bench._fake_upstream import main, stream


def make_app(chunks: int, interval: float) -> web.Application:
    async def models(_request: web.Request) -> web.Response:
        return web.json_response({"object": "list", "data": [{"id": "fake", "object": "model", "owned_by": "bench"}]})

    async def completions(request: web.Request) -> web.StreamResponse:
        body = await request.json()
        if not body.get("stream"):  # a whole reply at once (titles), when the model would have finished it
            await asyncio.sleep(interval * chunks)
            return web.json_response({
                "id": "chatcmpl-bench", "object": "chat.completion", "created": 0, "model": body.get("model", "fake"),
                "choices": [{"index": 0, "message": {"role": "assistant", "content": "A bench title"}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8}})

        def event(obj) -> bytes:
            return f"data: {json.dumps(obj) if not isinstance(obj, str) else obj}\n\n".encode()

        base = {"id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": 0, "model": body.get("model", "fake")}
        words = [(interval if i else 0.0, event(base | {"choices": [{"index": 0, "delta": {"content": f"word{i} "}, "finish_reason": None}]}))
                 for i in range(chunks)]
        usage = {"prompt_tokens": 5, "completion_tokens": chunks, "total_tokens": 5 + chunks}
        ending = [base | {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}, base | {"choices": [], "usage": usage}, "[DONE]"]
        return await stream(request, words + [(0.0, event(e)) for e in ending])

    app = web.Application()
    app.router.add_get("/v1/models", models)
    app.router.add_post("/v1/chat/completions", completions)
    return app


if __name__ == "__main__":
    main(make_app, __doc__, 8124)
