"""Storage of conversations and their messages (the only module that queries those tables)."""
from __future__ import annotations

from sqlalchemy import delete, func, select

from . import errors
from .ai.base import Turn
from .db import Database
from .models import Conversation, Message, utcnow

TITLE_CHARS = 60


def make_title(text: str) -> str:
    words = " ".join(text.split())
    return words if len(words) <= TITLE_CHARS else words[: TITLE_CHARS - 1].rstrip() + "…"


def start_turn(db: Database, conversation_id: str | None, message: str, system: str | None) -> tuple[str, str | None, list[Turn]]:
    """Save the user's message (creating the conversation if needed) before any model is called.

    Returns the conversation id, the system prompt in force, and the turns to send to the model.
    """
    with db.session() as s:
        if conversation_id is None:
            conv = Conversation(title=make_title(message), system=system)
            s.add(conv)
            s.flush()
        else:
            conv = s.get(Conversation, conversation_id, with_for_update=True)
            if conv is None:
                raise errors.NotFound("This conversation does not exist (it may have been deleted).")
            if system is not None:
                conv.system = system or None
        rows = s.execute(
            select(Message.role, Message.content).where(Message.conversation_id == conv.id).order_by(Message.seq)
        ).all()
        s.add(Message(conversation_id=conv.id, seq=len(rows), role="user", content=message))
        conv.updated_at = utcnow()
        turns = [Turn(role=r.role, content=r.content) for r in rows if r.content.strip()]
        turns.append(Turn(role="user", content=message))
        return conv.id, conv.system, turns


def save_reply(db: Database, conversation_id: str, content: str, *, complete: bool, engine: str, model: str,
               input_tokens: int | None = None, output_tokens: int | None = None) -> str:
    with db.session() as s:
        seq = s.scalar(select(func.coalesce(func.max(Message.seq), -1)).where(Message.conversation_id == conversation_id))
        msg = Message(
            conversation_id=conversation_id, seq=seq + 1, role="assistant", content=content,
            status="complete" if complete else "incomplete", engine=engine, model=model,
            input_tokens=input_tokens, output_tokens=output_tokens,
        )
        s.add(msg)
        conv = s.get(Conversation, conversation_id)
        if conv is not None:  # deleted while the reply streamed: nothing to attach it to
            conv.updated_at = utcnow()
        else:
            s.expunge(msg)
        return msg.id


def list_conversations(db: Database, limit: int = 200) -> list[dict]:
    counts = select(Message.conversation_id, func.count().label("n")).group_by(Message.conversation_id).subquery()
    with db.session() as s:
        rows = s.execute(
            select(Conversation.id, Conversation.title, Conversation.updated_at, func.coalesce(counts.c.n, 0))
            .outerjoin(counts, counts.c.conversation_id == Conversation.id)
            .order_by(Conversation.updated_at.desc())
            .limit(limit)
        ).all()
    return [{"id": r[0], "title": r[1], "updated_at": r[2], "message_count": r[3]} for r in rows]


def get_conversation(db: Database, conversation_id: str) -> dict:
    with db.session() as s:
        conv = s.get(Conversation, conversation_id)
        if conv is None:
            raise errors.NotFound("This conversation does not exist.")
        return {
            "id": conv.id, "title": conv.title, "system": conv.system,
            "created_at": conv.created_at, "updated_at": conv.updated_at,
            "messages": [
                {"id": m.id, "role": m.role, "content": m.content, "created_at": m.created_at,
                 "status": m.status, "engine": m.engine}
                for m in conv.messages
            ],
        }


def delete_conversation(db: Database, conversation_id: str) -> None:
    with db.session() as s:
        s.execute(delete(Message).where(Message.conversation_id == conversation_id))
        if s.execute(delete(Conversation).where(Conversation.id == conversation_id)).rowcount == 0:
            raise errors.NotFound("This conversation does not exist.")
