"""Chunk rows and indexed documents in the database. Every function takes the owner first and filters by
it: another person's attachment reads as missing (the same as a deleted one)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import bindparam, delete, insert, select
from sqlalchemy.exc import IntegrityError

from .. import errors
from ..db import Database
from ..models import Attachment, RetrievalChunk, RetrievalDocument, new_id, utcnow
from .chunking import Passage
from .ranking import Doc


@dataclass(frozen=True)
class Indexed:
    attachment_id: str
    filename: str
    model: str
    dims: int
    version: str
    tokens: int


def vectors_by_hash(db: Database, owner: str, attachment_id: str, model: str) -> dict[str, bytes]:
    """The vectors already stored for this attachment by this model, by text hash (reused when it is indexed again).
    Raises NotFound when the attachment is not the owner's."""
    with db.session() as s:
        if s.scalar(select(Attachment.id).where(Attachment.id == attachment_id, Attachment.user_id == owner)) is None:
            raise errors.NotFound()
        rows = s.execute(select(RetrievalChunk.content_hash, RetrievalChunk.vector)
                         .join(RetrievalDocument, RetrievalDocument.attachment_id == RetrievalChunk.attachment_id)
                         .where(RetrievalChunk.attachment_id == attachment_id, RetrievalChunk.user_id == owner,
                                RetrievalDocument.model == model))
        return dict(rows.all())


def replace(db: Database, owner: str, attachment_id: str, model: str, passages: list[Passage], hashes: list[str],
            vectors: np.ndarray) -> None:
    """The attachment's chunks become these, in one transaction (a reader sees the old set or the new one)."""
    rows = [dict(attachment_id=attachment_id, user_id=owner, position=i, page=p.page, text=p.text, tokens=p.tokens,
                 content_hash=h, vector=np.ascontiguousarray(v, dtype="<f4").tobytes())
            for i, (p, h, v) in enumerate(zip(passages, hashes, vectors))]
    try:
        with db.session() as s:
            found = s.scalar(select(Attachment.id).where(Attachment.id == attachment_id, Attachment.user_id == owner)
                             .with_for_update())
            if found is None:
                raise errors.NotFound()
            s.execute(delete(RetrievalChunk).where(RetrievalChunk.attachment_id == attachment_id))
            s.execute(delete(RetrievalDocument).where(RetrievalDocument.attachment_id == attachment_id))
            s.add(RetrievalDocument(attachment_id=attachment_id, user_id=owner, model=model, dims=int(vectors.shape[1]),
                                    chunks=len(rows), tokens=sum(p.tokens for p in passages), version=new_id(),
                                    indexed_at=utcnow()))
            s.flush()
            if rows:
                s.execute(insert(RetrievalChunk), rows)
    except IntegrityError as exc:  # deleted between our check and the insert (the foreign key said so)
        raise errors.NotFound() from exc


# Built once: each question runs it, and building a statement costs more than SQLite takes to answer it.
_INDEXED = (select(RetrievalDocument.attachment_id, Attachment.filename, RetrievalDocument.model, RetrievalDocument.dims,
                   RetrievalDocument.version, RetrievalDocument.tokens)
            .join(Attachment, Attachment.id == RetrievalDocument.attachment_id)
            .where(RetrievalDocument.attachment_id.in_(bindparam("ids", expanding=True)),
                   RetrievalDocument.user_id == bindparam("owner"), Attachment.user_id == bindparam("owner")))


def indexed(db: Database, owner: str, attachment_ids: list[str]) -> list[Indexed]:
    """The owner's indexed documents among `attachment_ids`, in that order (others' and unknown ids left out)."""
    if not attachment_ids:
        return []
    with db.engine.connect() as conn:
        found = {r.attachment_id: Indexed(*r) for r in conn.execute(_INDEXED, {"ids": list(attachment_ids), "owner": owner})}
    return [found[a] for a in dict.fromkeys(attachment_ids) if a in found]


def load(db: Database, owner: str, doc: Indexed) -> Doc:
    """The document's chunks of that version (none if it was indexed again meanwhile), vectors in one matrix."""
    with db.session() as s:
        rows = s.execute(select(RetrievalChunk.id, RetrievalChunk.page, RetrievalChunk.text, RetrievalChunk.tokens,
                                RetrievalChunk.vector)
                         .join(RetrievalDocument, RetrievalDocument.attachment_id == RetrievalChunk.attachment_id)
                         .where(RetrievalChunk.attachment_id == doc.attachment_id, RetrievalChunk.user_id == owner,
                                RetrievalDocument.version == doc.version)
                         .order_by(RetrievalChunk.position)).all()
    vectors = np.frombuffer(b"".join(r.vector for r in rows), dtype="<f4").reshape(len(rows), doc.dims).astype(np.float32)
    return Doc(doc.attachment_id, doc.version, doc.model, [r.id for r in rows], [r.page for r in rows],
               [r.text for r in rows], np.array([r.tokens for r in rows], dtype=np.int64), vectors)
