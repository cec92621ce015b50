"""People and attachment rows made straight in the database (uploading and extraction are tested in
tests/attachments/), for the retrieval tests and bench/retrieval.py."""
from __future__ import annotations

from sqlalchemy import func, insert, select

from assistant.models import Attachment, RetrievalChunk, new_id, utcnow
from tests.accounts import make_user


def person(app, name: str) -> str:
    return make_user(app, name)[0]


def attachment(app, owner: str, filename: str = "report.pdf") -> str:
    attachment_id = new_id()
    with app.extensions["database"].session() as s:
        s.execute(insert(Attachment.__table__).values(
            id=attachment_id, user_id=owner, filename=filename, mime_type="application/pdf", size=3, status="processing",
            data=b"pdf", created_at=utcnow()))
    return attachment_id


def chunk_count(app, attachment_id: str) -> int:
    with app.extensions["database"].session() as s:
        return s.scalar(select(func.count()).select_from(RetrievalChunk).where(RetrievalChunk.attachment_id == attachment_id))
