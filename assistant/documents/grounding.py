"""Does an analysis state only what its document says? The facts a reader would act on — numbers, dates,
proper names — must each appear in the extracted text; when the small offline model writes one that does
not, its summary is replaced by the document's own key lines (a plainly labelled extract), so an offline
analysis never invents an invoice number or a company. bench/grounding.py measures it on the test corpus.
"""
from __future__ import annotations

import re

NUMBER = re.compile(r"\d+(?:[.,:/-]\d+)*")
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
SENTENCE = re.compile(r"(?<=[.!?:;])\s+|\n+")
# Words capitalised mid-sentence that name nothing in particular.
ORDINARY = {"I", "OCR", "PDF", "AI", "OK", "The", "This", "It", "A", "An", "In", "On", "Offline"}
KEY_LINES = 5
LINE_CHARS = 220


def _digits(value: str) -> str:
    return re.sub(r"[.,:/-]", "", value)


def facts(text: str) -> set[str]:
    """The numbers (as digit strings) and proper names in a text."""
    found = {_digits(n) for n in NUMBER.findall(text)}
    found |= {w for sentence in SENTENCE.split(text) for w in names(sentence)}
    return found


def names(sentence: str) -> list[str]:
    """Capitalised (or all-caps) words that do not open the sentence: names, places, months."""
    words = WORD.findall(sentence)[1:]
    return [w for w in words if w[0].isupper() and w not in ORDINARY]


def ungrounded(analysis: str, source: str) -> list[str]:
    """The facts of `analysis` that `source` does not contain (names compared without case)."""
    numbers = {_digits(n) for n in NUMBER.findall(source)}
    lowered = source.lower()
    missing = []
    for fact in sorted(facts(analysis)):
        # a number may be part of one in the text ("2024" of "2024-117")
        held = any(fact in n for n in numbers) if fact.isdigit() else re.search(rf"\b{re.escape(fact.lower())}", lowered) is not None
        if not held:
            missing.append(fact)
    return missing


def key_lines(text: str, limit: int = KEY_LINES) -> list[str]:
    """The document's own sentences that carry facts (numbers, names), in reading order; its first
    sentences when none does."""
    sentences = [" ".join(s.split()) for s in SENTENCE.split(text) if len(s.split()) >= 3]
    informative = [s for s in sentences if NUMBER.search(s) or names(s)]
    chosen = (informative or sentences)[:limit]
    return [s if len(s) <= LINE_CHARS else s[:LINE_CHARS - 1].rstrip() + "…" for s in chosen]
