"""What the benches' asyncio fake upstreams share (bench/_fake_gemini.py, bench/_fake_openai.py): streaming
SSE events at the model's pace, and the command line they are started with (bench/_servers.py)."""
from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable, Iterable

from aiohttp import web


async def stream(request: web.Request, events: Iterable[tuple[float, bytes]]) -> web.StreamResponse:
    """Send each (delay, data) event after its delay, as `text/event-stream`. A client that goes away mid-stream
    (a bench's server timing out or being stopped) ends it quietly: that is the bench's to count, not an error."""
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
    await response.prepare(request)
    try:
        for delay, data in events:
            if delay:
                await asyncio.sleep(delay)
            await response.write(data)
    except ConnectionResetError:
        pass
    return response


def main(make_app: Callable[[int, float], web.Application], doc: str, port: int) -> None:
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--port", type=int, default=port)
    parser.add_argument("--chunks", type=int, default=20)
    parser.add_argument("--interval", type=float, default=0.05)
    args = parser.parse_args()
    web.run_app(make_app(args.chunks, args.interval), host="127.0.0.1", port=args.port, print=None, backlog=2048)
