"""Ranking one question against the chunks of a conversation's documents, in numpy.

Hybrid: the cosine of the vectors (meaning) and BM25 over words (exact terms: a number, a name, a code,
which small embedding models blur), fused by reciprocal rank so neither scale has to be tuned against the
other. A document's matrix and word postings are built once and kept in a small per-process LRU keyed by
the document's index version, so a question costs a dot product and a few dictionary look-ups.
"""
from __future__ import annotations

import re
import threading
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field

import numpy as np

RRF_K = 60  # the constant of reciprocal rank fusion (Cormack et al. 2009): damps the head of each ranking
BM25_K1, BM25_B = 1.2, 0.75
# Words weigh more than the offline static model's vectors: on 100 generated questions over a 300-page document
# (bench/retrieval.py, two seeds) recall@5 with vectors at 0.3 was 0.99-1.00 for questions sharing or paraphrasing
# the fact's terms and 0.75-0.81 for ones naming the thing by a synonym; at 1.0 (plain fusion) 0.96-0.99 and
# 0.77-0.79; words alone 1.00 and 0.64-0.70; centring the vectors did not help. A strong model's vectors (Gemini's)
# weigh as much as the words: plain reciprocal rank fusion.
STATIC_DENSE_WEIGHT, DENSE_WEIGHT, KEYWORD_WEIGHT = 0.3, 1.0, 1.0
CANDIDATES = 200  # the head of each ranking that is fused
CACHE_BYTES = 64 * 1024 * 1024  # about 40,000 chunks of 256-d vectors with their text

_WORDS = re.compile(r"\w+", re.UNICODE)
STOPWORDS = frozenset("""a an and are as at be been but by can could did do does for from had has have how i if in
into is it its me my no not of on or our so than that the their them then there these they this to was we were
what when where which who whom why will with would you your about after again all also any because before
between both each few more most other over same should some such through under until up very while""".split())


def terms(text: str) -> list[str]:
    return [w for w in _WORDS.findall(text.lower()) if w not in STOPWORDS and (len(w) > 1 or w.isdigit())]


@dataclass
class Doc:
    """One indexed attachment as ranked: chunk rows in order, their vectors, and word postings."""

    attachment_id: str
    version: str
    model: str
    ids: list[int]
    pages: list[int]
    texts: list[str]
    tokens: np.ndarray
    vectors: np.ndarray  # (n, dims) float32, normalised
    lengths: np.ndarray = field(init=False)
    postings: dict[str, tuple[np.ndarray, np.ndarray]] = field(init=False)  # term -> (chunk rows, counts)

    def __post_init__(self):
        counts: dict[str, dict[int, int]] = defaultdict(dict)
        lengths = np.zeros(len(self.texts), dtype=np.float32)
        for row, text in enumerate(self.texts):
            words = terms(text)
            lengths[row] = len(words)
            for w in words:
                counts[w][row] = counts[w].get(row, 0) + 1
        self.lengths = lengths
        self.postings = {w: (np.fromiter(c.keys(), np.int32, len(c)), np.fromiter(c.values(), np.float32, len(c)))
                         for w, c in counts.items()}

    @property
    def nbytes(self) -> int:
        return self.vectors.nbytes + sum(len(t) for t in self.texts) * 3 + len(self.postings) * 200


class DocCache:
    def __init__(self, limit: int = CACHE_BYTES):
        self.limit, self._docs, self._lock = limit, OrderedDict(), threading.Lock()

    def get(self, attachment_id: str, version: str) -> Doc | None:
        with self._lock:
            doc = self._docs.get(attachment_id)
            if doc is None or doc.version != version:
                return None
            self._docs.move_to_end(attachment_id)
            return doc

    def put(self, doc: Doc) -> None:
        with self._lock:
            self._docs[doc.attachment_id] = doc
            self._docs.move_to_end(doc.attachment_id)
            while len(self._docs) > 1 and sum(d.nbytes for d in self._docs.values()) > self.limit:
                self._docs.popitem(last=False)


cache = DocCache()


def bm25(docs: list[Doc], query_terms: list[str]) -> list[np.ndarray]:
    """BM25 of every chunk of `docs` (one collection: idf and average length over all of them)."""
    scores = [np.zeros(len(d.texts), dtype=np.float32) for d in docs]
    n = sum(len(d.texts) for d in docs)
    if not n or not query_terms:
        return scores
    avg = max(1.0, float(sum(d.lengths.sum() for d in docs)) / n)
    for term in set(query_terms):
        df = sum(len(d.postings[term][0]) for d in docs if term in d.postings)
        if not df:
            continue
        idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
        for doc, out in zip(docs, scores):
            if term in doc.postings:
                rows, tf = doc.postings[term]
                norm = BM25_K1 * (1 - BM25_B + BM25_B * doc.lengths[rows] / avg)
                out[rows] += idf * tf * (BM25_K1 + 1) / (tf + norm)
    return scores


def _top(scores: np.ndarray, valid: np.ndarray, limit: int) -> np.ndarray:
    """The rows of the `limit` best valid scores, best first (a partial sort: O(n), not O(n log n))."""
    rows = np.flatnonzero(valid)
    if len(rows) > limit:
        rows = rows[np.argpartition(-scores[rows], limit - 1)[:limit]]
    return rows[np.argsort(-scores[rows], kind="stable")]


def rank(docs: list[Doc], query_vectors: dict[str, np.ndarray | None], question: str,
         limit: int = CANDIDATES, dense_weight: float = DENSE_WEIGHT) -> list[tuple[int, int]]:
    """(doc index, chunk row) of the best `limit` chunks, best first. `query_vectors`: the question embedded by
    each document's model (None where that model is not available now: their chunks rank by words alone).
    Only the head of each ranking is fused: past it, 1 / (k + rank) can no longer lift a chunk into a context."""
    sizes = np.array([len(d.texts) for d in docs])
    starts = np.r_[0, np.cumsum(sizes)[:-1]]
    keyword = np.concatenate(bm25(docs, terms(question)) or [np.zeros(0, np.float32)])
    # einsum, not `@`: single-threaded, so no BLAS thread wake-ups on a busy 2-core server (p50 0.8 vs 1.2 ms here)
    dense = np.concatenate([np.einsum("ij,j->i", doc.vectors, q)
                            if (q := query_vectors.get(doc.model)) is not None and len(doc.texts)
                            else np.full(len(doc.texts), -np.inf, np.float32) for doc in docs] or [np.zeros(0, np.float32)])
    fused = np.zeros(len(keyword), dtype=np.float64)
    for scores, valid, weight in ((dense, np.isfinite(dense), dense_weight), (keyword, keyword > 0, KEYWORD_WEIGHT)):
        head = _top(scores, valid, limit)
        fused[head] += weight / (RRF_K + 1 + np.arange(len(head)))
    # no signal at all (a question of stop words only): reading order, the start of a document first
    best = _top(fused, fused > 0, limit) if fused.any() else np.arange(min(limit, len(fused)))
    which = np.searchsorted(starts, best, side="right") - 1
    return list(zip(which.tolist(), (best - starts[which]).tolist()))
