"""Retrieval over attached files: chunks of each page with their vectors, and the passages that go with a
question within a token budget (issue 13).

    index(db, owner, attachment_id, pages)                       # pages: [(page number, text)]
    context_for(db, owner, attachment_ids, question, budget_tokens)
        -> [{"attachment_id", "filename", "page", "text"}]

Both run in an app context (the embedding model follows the app's engine: Gemini's when Gemini is the
engine, else the offline one). Chunks go with their attachment (ON DELETE CASCADE).
"""
from .context import context_for
from .indexing import index

__all__ = ["context_for", "index"]
