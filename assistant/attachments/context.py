"""What the model receives about a conversation's attachments with each question (follow-ups too):
numbered passages from retrieval within a token budget that leaves room for the history, and per engine
- Gemini: the images, PDFs and recordings themselves (gemini_files), plus the passages for citing pages;
- OpenAI-compatible: the passages; images as image_url data, with their OCR text and facts as fallback;
- embedded: the passages, and each image's facts in words."""
from __future__ import annotations

import time
from dataclasses import dataclass, replace

from .. import errors
from ..ai.base import FilePart, Turn
from ..config import Settings
from . import store

PROCESSING_POLL_S = 0.25
# Of the embedded engine's context left after its reply: the rest is for the history and the question (and a
# small model reads a short prompt faster and better).
LOCAL_SHARE = 0.25


@dataclass(frozen=True)
class Prepared:
    turns: list[Turn]
    passages: list[dict]  # as numbered in the prompt: [1] is the first


def check_usable(db, owner: str, ids: list[str], conversation_id: str | None, engine: str, wait_s: float) -> None:
    """Before the message is saved: every id is the owner's and unsent or already in this conversation
    (else 404, as for a missing one); one still being read is waited for, boundedly; one that failed,
    or has no text for an engine that reads only text, is refused with the reason."""
    if not ids:
        return
    deadline = time.monotonic() + wait_s
    while True:
        found = store.statuses(db, owner, ids, conversation_id)
        if len(found) < len(set(ids)):
            raise errors.NotFound(store.GONE)
        waiting = [m for m in found.values() if m.status == "processing"]
        if not waiting:
            break
        if time.monotonic() >= deadline:
            raise errors.Conflict(f"{waiting[0].filename} is still being read; send the message again in a moment.",
                                  retry_after=5)
        time.sleep(PROCESSING_POLL_S)
    for meta in found.values():
        if meta.status == "failed":
            raise errors.UnprocessableFile(f"{meta.filename} could not be read: {meta.error or 'unknown reason'}")
        sees_file = engine == "gemini" and meta.mime_type.startswith(("image/", "audio/", "application/pdf"))
        if meta.status == "empty" and not sees_file and not meta.mime_type.startswith("image/"):
            raise errors.UnprocessableFile(
                f"{meta.filename} has no text that could be read (a blank or unreadable file), so there is nothing to "
                "answer from. Attach a file with text, or use a model that reads the file itself.")


def budget(provider, settings: Settings) -> int:
    if provider.engine == "local":
        return max(200, int((settings.local_llm_context - settings.local_llm_max_tokens) * LOCAL_SHARE))
    return settings.attachment_context_tokens


def prepare(db, owner: str, provider, conversation_id: str, turns: list[Turn], settings: Settings) -> Prepared:
    metas = [m for m in store.of_conversation(db, owner, conversation_id) if m.status in ("ready", "empty")]
    if not metas or not turns:
        return Prepared(turns, [])
    question = turns[-1].content
    readable = [m.id for m in metas if m.status == "ready"]
    passages = []
    if readable:
        from .. import retrieval  # the chunks and their vectors (assistant/retrieval)

        # with the question before it: "and who signed it?" alone names nothing to look for
        asked = [t.content for t in turns if t.role == "user"][-2:]
        passages = retrieval.context_for(db, owner, readable, "\n".join(asked), budget(provider, settings))
    extractions = store.extractions(db, owner, [m.id for m in metas])
    files: tuple[FilePart, ...] = ()
    if provider.engine == "gemini":
        from .gemini_files import parts

        files = tuple(parts(db, owner, metas, provider.client, int(settings.gemini_inline_mb * 1024 * 1024)))
    elif provider.engine == "openai":
        files = tuple(_images_for_openai(db, owner, metas, extractions))
    sees_images = provider.engine != "local"
    content = _prompt(metas, extractions, passages, question, describe_images=not sees_images)
    return Prepared([*turns[:-1], replace(turns[-1], content=content, files=files)], passages)


def _images_for_openai(db, owner: str, metas: list[store.Meta], extractions: dict) -> list[FilePart]:
    out = []
    for meta in metas:
        if meta.mime_type in ("image/png", "image/jpeg", "image/webp", "image/gif"):
            _, data = store.content(db, owner, meta.id)
            out.append(FilePart(meta.mime_type, data=data, fallback=_image_words(meta, extractions.get(meta.id))))
    return out


def _image_words(meta: store.Meta, extraction: dict | None) -> str:
    extraction = extraction or {}
    from ..documents.analysis import describe_image  # here: it brings PyMuPDF and Pillow, which idle workers need not hold

    facts = describe_image(extraction["image"]) if extraction.get("image") else "An image."
    text = " ".join(p["text"] for p in extraction.get("pages", []) if p["text"].strip())
    return f"{meta.filename}: {facts}" + (f" Text read from it by OCR: {text}" if text else " No text was found in it.")


def _prompt(metas, extractions: dict, passages: list[dict], question: str, *, describe_images: bool) -> str:
    lines = ["Attached files: " + ", ".join(m.filename for m in metas) + "."]
    for meta in metas:
        if describe_images and meta.mime_type.startswith("image/"):
            lines.append(_image_words(meta, extractions.get(meta.id)))
        elif meta.status == "empty":
            lines.append(f"{meta.filename} has no text that could be read.")
    if passages:
        lines.append("\nPassages from the files, numbered. Answer from them and cite the numbers you use, like [1].")
        for number, p in enumerate(passages, 1):
            lines.append(f"\n[{number}] {p['filename']}, page {p['page']}:\n{p['text'].strip()}")
    lines.append(f"\nQuestion: {question}")
    return "\n".join(lines)
