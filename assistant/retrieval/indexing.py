"""Indexing an attachment: its pages split into passages, each embedded (vectors reused by text hash when
the same file is indexed again by the same model), all stored with their owner in one transaction."""
from __future__ import annotations

import hashlib

import numpy as np
from flask import current_app

from .. import offload
from ..db import Database
from . import store
from .chunking import split_pages
from .embedders import Embedder, for_app


def index(db: Database, owner: str, attachment_id: str, pages: list[tuple[int, str]], *,
          embedder: Embedder | None = None) -> int:
    """Index (or index again: idempotent) the attachment's text. `pages`: (page number, text). Returns the
    number of chunks. Raises NotFound when the attachment is not the owner's (or is gone), and the
    embedder's ApiError (e.g. 502 upstream_error from Gemini) when embedding fails."""
    embedder = embedder or for_app(current_app._get_current_object())
    passages = offload.call(split_pages, pages)
    hashes = [hashlib.blake2b(p.text.encode(), digest_size=16).hexdigest() for p in passages]
    known = store.vectors_by_hash(db, owner, attachment_id, embedder.model_id)
    missing = [i for i, h in enumerate(hashes) if h not in known]
    fresh = embedder.documents([passages[i].text for i in missing]) if missing else None
    vectors = None
    if passages:
        dims = fresh.shape[1] if fresh is not None else len(next(iter(known.values()))) // 4
        vectors = np.empty((len(passages), dims), dtype=np.float32)
        for i, h in enumerate(hashes):
            if h in known:
                vectors[i] = np.frombuffer(known[h], dtype="<f4")
        if fresh is not None:
            vectors[missing] = fresh
    store.replace(db, owner, attachment_id, embedder.model_id, passages, hashes,
                  vectors if vectors is not None else np.zeros((0, 0), dtype=np.float32))
    return len(passages)
