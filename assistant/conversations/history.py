"""The history sidebar: a person's conversations, newest first, a page at a time (a cursor, not an
offset, so a page never skips or repeats when new chats arrive), optionally filtered by a search over
titles and message text with the matching words located for highlighting.

Search: SQLite FTS5 (`messages_fts`, kept by triggers) or PostgreSQL full-text search (a GIN index on
to_tsvector('simple', content)); every word must match, as a prefix ("rena" finds "renamed").
"""
from __future__ import annotations

import base64
import re
from datetime import datetime

from sqlalchemy import and_, column, func, literal_column, or_, select, table, text
from sqlalchemy.orm import Session

from .. import errors
from ..db import Database
from .store import CONVERSATIONS, MESSAGES

PAGE, MAX_PAGE = 50, 200
WORD = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 8
SNIPPET_CHARS = 160
# Words matching more messages than this are "common": read the newest conversations and look for the
# words in them, rather than collect every match from the index first (see `_probe`).
COMMON = 2000
FTS = table("messages_fts", column("rowid"))  # SQLite only: made by migration 0003, not a model


def terms_of(query: str) -> list[str]:
    return [t.lower() for t in WORD.findall(query)][:MAX_TERMS]


def encode_cursor(updated_at: datetime, conversation_id: str) -> str:
    return base64.urlsafe_b64encode(f"{updated_at.isoformat()}|{conversation_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, conversation_id = raw.split("|", 1)
        return datetime.fromisoformat(stamp), conversation_id
    except (ValueError, UnicodeDecodeError):
        raise errors.InvalidRequest("cursor: this is not a cursor from a previous page; start again without it.") from None


def list_conversations(db: Database, owner: str, *, q: str | None = None, cursor: str | None = None,
                       limit: int = PAGE) -> tuple[list[dict], str | None]:
    C = CONVERSATIONS.c
    stmt = select(C.id, C.title, C.updated_at).where(C.user_id == owner).order_by(C.updated_at.desc(), C.id.desc())
    if cursor:
        at, last_id = decode_cursor(cursor)
        stmt = stmt.where(or_(C.updated_at < at, and_(C.updated_at == at, C.id < last_id)))
    terms = terms_of(q or "")
    with db.session() as s:
        candidates = _matching_conversations(s, terms) if terms else None
        if not terms:
            rows, matches = s.execute(stmt.limit(limit + 1)).all(), {}
        elif candidates is None:  # common words
            rows, matches = _probe(s, stmt, terms, limit + 1)
        else:
            # every word at the start of a word of the title, as in messages (a space before it, or the title's start)
            title = func.lower(C.title)
            title_match = and_(*[or_(title.startswith(t, autoescape=True), title.contains(" " + t, autoescape=True))
                                 for t in terms])
            rows = s.execute(stmt.where(or_(title_match, C.id.in_(candidates))).limit(limit + 1)).all()
            matches = {}
        page = rows[:limit]
        ids = [r.id for r in page]
        counts = dict(s.execute(select(MESSAGES.c.conversation_id, func.count()).where(MESSAGES.c.conversation_id.in_(ids))
                                .group_by(MESSAGES.c.conversation_id)).all()) if ids else {}
        if terms:
            matches |= _snippets(s, [r for r in page if r.id not in matches], terms)
    items = [{"id": r.id, "title": r.title, "updated_at": r.updated_at, "message_count": counts.get(r.id, 0),
              **({"match": matches.get(r.id)} if terms else {})} for r in page]
    next_cursor = encode_cursor(page[-1].updated_at, page[-1].id) if len(rows) > limit else None
    return items, next_cursor


def _postgres(s: Session) -> bool:
    return s.get_bind().dialect.name == "postgresql"


# The text search configuration as a literal, never a bound parameter: psycopg prepares a statement run
# five times, PostgreSQL then may plan it generically, and `to_tsvector($1, content)` no longer matches
# the index's expression, so every search read the whole table (seconds at 200,000 messages).
SIMPLE = literal_column("'simple'::regconfig")


def _fts_query(s: Session, terms: list[str]):
    if _postgres(s):
        return func.to_tsquery(SIMPLE, " & ".join(f"{t}:*" for t in terms))
    return " ".join('"' + t.replace('"', '""') + '"*' for t in terms)


def _matching_messages(s: Session, terms: list[str]):
    """A select of the rowids/ids of messages holding every term, through the full-text index."""
    M = MESSAGES.c
    if _postgres(s):
        return select(M.id).where(func.to_tsvector(SIMPLE, M.content).op("@@")(_fts_query(s, terms)))
    return select(FTS.c.rowid).where(text("messages_fts MATCH :q").bindparams(q=_fts_query(s, terms)))


def _matching_conversations(s: Session, terms: list[str]) -> set[str] | None:
    """The conversations (anyone's; the caller filters by owner) with a message holding every term, read
    from the full-text index once; None when the words are common (COMMON messages or more match)."""
    M = MESSAGES.c
    if _postgres(s) and _common_by_statistics(s, terms):
        return None
    # LIMIT inside, on the index's own answer: `IN (subquery) … LIMIT` would read every match first
    hits = _matching_messages(s, terms).limit(COMMON).subquery()
    key = M.id if _postgres(s) else literal_column("messages.rowid")
    found = s.execute(select(M.conversation_id).join_from(MESSAGES, hits, key == list(hits.c)[0])).scalars().all()
    return None if len(found) >= COMMON else set(found)


# PostgreSQL's statistics on the search index (ANALYZE keeps its most common words and how many rows hold each)
STATS = text("""SELECT s.most_common_elems::text::text[] AS words, s.most_common_elem_freqs AS freqs, c.reltuples AS rows
                FROM pg_stats s, pg_class c WHERE s.tablename = 'ix_messages_content_fts' AND c.relname = 'messages'""")


def _common_by_statistics(s: Session, terms: list[str]) -> bool:
    """PostgreSQL: are the words surely common, by the planner's statistics? Then the index is not asked: a GIN
    bitmap of every message holding a common word costs 25–40 ms at 200,000 messages, only to learn that it is
    common. Unknown words (no statistics yet, or rare) go to the index as before, which decides exactly."""
    stats = s.execute(STATS).first()
    if stats is None or not stats.words or not stats.rows:
        return False
    share = 1.0
    for term in terms:  # a prefix matches every word starting with it; words assumed independent
        share *= min(1.0, sum(f for w, f in zip(stats.words, stats.freqs) if w.startswith(term)))
    return share * stats.rows >= COMMON  # a wrong guess costs time, never results: the probe matches exactly


PROBE_BATCH = 100


def _probe(s: Session, stmt, terms: list[str], wanted: int) -> tuple[list, dict[str, dict]]:
    """Common words: most conversations match, so read the newest ones in batches and look for the words
    in their text, stopping as soon as a page is full (collecting every match first would read them all)."""
    rows, matches, last = [], {}, None
    C = CONVERSATIONS.c
    while len(rows) < wanted:
        batch_stmt = stmt if last is None else stmt.where(or_(C.updated_at < last.updated_at,
                                                              and_(C.updated_at == last.updated_at, C.id < last.id)))
        # first just enough for a page (when most match, as common words do), then in larger batches
        batch = s.execute(batch_stmt.limit(PROBE_BATCH if last is not None else wanted + 10)).all()
        if not batch:
            break
        last = batch[-1]
        texts: dict[str, list[str]] = {}
        for cid, content in s.execute(select(MESSAGES.c.conversation_id, MESSAGES.c.content)
                                      .where(MESSAGES.c.conversation_id.in_([r.id for r in batch]))
                                      .order_by(MESSAGES.c.conversation_id, MESSAGES.c.seq)):
            texts.setdefault(cid, []).append(content)
        for row in batch:
            found = _first_match(row.title, texts.get(row.id, []), terms)
            if found is not None:
                rows.append(row)
                matches[row.id] = found
                if len(rows) == wanted:
                    break
    return rows, matches


def _first_match(title: str, contents, terms: list[str]) -> dict | None:
    if (found := locate(title, terms)) is not None:
        return {"field": "title", **found}
    for content in contents:
        if (found := locate(content, terms)) is not None:
            return {"field": "message", **found}
    return None


def _snippets(s: Session, page, terms: list[str]) -> dict[str, dict]:
    """For each conversation on the page: where the words are, in its title or its first matching message."""
    out: dict[str, dict] = {}
    for row in page:
        contents = (c for (c,) in s.execute(select(MESSAGES.c.content).where(MESSAGES.c.conversation_id == row.id)
                                             .order_by(MESSAGES.c.seq)).yield_per(50))
        if (found := _first_match(row.title, contents, terms)) is not None:
            out[row.id] = found
    return out


def locate(content: str, terms: list[str]) -> dict | None:
    """A short excerpt around the first match and the [start, end) of every term in it; None unless all match."""
    # matched case-insensitively on the text itself: lower() can change its length ("İ"), and the ranges
    # must point into the text the person sees
    starts = [m.start() for t in terms if (m := re.search(r"(?<!\w)" + re.escape(t), content, re.IGNORECASE))]
    if len(starts) < len(terms):
        return None
    begin = max(0, min(starts) - SNIPPET_CHARS // 3)
    begin = content.rfind(" ", 0, begin) + 1 if begin else 0
    excerpt = content[begin:begin + SNIPPET_CHARS]
    ranges = sorted({m.span() for t in terms for m in re.finditer(r"(?<!\w)" + re.escape(t), excerpt, re.IGNORECASE)})
    return {"text": ("…" if begin else "") + excerpt + ("…" if begin + SNIPPET_CHARS < len(content) else ""),
            "ranges": [[a + (1 if begin else 0), b + (1 if begin else 0)] for a, b in ranges]}
