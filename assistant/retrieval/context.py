"""What of a conversation's documents goes with a question, within a token budget.

Everything, when it all fits. Otherwise short documents (at most a quarter of the budget each, half of it
in all) go whole, and the long ones by relevance to the question (ranking.py) until the budget or
MAX_CHUNKS is reached: a few good passages rather than the budget filled with the least related ones.
Passages come back in reading order (document, then position), chunks of the same page joined.
"""
from __future__ import annotations

import logging

import numpy as np
from flask import current_app

from .. import errors
from ..db import Database
from . import store
from .embedders import StaticEmbedder, for_model
from .ranking import DENSE_WEIGHT, STATIC_DENSE_WEIGHT, Doc, cache, rank, terms

log = logging.getLogger(__name__)

MAX_CHUNKS = 20


def context_for(db: Database, owner: str, attachment_ids: list[str], question: str, budget_tokens: int, *,
                max_chunks: int = MAX_CHUNKS) -> list[dict]:
    """[{"attachment_id", "filename", "page", "text"}] from the owner's indexed attachments among
    `attachment_ids` (others' ids and unindexed ones contribute nothing)."""
    found = store.indexed(db, owner, attachment_ids)
    if not found or budget_tokens <= 0:
        return []
    docs = [_doc(db, owner, meta) for meta in found]
    chosen: list[set[int]] = [set() for _ in docs]
    if sum(meta.tokens for meta in found) <= budget_tokens:
        chosen = [set(range(len(d.texts))) for d in docs]
    else:
        used = 0
        for i in sorted(range(len(docs)), key=lambda i: found[i].tokens):
            if found[i].tokens <= budget_tokens // 4 and used + found[i].tokens <= budget_tokens // 2:
                chosen[i], used = set(range(len(docs[i].texts))), used + found[i].tokens
        ranked = [i for i in range(len(docs)) if not chosen[i]]
        vectors = _query_vectors([docs[i] for i in ranked], question)
        static = {m for m, v in vectors.items() if v is not None} <= {StaticEmbedder.model_id}
        order = rank([docs[i] for i in ranked], vectors, question,
                     dense_weight=STATIC_DENSE_WEIGHT if static else DENSE_WEIGHT)
        taken = 0
        for j, row in order:
            i = ranked[j]
            cost = int(docs[i].tokens[row])
            if used + cost <= budget_tokens:
                chosen[i].add(row)
                used, taken = used + cost, taken + 1
                if taken >= max_chunks:
                    break
    return [p for doc, meta, rows in zip(docs, found, chosen) for p in _passages(doc, meta.filename, sorted(rows))]


def _doc(db: Database, owner: str, meta: store.Indexed) -> Doc:
    doc = cache.get(meta.attachment_id, meta.version)
    if doc is None:
        doc = store.load(db, owner, meta)
        cache.put(doc)
    return doc


def _query_vectors(docs: list[Doc], question: str) -> dict[str, np.ndarray | None]:
    """The question embedded once per model among `docs`. A model not available now (vectors made by Gemini,
    Gemini no longer configured) or failing now ranks by words alone: an answer from the right words beats none."""
    out: dict[str, np.ndarray | None] = {}
    if not terms(question):
        return out
    app = current_app._get_current_object()
    for model in {d.model for d in docs}:
        embedder = for_model(app, model)
        try:
            out[model] = embedder.query(question) if embedder else None
        except errors.ApiError as exc:
            log.warning("embedding the question failed (%s): ranking by words alone", exc.code)
            out[model] = None
    return out


def _passages(doc: Doc, filename: str, rows: list[int]) -> list[dict]:
    out: list[dict] = []
    previous = None
    for row in rows:
        if out and previous == row - 1 and out[-1]["page"] == doc.pages[row]:
            out[-1]["text"] += "\n\n" + doc.texts[row]
        else:
            out.append({"attachment_id": doc.attachment_id, "filename": filename, "page": doc.pages[row],
                        "text": doc.texts[row]})
        previous = row
    return out
