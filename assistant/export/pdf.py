"""Assemble an exported PDF: title, export date, markdown parts, images, and "page N of M" footers."""
from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from xml.sax.saxutils import escape

from PIL import Image as PILImage
from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import HRFlowable, Image, KeepTogether, Paragraph, SimpleDocTemplate, Spacer
from reportlab.platypus.doctemplate import LayoutError

from .. import errors
from .fonts import FontSet, load_fonts
from .markdown import MarkdownRenderer
from .styles import MUTED, RULE, make_styles

MARGIN = 2 * cm
PAGE_WIDTH, PAGE_HEIGHT = A4
FRAME_PADDING = 6  # platypus frames keep 6 pt inside their edges
FRAME_WIDTH = PAGE_WIDTH - 2 * MARGIN - 2 * FRAME_PADDING
FRAME_HEIGHT = PAGE_HEIGHT - 2 * MARGIN - 2 * FRAME_PADDING
POINTS_PER_PIXEL = 0.75  # 96 dpi: small images keep their natural size instead of being blown up
FOOTER_TITLE_CHARS = 80
rl_config.useA85 = 0  # binary streams: a quarter smaller and faster to write than ASCII85 text


@dataclass(frozen=True)
class Part:
    """One piece of the document: markdown under an optional heading line (a chat message's author)."""

    markdown: str
    label: str | None = None
    note: str | None = None  # shown after the label, muted: time, "incomplete"
    images: tuple[tuple[str, PILImage.Image], ...] = ()  # (caption, picture) after the text: attached images


def render_pdf(title: str, parts: Iterable[Part], images: Iterable[PILImage.Image] = (), *,
               exported_at: datetime | None = None, fonts: FontSet | None = None) -> bytes:
    fonts = fonts or load_fonts()
    styles = make_styles(fonts)
    when = exported_at or datetime.now(timezone.utc)
    markdown = MarkdownRenderer(fonts, styles, FRAME_WIDTH)

    story = [
        Paragraph(escape(title), styles["title"]),
        Paragraph(f"Exported on {when.day} {when:%B %Y}, {when:%H:%M} UTC · AI Assistant", styles["meta"]),
        HRFlowable(width="100%", thickness=0.7, color=RULE, spaceAfter=10),
    ]
    for part in parts:
        if part.label:
            note = f' <font color="#6b7280" size="8.5">{escape(part.note)}</font>' if part.note else ""
            story.append(Paragraph(escape(part.label) + note, styles["role"]))
        story.extend(markdown.render(part.markdown))
        for caption, picture in part.images:
            story.append(KeepTogether([Spacer(1, 6), _image(picture), Paragraph(escape(caption), styles["caption"])]))
    for number, picture in enumerate(images, 1):
        story.append(KeepTogether([Spacer(1, 8), _image(picture), Paragraph(f"Image {number}", styles["caption"])]))

    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                            bottomMargin=MARGIN, title=title, author="AI Assistant", creator="AI Assistant",
                            subject="Exported from AI Assistant")
    footer = title if len(title) <= FOOTER_TITLE_CHARS else title[: FOOTER_TITLE_CHARS - 1] + "…"
    try:
        doc.build(story, canvasmaker=lambda *a, **k: _NumberedCanvas(*a, footer=footer, fonts=fonts, **k))
    except LayoutError:
        raise errors.UnprocessableFile("This content could not be laid out on a page (an element is too large).") from None
    return out.getvalue()


def _image(picture: PILImage.Image) -> Image:
    width, height = picture.width * POINTS_PER_PIXEL, picture.height * POINTS_PER_PIXEL
    scale = min(1.0, FRAME_WIDTH / width, FRAME_HEIGHT * 0.85 / height)  # room left for the caption
    data = io.BytesIO()
    picture.save(data, "PNG", compress_level=1)  # speed over size: ReportLab deflates the pixels again anyway
    data.seek(0)
    return Image(data, width=width * scale, height=height * scale)


class _NumberedCanvas(Canvas):
    """Holds each page until the end so the footer can say "page N of M" (one pass, no rebuild)."""

    def __init__(self, *args, footer: str, fonts: FontSet, **kwargs):
        super().__init__(*args, **kwargs)
        self._footer, self._font = footer, fonts.face(fonts.sans)
        self._pages: list[dict] = []

    def showPage(self):  # noqa: N802 - ReportLab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self.setFont(self._font, 8)
            self.setFillColor(MUTED)
            self.drawString(MARGIN, MARGIN / 2, self._footer)
            self.drawRightString(PAGE_WIDTH - MARGIN, MARGIN / 2, f"Page {self._pageNumber} of {total}")
            super().showPage()
        super().save()
