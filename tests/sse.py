"""Read Server-Sent Events from a Flask test response or an httpx stream, through httpx-sse's parser."""
from __future__ import annotations

import json

from httpx_sse._decoders import SSEDecoder


def parse_sse(text: str) -> list[tuple[str, dict]]:
    decoder = SSEDecoder()
    events = []
    for line in text.splitlines():
        sse = decoder.decode(line)
        if sse is not None:
            events.append((sse.event, json.loads(sse.data)))
    sse = decoder.decode("")
    if sse is not None:
        events.append((sse.event, json.loads(sse.data)))
    return events
