"""PDF export: markdown content (with images) or a saved conversation, rendered with ReportLab."""
from __future__ import annotations

from .filename import content_disposition
from .images import decode_image
from .pdf import Part, render_pdf

__all__ = ["content_disposition", "export_content", "export_conversation"]

ROLE_LABELS = {"user": "You", "assistant": "Assistant"}


def export_content(title: str | None, content: str | None, images: list[str], max_image_bytes: int) -> tuple[str, bytes]:
    """Returns the title used and the PDF. Images are all checked before any rendering starts."""
    pictures = [decode_image(data, number, max_image_bytes) for number, data in enumerate(images, 1)]
    title = title or "Export"
    return title, render_pdf(title, [Part(content or "")], pictures)


def export_conversation(conversation: dict, title: str | None = None) -> tuple[str, bytes]:
    title = title or conversation["title"] or "Conversation"
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
