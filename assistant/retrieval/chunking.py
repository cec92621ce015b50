"""Splitting extracted pages into passages: by page (so that every passage cites one page), then by
paragraph, merged up to about TARGET_TOKENS; a paragraph longer than MAX_TOKENS is cut at sentences, and
a sentence longer than that at words. Token counts are estimates (about four characters a token, the
usual rule for English with the models we use): good enough for budgets, never used for billing."""
from __future__ import annotations

import re
from dataclasses import dataclass

TARGET_TOKENS = 200  # small enough that a fact is not diluted in its vector, big enough to keep its context
MAX_TOKENS = 320

_PARAGRAPHS = re.compile(r"\n\s*\n")
_SENTENCES = re.compile(r"(?<=[.!?;:])\s+")


def estimate_tokens(text: str) -> int:
    return max(1, (len(text) + 3) // 4)


@dataclass(frozen=True)
class Passage:
    page: int
    text: str
    tokens: int


def split_pages(pages: list[tuple[int, str]]) -> list[Passage]:
    out: list[Passage] = []
    for number, text in pages:
        pieces = [p for para in _PARAGRAPHS.split(text) for p in _fit(_tidy(para))]
        out.extend(Passage(number, t, estimate_tokens(t)) for t in _merge(pieces))
    return out


def _tidy(paragraph: str) -> str:
    # PDF text layers break lines inside paragraphs: join them; hyphenated line ends become one word
    return re.sub(r"\s+", " ", re.sub(r"(\w)-\n(\w)", r"\1\2", paragraph)).strip()


def _fit(paragraph: str) -> list[str]:
    """The paragraph, or its sentences (or words) in pieces of at most MAX_TOKENS."""
    if not paragraph:
        return []
    if estimate_tokens(paragraph) <= MAX_TOKENS:
        return [paragraph]
    parts = _SENTENCES.split(paragraph)
    if len(parts) == 1:  # one endless sentence (a table, a list without punctuation): cut at words
        parts = paragraph.split(" ")
    return _merge(parts, limit=TARGET_TOKENS, sep=" ", hard=MAX_TOKENS)


def _merge(parts: list[str], limit: int = TARGET_TOKENS, sep: str = "\n\n", hard: int = MAX_TOKENS) -> list[str]:
    """Consecutive parts joined while they stay within `limit` tokens; a part over `hard` is cut by characters."""
    out: list[str] = []
    current = ""
    for part in parts:
        while estimate_tokens(part) > hard:  # a single word of thousands of characters: cut it
            head, part = part[:hard * 4], part[hard * 4:]
            if current:
                out.append(current)
                current = ""
            out.append(head)
        joined = f"{current}{sep}{part}" if current else part
        if current and estimate_tokens(joined) > limit:
            out.append(current)
            current = part
        else:
            current = joined
    if current:
        out.append(current)
    return out
