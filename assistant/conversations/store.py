"""Saving turns and reading conversations, always by owner.

`start_turn` and `save_reply` run for every chat message: Core statements built once (with bind
parameters) on a plain connection. Building a statement cost more CPU than running it (SQLAlchemy's
coercions and cache key: save_reply took 1.3 ms, now 0.3), and the ORM's unit of work more still.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session

from .. import errors
from ..ai.base import Turn
from ..attachments import store as attachments
from ..db import Database
from ..models import Conversation, Message, new_id, utcnow
from . import tree

CONVERSATIONS = Conversation.__table__
MESSAGES = Message.__table__
TREE_COLUMNS = (MESSAGES.c.id, MESSAGES.c.parent_id, MESSAGES.c.seq, MESSAGES.c.role, MESSAGES.c.content)
TITLE_CHARS = 60
GONE = "This conversation does not exist (it may have been deleted)."


def _next_seq(conversation_id):
    return (select(func.coalesce(func.max(MESSAGES.c.seq), -1) + 1)
            .where(MESSAGES.c.conversation_id == conversation_id).scalar_subquery())


# The hot path's statements, built once (parameters by name at execution).
NEW_CONVERSATION = insert(CONVERSATIONS)
ADD_MESSAGE = insert(MESSAGES).values(conversation_id=bindparam("cid"), seq=_next_seq(bindparam("cid")))
FIRST_MESSAGE = insert(MESSAGES)
LOCK_CONVERSATION = (select(CONVERSATIONS.c.system, CONVERSATIONS.c.current_leaf_id)
                     .where(CONVERSATIONS.c.id == bindparam("cid"), CONVERSATIONS.c.user_id == bindparam("owner"))
                     .with_for_update())
TREE = select(*TREE_COLUMNS).where(MESSAGES.c.conversation_id == bindparam("cid"))
MOVE_LEAF = (update(CONVERSATIONS).where(CONVERSATIONS.c.id == bindparam("cid"))
             .values(updated_at=bindparam("now"), system=bindparam("system"), current_leaf_id=bindparam("leaf"),
                     model=func.coalesce(bindparam("model", type_=CONVERSATIONS.c.model.type), CONVERSATIONS.c.model)))
TOUCH_OWNED = (update(CONVERSATIONS)
               .where(CONVERSATIONS.c.id == bindparam("cid"), CONVERSATIONS.c.user_id == bindparam("owner"))
               .values(updated_at=bindparam("now"), current_leaf_id=bindparam("leaf")))
AUTO_TITLE = (update(CONVERSATIONS)
              .where(CONVERSATIONS.c.id == bindparam("cid"), CONVERSATIONS.c.user_id == bindparam("owner"),
                     CONVERSATIONS.c.title_source == "auto")
              .values(title=bindparam("title")))


def make_title(text: str) -> str:
    words = " ".join(text.split())
    return words if len(words) <= TITLE_CHARS else words[: TITLE_CHARS - 1].rstrip() + "…"


def owned(owner: str, conversation_id: str) -> tuple:
    return CONVERSATIONS.c.id == conversation_id, CONVERSATIONS.c.user_id == owner


@dataclass(frozen=True)
class TurnStarted:
    conversation_id: str
    system: str | None
    turns: list[Turn]  # what the model receives: the path being viewed, ending with the question
    reply_parent: str  # the user message the reply will answer
    new_conversation: bool


def start_turn(db: Database, owner: str, conversation_id: str | None, message: str, system: str | None, *,
               parent_id: str | None = None, edit_of: str | None = None, regenerate: bool = False,
               model: str | None = None, attachment_ids: list[str] = ()) -> TurnStarted:
    """Save the user's message (creating the conversation if needed) before any model is called.

    - plain: the message follows `parent_id` (the last message on the path the person sees), by
      default the conversation's current leaf;
    - `edit_of`: the message is a new version of that earlier question (same parent);
    - `regenerate`: no new message; the reply will be a new version of the last reply on the path.
    """
    now = utcnow()
    with db.engine.begin() as s:
        if conversation_id is None:
            if edit_of or regenerate or parent_id:
                raise errors.InvalidRequest("Regenerating or editing needs the `conversation_id`.")
            conversation_id, user_id = new_id(), new_id()
            s.execute(NEW_CONVERSATION, {"id": conversation_id, "user_id": owner, "title": make_title(message),
                                         "system": system or None, "current_leaf_id": user_id, "model": model,
                                         "created_at": now, "updated_at": now})
            s.execute(FIRST_MESSAGE, {"id": user_id, "conversation_id": conversation_id, "parent_id": None, "seq": 0,
                                      "role": "user", "content": message, "status": "complete", "created_at": now})
            attachments.link(s, owner, conversation_id, user_id, list(attachment_ids))
            return TurnStarted(conversation_id, system or None, [Turn(role="user", content=message)], user_id, True)
        # FOR UPDATE (PostgreSQL): two messages sent at once to one conversation take turns
        stored = s.execute(LOCK_CONVERSATION, {"cid": conversation_id, "owner": owner}).first()
        if stored is None:
            raise errors.NotFound(GONE)
        if system is None:
            system = stored.system
        by_id, children = tree.index(s.execute(TREE, {"cid": conversation_id}).all())
        leaf = _leaf(stored.current_leaf_id, by_id, children)
        if regenerate:
            anchor = by_id.get(parent_id or leaf) if (parent_id or leaf) else None
            if anchor is None:
                raise errors.NotFound("There is no such message in this conversation.") if parent_id else \
                    errors.InvalidRequest("There is no reply to regenerate yet.")
            question = anchor if anchor.role == "user" else by_id.get(anchor.parent_id)
            if question is None:
                raise errors.InvalidRequest("There is no question before this message to answer again.")
            user_id, history = question.id, tree.path(question.id, by_id)
        else:
            if edit_of is not None:
                edited = by_id.get(edit_of)
                if edited is None or edited.role != "user":
                    raise errors.NotFound("There is no such question in this conversation to edit.")
                parent = edited.parent_id
            elif parent_id is not None:
                if parent_id not in by_id:
                    raise errors.NotFound("There is no such message in this conversation.")
                parent = parent_id
            else:
                parent = leaf
            user_id = new_id()
            s.execute(ADD_MESSAGE, _message(user_id, conversation_id, parent, "user", message, now))
            attachments.link(s, owner, conversation_id, user_id, list(attachment_ids))
            history = [*tree.path(parent, by_id), _Fresh(user_id, parent, message)]
        # the model picked now is kept with the conversation (none picked: the kept one stays)
        s.execute(MOVE_LEAF, {"cid": conversation_id, "now": now, "system": system or None, "leaf": user_id, "model": model})
    turns = [Turn(role=m.role, content=m.content) for m in history if m.content.strip()]
    return TurnStarted(conversation_id, system or None, turns, user_id, False)


@dataclass(frozen=True)
class _Fresh:
    id: str
    parent_id: str | None
    content: str
    role: str = "user"
    seq: int = 1 << 62


def _leaf(current: str | None, by_id, children) -> str | None:
    return current if current in by_id else tree.latest_leaf(None, children)


def _message(message_id: str, conversation_id: str, parent_id: str | None, role: str, content: str, now, *,
             status: str = "complete", engine: str | None = None, model: str | None = None, input_tokens: int | None = None,
             output_tokens: int | None = None, citations: str | None = None) -> dict:
    """ADD_MESSAGE's parameters: every column named, so the statement compiles once whatever is set."""
    return {"id": message_id, "cid": conversation_id, "parent_id": parent_id, "role": role, "content": content,
            "status": status, "engine": engine, "model": model, "input_tokens": input_tokens,
            "output_tokens": output_tokens, "citations": citations, "created_at": now}


