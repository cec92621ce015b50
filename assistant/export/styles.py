"""Paragraph styles for exported PDFs, built on the registered Unicode fonts."""
from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle

from .fonts import FontSet

BODY_SIZE = 10.5
CODE_SIZE = 8.5
HEADING_SIZES = {1: 18, 2: 15, 3: 13, 4: 11.5, 5: 10.5, 6: 10.5}
LINK_COLOUR = "#1a56db"
MUTED = colors.HexColor("#6b7280")
CODE_BACKGROUND = colors.HexColor("#f3f4f6")
RULE = colors.HexColor("#d1d5db")


def make_styles(fonts: FontSet) -> dict[str, ParagraphStyle]:
    sans, bold, mono = fonts.face(fonts.sans), fonts.face(fonts.sans, "bold"), fonts.face(fonts.mono)
    body = ParagraphStyle("body", fontName=sans, fontSize=BODY_SIZE, leading=BODY_SIZE * 1.4, spaceAfter=6, alignment=TA_LEFT)
    styles = {
        "body": body,
        "title": ParagraphStyle("title", parent=body, fontName=bold, fontSize=22, leading=27, spaceAfter=4),
        "meta": ParagraphStyle("meta", parent=body, fontSize=9, leading=12, textColor=MUTED, spaceAfter=10),
        "role": ParagraphStyle("role", parent=body, fontName=bold, fontSize=10, leading=13, spaceBefore=10, spaceAfter=3, keepWithNext=1),
        "caption": ParagraphStyle("caption", parent=body, fontSize=9, textColor=MUTED, alignment=1),
        "cell": ParagraphStyle("cell", parent=body, fontSize=9.5, leading=12.5, spaceAfter=0),
        "header_cell": ParagraphStyle("header_cell", parent=body, fontName=bold, fontSize=9.5, leading=12.5, spaceAfter=0),
        "code": ParagraphStyle("code", parent=body, fontName=mono, fontSize=CODE_SIZE, leading=CODE_SIZE * 1.35,
                               backColor=CODE_BACKGROUND, borderPadding=(5, 6, 5, 6), spaceBefore=6, spaceAfter=12),
        "item": ParagraphStyle("item", parent=body, spaceAfter=2, bulletFontName=sans, bulletIndent=-14),
        "quote": ParagraphStyle("quote", parent=body, textColor=colors.HexColor("#374151")),
    }
    for level, size in HEADING_SIZES.items():
        styles[f"h{level}"] = ParagraphStyle(f"h{level}", parent=body, fontName=bold, fontSize=size, leading=size * 1.3,
                                             spaceBefore=size * 0.8, spaceAfter=size * 0.35, keepWithNext=1)
        styles[f"h{level}_long"] = ParagraphStyle(f"h{level}_long", parent=styles[f"h{level}"], keepWithNext=0)
    return styles
