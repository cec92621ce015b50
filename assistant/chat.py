"""Text to Text: save the user's turn, stream the model's reply, save the reply (marked incomplete
when cut short). The same event stream serves the SSE route and the plain JSON route."""
from __future__ import annotations

import itertools
import logging
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass

from . import conversations, errors, titles
from .ai.base import ChatProvider, Chunk, Usage
from .attachments import citations, context
from .config import Settings
from .db import Database
from .schemas import ChatRequest

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    name: str  # "meta" | "delta" | "done" | "error"
    data: dict
    error: errors.ApiError | None = None  # the original error, for the non-streaming route


def converse(db: Database, owner: str, provider: ChatProvider, req: ChatRequest, *, settings: Settings,
             auto_titles: bool = False) -> Iterator[Event]:
    """Save the user's message, start the model and wait for its first chunk, then return the events.

    Anything that fails before the first chunk (validation, unknown conversation, busy engine, upstream
    refusal) is raised here, so it becomes the HTTP status; the conversation id rides along in the
    `X-Conversation-Id` header because the user's message is saved by then.
    """
    # attachments: someone else's or another conversation's is 404; one still being read is waited for
    context.check_usable(db, owner, req.attachments, req.conversation_id, provider.engine, settings.attachment_wait_seconds)
    turn = conversations.start_turn(db, owner, req.conversation_id, req.message, req.system, parent_id=req.parent_id,
                                    edit_of=req.edit_of, regenerate=req.regenerate, model=req.model,
                                    attachment_ids=req.attachments)
    try:
        # the conversation's files (follow-ups too): passages within a budget, the files themselves for Gemini
        # (a new conversation has files only when this message brought some: nothing to look up otherwise)
        prepared = context.prepare(db, owner, provider, turn.conversation_id, turn.turns, settings) \
            if req.attachments or not turn.new_conversation else context.Prepared(turn.turns, [])
        stream = provider.stream_chat(prepared.turns, turn.system)
        first = next(stream, None)
    except errors.ApiError as err:
        err.headers["X-Conversation-Id"] = turn.conversation_id
        raise
    return _reply(db, owner, provider, turn, stream, first, auto_titles, prepared.passages)


def _reply(db: Database, owner: str, provider: ChatProvider, turn: conversations.TurnStarted, stream: Iterator[Chunk],
           first: Chunk | None, auto_titles: bool, passages: list[dict]) -> Iterator[Event]:
    yield Event("meta", {"conversation_id": turn.conversation_id, "engine": provider.engine, "model": provider.model,
                         "user_message_id": turn.reply_parent})
    parts: list[str] = []
    usage = Usage()
    finished = False
    try:
        with closing(stream):
            for chunk in itertools.chain([first] if first else [], stream):
                if chunk.usage is not None:
                    usage = chunk.usage
                if chunk.text:
                    parts.append(chunk.text)
                    yield Event("delta", {"text": chunk.text})
        finished = True
        cited = citations.pick("".join(parts), passages)
        message_id = _save(db, owner, provider, turn, parts, usage, complete=True, cited=cited)
        if turn.new_conversation and provider.engine != "local" and auto_titles:
            titles.suggest_later(db, owner, provider, turn.conversation_id, turn.turns[-1].content, "".join(parts))
        yield Event("done", {"message_id": message_id, "usage": usage.to_dict(), "citations": cited})
    except errors.ApiError as err:
        finished = True
        _save(db, owner, provider, turn, parts, usage, complete=False)
        yield Event("error", err.to_dict(), error=err)
    finally:
        if not finished:  # client went away (GeneratorExit) or an unexpected error: keep what we have
            _save(db, owner, provider, turn, parts, usage, complete=False)


def _save(db, owner, provider, turn, parts, usage, *, complete: bool, cited: list[dict] | None = None) -> str | None:
    text = "".join(parts)
    if not complete and not text:
        return None  # nothing was said; the user's message stays, ready for a retry
    try:
        return conversations.save_reply(
            db, owner, turn.conversation_id, turn.reply_parent, text, complete=complete, engine=provider.engine, model=provider.model,
            input_tokens=usage.input_tokens, output_tokens=usage.output_tokens, citations=cited,
        )
    except Exception:  # noqa: BLE001 - a storage failure must not kill the response being written
        log.exception("could not save the assistant reply")
        return None


def collect(events: Iterator[Event]) -> dict:
    """Run the stream to the end for the non-streaming route; an error event becomes the ApiError."""
    text: list[str] = []
    meta: dict = {}
    for event in events:
        if event.name == "meta":
            meta = event.data
        elif event.name == "delta":
            text.append(event.data["text"])
        elif event.name == "error":
            raise event.error
        elif event.name == "done":
            return {
                "conversation_id": meta["conversation_id"], "user_message_id": meta["user_message_id"],
                "message": {"id": event.data["message_id"], "role": "assistant", "content": "".join(text),
                            "citations": event.data.get("citations", [])},
                "engine": meta["engine"], "model": meta["model"], "usage": event.data["usage"],
            }
    raise errors.InternalError()
