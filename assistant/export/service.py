"""PDF export service: markdown content (with images) or a saved conversation, rendered with ReportLab."""
from __future__ import annotations

from .. import errors
from ..schemas import MAX_EXPORT_CHARS
from .images import decode_image
from .pdf import Part, render_pdf

ROLE_LABELS = {"user": "You", "assistant": "Assistant"}


def export_content(title: str | None, content: str | None, images: list[str], max_image_bytes: int) -> tuple[str, bytes]:
    """Returns the title used and the PDF. Images are all checked before any rendering starts."""
    pictures = [decode_image(data, number, max_image_bytes) for number, data in enumerate(images, 1)]
    title = title or "Export"
    return title, render_pdf(title, [Part(content or "")], pictures)


def export_conversation(conversation: dict, title: str | None = None) -> tuple[str, bytes]:
    title = title or conversation["title"] or "Conversation"
    size = sum(len(m["content"]) for m in conversation["messages"]) + len(conversation.get("system") or "")
    if size > MAX_EXPORT_CHARS:
        raise errors.PayloadTooLarge(f"This conversation is too long to export as one PDF ({size:,} characters; "
                                     f"the limit is {MAX_EXPORT_CHARS:,}).")
    parts = []
    if conversation.get("system"):
        parts.append(Part(conversation["system"], label="System prompt"))
    for message in conversation["messages"]:
        when = message["created_at"]
        note = f"{when:%Y-%m-%d %H:%M} UTC" if when else ""
        if message.get("status") == "incomplete":
            note += " · incomplete (the reply was cut short)"
        parts.append(Part(message["content"], label=ROLE_LABELS.get(message["role"], message["role"]), note=note))
    return title, render_pdf(title, parts)


def to_markdown(conversation: dict) -> str:
    """The path being viewed as Markdown: a heading, then each turn under its speaker."""
    lines = [f"# {conversation['title'] or 'Conversation'}", ""]
    if conversation.get("system"):
        lines += ["> **System prompt:** " + conversation["system"].replace("\n", "\n> "), ""]
    for message in conversation["messages"]:
        when = message["created_at"]
        stamp = f" · {when:%Y-%m-%d %H:%M} UTC" if when else ""
        cut = " · *incomplete (the reply was cut short)*" if message.get("status") == "incomplete" else ""
        lines += [f"## {ROLE_LABELS.get(message['role'], message['role'])}{stamp}{cut}", "", message["content"], ""]
    return "\n".join(lines)
