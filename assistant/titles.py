"""A better title after the first exchange: a few words asked of the model, in the background so the
reply is not held up. Offline (the tiny embedded model) or on any error the first-words title stays,
and a title the person chose is never replaced (conversations.set_auto_title)."""
from __future__ import annotations

import logging
import re
import threading

from . import conversations
from .ai.base import ChatProvider, Turn
from .db import Database

log = logging.getLogger(__name__)
MAX_WORDS, MAX_CHARS = 8, 60
ASK = ("Write a title of at most six words for a conversation that begins with the exchange below. "
       "Answer with the title only: no quotes, no full stop.\n\nQuestion: {question}\n\nAnswer: {answer}")
SYSTEM = "You name conversations with short, specific titles."


def clean(text: str) -> str | None:
    line = next((ln for ln in text.strip().splitlines() if ln.strip()), "")
    line = re.sub(r"^(title\s*:\s*)", "", line.strip(), flags=re.I).strip(" \"'*#`“”‘’.")
    words = line.split()
    if not words:
        return None
    title = " ".join(words[:MAX_WORDS])
    return title if len(title) <= MAX_CHARS else title[: MAX_CHARS - 1].rstrip() + "…"


def suggest(db: Database, owner: str, provider: ChatProvider, conversation_id: str, question: str, answer: str) -> None:
    try:
        prompt = ASK.format(question=question[:2000], answer=answer[:2000])
        if title := clean(provider.complete([Turn(role="user", content=prompt)], SYSTEM)):
            conversations.set_auto_title(db, owner, conversation_id, title)
    except Exception:  # noqa: BLE001 - a nicer title is optional; the first-words one stays
        log.warning("could not get a title from the model; keeping the first words", exc_info=True)


def suggest_later(db: Database, owner: str, provider: ChatProvider, conversation_id: str, question: str, answer: str) -> None:
    threading.Thread(target=suggest, args=(db, owner, provider, conversation_id, question, answer),
                     name="title", daemon=True).start()
