"""The `data` of each Server-Sent Event of a response body, read as the body arrives: sseclient-py does the
framing (multi-line data, comments, CR/LF variants). Both streamed chat clients read their upstream with it
(gemini_rest.py, openai_compat.py)."""
from __future__ import annotations

from collections.abc import Iterable, Iterator

import sseclient


def data_of_events(body: Iterable[bytes]) -> Iterator[str]:
    for event in sseclient.SSEClient(body).events():
        yield event.data
