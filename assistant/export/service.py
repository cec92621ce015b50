"""PDF export service: markdown content (with images) or a saved conversation, rendered with ReportLab."""
from __future__ import annotations

from .. import errors, offload
from ..schemas import MAX_EXPORT_CHARS
from .images import decode_image, image_from_bytes
from .fonts import load_fonts
from .pdf import Part, render_pdf

ROLE_LABELS = {"user": "You", "assistant": "Assistant"}


def export_content(title: str | None, content: str | None, images: list[str], max_image_bytes: int) -> tuple[str, bytes]:
    """Returns the title used and the PDF. Images are all checked before any rendering starts."""
    pictures = [decode_image(data, number, max_image_bytes) for number, data in enumerate(images, 1)]
    title = title or "Export"
    return title, _render(title, [Part(content or "")], pictures)


def export_conversation(conversation: dict, title: str | None = None, pictures: dict[str, bytes] | None = None,
                        max_image_bytes: int = 50 * 1024 * 1024) -> tuple[str, bytes]:
    """`pictures`: the bytes of the attached images by attachment id, shown under their message."""
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
        files = message.get("attachments") or []
        listed = "\n\n*Attached: " + ", ".join(_md_escape(f["filename"]) for f in files) + "*" if files else ""
        shown = tuple((f["filename"], image_from_bytes(pictures[f["id"]], f["filename"], max_image_bytes))
                      for f in files if pictures and f["id"] in pictures)
        parts.append(Part(message["content"] + listed, label=ROLE_LABELS.get(message["role"], message["role"]), note=note,
                          images=shown))
    return title, _render(title, parts)


def _render(title: str, parts: list[Part], pictures=()) -> bytes:
    """ReportLab lays out in pure Python and keeps the interpreter lock for long stretches: the layout runs in a
    forked copy (offload.call_process). The fonts are registered here first, once, so every copy has them."""
    fonts = offload.call(load_fonts)
    return offload.call_process(render_pdf, title, parts, pictures, fonts=fonts)


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
        if message.get("attachments"):
            lines += ["*Attached: " + ", ".join(_md_escape(f["filename"]) for f in message["attachments"]) + "*", ""]
    return "\n".join(lines)


def _md_escape(text: str) -> str:
    """A file name shown as text in markdown, not read as emphasis or links."""
    return "".join("\\" + c if c in "\\`*_[]()<>#!|" else c for c in text)