def save_reply(db: Database, owner: str, conversation_id: str, parent_id: str, content: str, *, complete: bool,
               engine: str, model: str, input_tokens: int | None = None, output_tokens: int | None = None,
               citations: list[dict] | None = None) -> str:
    message_id, now = new_id(), utcnow()
    with db.engine.begin() as s:
        touched = s.execute(TOUCH_OWNED, {"cid": conversation_id, "owner": owner, "now": now, "leaf": message_id})
        if touched.rowcount:  # else deleted while the reply streamed: nothing to attach it to
            s.execute(ADD_MESSAGE, _message(
                message_id, conversation_id, parent_id, "assistant", content, now,
                status="complete" if complete else "incomplete", engine=engine, model=model, input_tokens=input_tokens,
                output_tokens=output_tokens, citations=json.dumps(citations, ensure_ascii=False) if citations else None))
    return message_id


def get_conversation(db: Database, owner: str, conversation_id: str, at: str | None = None) -> dict:
    """The conversation with the path being viewed: through message `at` when given (a version the person
    flipped to), else the path last written to. Each message lists its versions."""
    with db.session() as s:
        conv = s.execute(select(CONVERSATIONS).where(*owned(owner, conversation_id))).first()
        if conv is None:
            raise errors.NotFound("This conversation does not exist.")
        rows = s.execute(select(MESSAGES).where(MESSAGES.c.conversation_id == conversation_id)).all()
        by_id, children = tree.index(rows)
        if at is not None and at not in by_id:
            raise errors.NotFound("There is no such message in this conversation.")
        leaf = tree.latest_leaf(at, children) if at else _leaf(conv.current_leaf_id, by_id, children)
        path = tree.path(leaf, by_id)
        files = attachments.of_messages(s, owner, [m.id for m in path if m.role == "user"])
    return {
        "id": conv.id, "title": conv.title, "system": conv.system,
        "created_at": conv.created_at, "updated_at": conv.updated_at, "current_leaf_id": leaf, "model": conv.model,
        "messages": [
            {"id": m.id, "role": m.role, "content": m.content, "created_at": m.created_at, "status": m.status,
             "engine": m.engine, "model": m.model, "parent_id": m.parent_id, "versions": tree.versions(m, children),
             "attachments": files.get(m.id, []), "citations": json.loads(m.citations) if m.citations else []}
            for m in path
        ],
    }


