"""Markdown (CommonMark + tables + strikethrough, parsed by markdown-it-py) to ReportLab flowables.

Raw HTML is not interpreted: it is shown as text. Links keep only web and mail schemes; images
written in the markdown are never fetched (a server must not reach out to URLs in user text): their
alt text is shown instead.
"""
from __future__ import annotations

from xml.sax.saxutils import escape

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, HRFlowable, Indenter, ListFlowable, ListItem, Paragraph, Table, TableStyle, XPreformatted

from .fonts import FontSet
from .styles import CODE_BACKGROUND, CODE_SIZE, LINK_COLOUR, RULE

MAX_NESTING = 20  # markdown-it's own guard against runaway recursion (about ten list levels)
_parser = MarkdownIt("commonmark", {"html": False, "maxNesting": MAX_NESTING}).enable(["table", "strikethrough"])
LINK_SCHEMES = ("http://", "https://", "mailto:")
INDENT = 16
MAX_INDENT_DEPTH = 6  # deeper nesting stops indenting, so the text column never vanishes
CONTINUED = "↪ "  # starts the continuation of a wrapped code line


def _attr(value: str) -> str:
    return escape(value, {'"': "&quot;"})


class MarkdownRenderer:
    def __init__(self, fonts: FontSet, styles: dict, width: float):
        self.fonts, self.styles, self.width = fonts, styles, width
        self.mono = fonts.face(fonts.mono)

    def render(self, text: str) -> list[Flowable]:
        tokens = _parser.parse(text)
        if any(t.nesting == 1 and t.level >= MAX_NESTING - 1 for t in tokens):
            # markdown-it silently skips the rest of a document nested this deep: keep every word, lose the formatting
            return [Paragraph(escape(para).replace("\n", "<br/>"), self.styles["body"]) for para in text.split("\n\n") if para.strip()]
        return self._blocks(SyntaxTreeNode(tokens).children, depth=0, style="body")

    # --- blocks -------------------------------------------------------------------------------
    def _blocks(self, nodes, depth: int, style: str) -> list[Flowable]:
        out: list[Flowable] = []
        for node in nodes:
            out.extend(self._block(node, depth, style))
        return out

    def _block(self, node: SyntaxTreeNode, depth: int, style: str) -> list[Flowable]:
        kind = node.type
        if kind == "heading":
            return [Paragraph(self._inline(node.children[0]), self.styles[node.tag])]
        if kind == "paragraph":
            return [Paragraph(self._inline(node.children[0]), self.styles[style])]
        if kind in ("bullet_list", "ordered_list"):
            return self._list(node, depth)
        if kind in ("fence", "code_block"):
            return [self._code(node.content, depth)]
        if kind == "blockquote":
            indent = INDENT if depth < MAX_INDENT_DEPTH else 0
            return [Indenter(left=indent), *self._blocks(node.children, depth + 1, "quote"), Indenter(left=-indent)]
        if kind == "hr":
            return [HRFlowable(width="100%", thickness=0.7, color=RULE, spaceBefore=6, spaceAfter=8)]
        if kind == "table":
            return [self._table(node, depth)]
        # html_block and anything unforeseen: its text, escaped
        text = node.content or "".join(c.content for c in node.walk() if c.type == "text")
        return [Paragraph(escape(text).replace("\n", "<br/>"), self.styles[style])] if text.strip() else []

    def _list(self, node: SyntaxTreeNode, depth: int) -> list[Flowable]:
        ordered = node.type == "ordered_list"
        start = int(node.attrs.get("start", 1)) if ordered else 1
        if depth >= MAX_INDENT_DEPTH:
            # ReportLab drops everything after ListFlowables nested ten deep: flatten, marker in the text
            out = []
            for number, item in enumerate(node.children, start):
                blocks = self._blocks(item.children, depth + 1, "item")
                if blocks and isinstance(blocks[0], Paragraph):
                    marker = f"{number}." if ordered else "•"
                    blocks[0] = Paragraph(f"{marker} {blocks[0].text}", self.styles["item"])
                out.extend(blocks)
            return out
        items = [ListItem(self._blocks(item.children, depth + 1, "item") or [Paragraph("", self.styles["item"])])
                 for item in node.children]
        return [ListFlowable(
            items, bulletType="1" if ordered else "bullet", start=start if ordered else "•",
            leftIndent=INDENT + 4, bulletFontName=self.fonts.face(self.fonts.sans), bulletFontSize=self.styles["body"].fontSize,
            bulletDedent=INDENT - 2, bulletFormat="%s." if ordered else None, spaceAfter=4 if depth else 8,
        )]

    def _code(self, text: str, depth: int) -> XPreformatted:
        usable = self.width - min(depth, MAX_INDENT_DEPTH) * (INDENT + 4) - 14  # minus the padding
        per_line = max(20, int(usable / stringWidth("0", self.mono, CODE_SIZE)))
        lines = []
        for line in text.rstrip("\n").expandtabs(4).split("\n"):  # long lines wrap, marked, instead of running off the page
            lines.append(line[:per_line])
            lines.extend(CONTINUED + line[i:i + per_line - len(CONTINUED)]
                         for i in range(per_line, len(line), per_line - len(CONTINUED)))
        # XPreformatted (not Preformatted) so the background shading is drawn; hence the escaping
        return XPreformatted(escape("\n".join(lines)), self.styles["code"])

    def _table(self, node: SyntaxTreeNode, depth: int) -> Table:
        rows, header = [], 0
        for section in node.children:  # thead, tbody
            for tr in section.children:
                cell_style = self.styles["header_cell" if section.type == "thead" else "cell"]
                rows.append([Paragraph(self._inline(td.children[0]) if td.children else "", cell_style) for td in tr.children])
            header += len(section.children) if section.type == "thead" else 0
        columns = max(len(r) for r in rows)
        for row in rows:  # markdown tables may have ragged rows
            row.extend(Paragraph("", self.styles["cell"]) for _ in range(columns - len(row)))
        usable = self.width - min(depth, MAX_INDENT_DEPTH) * (INDENT + 4)
        table = Table(rows, colWidths=[usable / columns] * columns, repeatRows=header, splitInRow=1, hAlign="LEFT")
        style = [("GRID", (0, 0), (-1, -1), 0.5, RULE), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                 ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]
        if header:
            style.append(("BACKGROUND", (0, 0), (-1, header - 1), CODE_BACKGROUND))
        table.setStyle(TableStyle(style))
        table.spaceAfter = 8
        return table

    # --- inline -------------------------------------------------------------------------------
    def _inline(self, node: SyntaxTreeNode) -> str:
        return "".join(self._span(child) for child in node.children)

    def _span(self, node: SyntaxTreeNode) -> str:
        kind = node.type
        if kind in ("text", "html_inline"):
            return escape(node.content)
        if kind == "softbreak":
            return " "
        if kind == "hardbreak":
            return "<br/>"
        if kind == "code_inline":
            return f'<font face="{self.mono}" backColor="#f3f4f6">{escape(node.content)}</font>'
        inner = self._inline(node)
        if kind == "strong":
            return f"<b>{inner}</b>"
        if kind == "em":
            return f"<i>{inner}</i>"
        if kind == "s":
            return f"<strike>{inner}</strike>"
        if kind == "link":
            href = str(node.attrs.get("href", ""))
            if href.lower().startswith(LINK_SCHEMES):
                return f'<a href="{_attr(href)}" color="{LINK_COLOUR}"><u>{inner}</u></a>'
            return inner
        if kind == "image":
            alt = inner or escape(str(node.attrs.get("src", "")))
            return f'<font color="#6b7280">[image: {alt}]</font>'
        return inner
