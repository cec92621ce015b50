"""Which passages a reply used, kept simple and honest: the sources the model referenced by number
([2]); when it referenced none, the passages that share the most distinctive words with the reply (at
least two, and at least half as many as the best one). Each citation quotes the passage's sentence
closest to the reply."""
from __future__ import annotations

import re

WORD = re.compile(r"\w+", re.UNICODE)
REFERENCE = re.compile(r"\[(\d{1,3})\]")
STOP = frozenset("""a an and are as at be by can could did do does for from had has have he her his how i if in into is
it its me my no not of on or our she so than that the their them then there these they this to was we were what when
where which who why will with would you your page pages file document text source sources according""".split())
MAX_CITATIONS = 3
QUOTE_CHARS = 200


def words(text: str) -> set[str]:
    return {w for w in (m.lower() for m in WORD.findall(text)) if w not in STOP and (len(w) > 2 or w.isdigit())}


def pick(answer: str, passages: list[dict]) -> list[dict]:
    """`passages`: as numbered in the prompt ({attachment_id, filename, page, text}), first is [1]."""
    if not passages or not answer.strip():
        return []
    said = words(answer)
    chosen: list[dict] = []
    for number in REFERENCE.findall(answer):
        index = int(number) - 1
        if 0 <= index < len(passages) and passages[index] not in chosen:
            chosen.append(passages[index])
    if not chosen:
        scored = [(len(said & words(p["text"])), i) for i, p in enumerate(passages)]
        best = max(score for score, _ in scored)
        if best >= 2:
            ranked = sorted((s for s in scored if s[0] * 2 >= best), key=lambda s: (-s[0], s[1]))
            chosen = [passages[i] for _, i in ranked]
    return [{"attachment_id": p["attachment_id"], "filename": p["filename"], "page": p["page"],
             "quote": quote(p["text"], said)} for p in chosen[:MAX_CITATIONS]]


def quote(text: str, said: set[str]) -> str:
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]
    if not sentences:
        return ""
    best = max(sentences, key=lambda s: len(words(s) & said))
    return best if len(best) <= QUOTE_CHARS else best[: QUOTE_CHARS - 1].rstrip() + "…"