def model_of(db: Database, owner: str, conversation_id: str | None) -> str | None:
    """The model kept with this conversation (None: none picked, or no such conversation of theirs)."""
    if conversation_id is None:
        return None
    with db.session() as s:
        return s.execute(select(CONVERSATIONS.c.model).where(*owned(owner, conversation_id))).scalar()


def rename(db: Database, owner: str, conversation_id: str, title: str) -> dict:
    with db.session() as s:
        row = s.execute(update(CONVERSATIONS).where(*owned(owner, conversation_id))
                        .values(title=title, title_source="user")
                        .returning(CONVERSATIONS.c.id, CONVERSATIONS.c.title, CONVERSATIONS.c.updated_at)).first()
    if row is None:
        raise errors.NotFound("This conversation does not exist.")
    return {"id": row.id, "title": row.title, "updated_at": row.updated_at}


def set_auto_title(db: Database, owner: str, conversation_id: str, title: str) -> None:
    """A model's title replaces the first-words one, never a title a person chose."""
    with db.engine.begin() as s:
        s.execute(AUTO_TITLE, {"cid": conversation_id, "owner": owner, "title": title})


def delete_conversation(db: Database, owner: str, conversation_id: str) -> None:
    with db.session() as s:
        if s.execute(select(CONVERSATIONS.c.id).where(*owned(owner, conversation_id))).first() is None:
            raise errors.NotFound("This conversation does not exist.")
        _delete(s, owner, select(CONVERSATIONS.c.id).where(*owned(owner, conversation_id)))


def _delete(s: Session, owner: str, ids) -> None:
    # Messages first, leaves before parents would matter only without ON DELETE CASCADE; one statement
    # deletes the whole tree (foreign keys are checked at the end of a statement). The attachments sent
    # in them go too (bytes, text and retrieval chunks).
    attachments.delete_of_conversations(s, owner, ids)
    s.execute(delete(MESSAGES).where(MESSAGES.c.conversation_id.in_(ids)))
    s.execute(delete(CONVERSATIONS).where(CONVERSATIONS.c.id.in_(ids)))


def claim_unowned(s: Session, owner: str) -> None:
    """Conversations written before accounts existed (no owner) become `owner`'s (the first administrator)."""
    s.execute(update(CONVERSATIONS).where(CONVERSATIONS.c.user_id.is_(None)).values(user_id=owner))


def delete_all_of(s: Session, owner: str) -> None:
    """Everything `owner` wrote, for deleting their account."""
    _delete(s, owner, select(CONVERSATIONS.c.id).where(CONVERSATIONS.c.user_id == owner))
