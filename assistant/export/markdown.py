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
from reportlab.platypus import Flowable, HRFlowable, Indenter, Paragraph, Spacer, Table, TableStyle, XPreformatted

from .fonts import FontSet
from .styles import CODE_BACKGROUND, CODE_SIZE, LINK_COLOUR, RULE

MAX_NESTING = 20  # markdown-it's own guard against runaway recursion (about ten list levels)
_parser = MarkdownIt("commonmark", {"html": False, "maxNesting": MAX_NESTING}).enable(["table", "strikethrough"])
LINK_SCHEMES = ("http://", "https://", "mailto:")
INDENT = 18
MAX_INDENT = 6 * INDENT
MAX_HEADING_CHARS = 300  # at most about ten lines: far from a page
TALL_CELL_POINTS = 300  # a cell this tall may not fit on what is left of a page
MAX_TABLE_POINTS = 4000  # about five pages
CONTINUED = "↪ "  # starts the continuation of a wrapped code line


def _attr(value: str) -> str:
    return escape(value, {'"': "&quot;"})


class MarkdownRenderer:
    def __init__(self, fonts: FontSet, styles: dict, width: float):
        self.fonts, self.styles, self.width = fonts, styles, width
        self.mono = fonts.face(fonts.mono)

    def render(self, text: str) -> list[Flowable]:
        tokens = _parser.parse(text)
        self._lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")  # as markdown-it counts lines
        if any(t.nesting == 1 and t.level >= MAX_NESTING - 1 for t in tokens):
            # markdown-it silently skips the rest of a document nested this deep: keep every word, lose the formatting
            return [Paragraph(escape(para).replace("\n", "<br/>"), self.styles["body"]) for para in text.split("\n\n") if para.strip()]
        return self._blocks(SyntaxTreeNode(tokens).children, indent=0, style="body")

    # --- blocks: `indent` is the current left indent in points; `bullet` marks a list item's first paragraph
    def _blocks(self, nodes, indent: float, style: str, bullet: str | None = None) -> list[Flowable]:
        out: list[Flowable] = []
        for node in nodes:
            out.extend(self._block(node, indent, style, bullet))
            bullet = None
        return out

    def _block(self, node: SyntaxTreeNode, indent: float, style: str, bullet: str | None = None) -> list[Flowable]:
        kind = node.type
        if kind == "heading":
            text = self._inline(node.children[0])
            # ReportLab loops forever on a keep-with-next paragraph taller than a page: long headings don't keep
            style = self.styles[node.tag if len(text) <= MAX_HEADING_CHARS else f"{node.tag}_long"]
            return [Paragraph(text, style, bulletText=bullet)]
        if kind == "paragraph":
            return [Paragraph(self._inline(node.children[0]), self.styles[style], bulletText=bullet)]
        if kind in ("bullet_list", "ordered_list"):
            return self._list(node, indent)
        if kind in ("fence", "code_block"):
            return [self._code(node.content, indent)]
        if kind == "blockquote":
            return self._indented(node.children, indent, "quote")
        if kind == "hr":
            return [HRFlowable(width="100%", thickness=0.7, color=RULE, spaceBefore=6, spaceAfter=8)]
        if kind == "table":
            return [self._table(node, indent)]
        # html_block and anything unforeseen: its text, escaped
        text = node.content or "".join(c.content for c in node.walk() if c.type == "text")
        return [Paragraph(escape(text).replace("\n", "<br/>"), self.styles[style], bulletText=bullet)] if text.strip() else []

    def _indented(self, nodes, indent: float, style: str, bullet: str | None = None) -> list[Flowable]:
        step = INDENT if indent < MAX_INDENT else 0  # deep nesting stops indenting, so the text column never vanishes
        return [Indenter(left=step), *self._blocks(nodes, indent + step, style, bullet), Indenter(left=-step)]

    def _list(self, node: SyntaxTreeNode, indent: float) -> list[Flowable]:
        # Paragraphs with a bullet, not ListFlowable: a third of the time, and no nesting limit of its own
        ordered = node.type == "ordered_list"
        start = int(node.attrs.get("start", 1)) if ordered else 1
        out: list[Flowable] = []
        for number, item in enumerate(node.children, start):
            out.extend(self._indented(item.children, indent, "item", f"{number}." if ordered else "•"))
        if out:
            out.append(Spacer(1, 2 if indent else 5))
        return out

    def _code(self, text: str, indent: float) -> XPreformatted:
        per_line = max(20, int((self.width - indent - 14) / stringWidth("0", self.mono, CODE_SIZE)))  # 14: padding
        lines = []
        for line in text.rstrip("\n").expandtabs(4).split("\n"):  # long lines wrap, marked, instead of running off the page
            lines.append(line[:per_line])
            lines.extend(CONTINUED + line[i:i + per_line - len(CONTINUED)]
                         for i in range(per_line, len(line), per_line - len(CONTINUED)))
        # XPreformatted (not Preformatted) so the background shading is drawn; hence the escaping
        return XPreformatted(escape("\n".join(lines)), self.styles["code"])

    def _table(self, node: SyntaxTreeNode, indent: float) -> Table | XPreformatted:
        sections = {section.type: section.children for section in node.children}
        head, body = sections.get("thead", []), sections.get("tbody", [])
        columns = max(len(tr.children) for tr in head + body)
        width = (self.width - indent) / columns
        rows = [[self._cell(td, style, width) for td in tr.children] + [""] * (columns - len(tr.children))  # ragged rows
                for style, trs in (("header_cell", head), ("cell", body)) for tr in trs]
        # rough height of the longest cell: characters x average width / column width x line height
        heights = [max((self._height(c, width) for c in row), default=0) for row in rows]
        if sum(heights) > MAX_TABLE_POINTS and node.map:
            # narrow columns of long text take ReportLab many seconds to lay out: show the table's source instead
            return self._code("\n".join(self._lines[node.map[0]:node.map[1]]), indent)
        tall = max(heights) > TALL_CELL_POINTS
        # splitInRow lets a row taller than a page break across pages; it costs a quarter more, so only when needed
        table = Table(rows, colWidths=[width] * columns, repeatRows=len(head), splitInRow=int(tall), hAlign="LEFT")
        cell, header = self.styles["cell"], self.styles["header_cell"]
        style = [("FONT", (0, 0), (-1, -1), cell.fontName, cell.fontSize, cell.leading),
                 ("GRID", (0, 0), (-1, -1), 0.5, RULE), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                 ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]
        if head:
            style += [("FONT", (0, 0), (-1, len(head) - 1), header.fontName, header.fontSize, header.leading),
                      ("BACKGROUND", (0, 0), (-1, len(head) - 1), CODE_BACKGROUND)]
        table.setStyle(TableStyle(style))
        table.spaceAfter = 8
        return table

    @staticmethod
    def _height(cell: str | Paragraph, width: float) -> float:
        """A cell's rough height: characters x average width / column width x line height."""
        if not isinstance(cell, Paragraph):
            return 0
        return len(cell.text) * 0.6 * cell.style.fontSize / max(width - 12, 1) * cell.style.leading

    def _cell(self, td: SyntaxTreeNode, style: str, width: float) -> str | Paragraph:
        if not td.children:
            return ""
        inline, look = td.children[0], self.styles[style]
        if all(child.type == "text" for child in inline.children):
            text = "".join(child.content for child in inline.children)
            if stringWidth(text, look.fontName, look.fontSize) <= width - 12:  # 12: the cell's padding
                return text  # short plain cells (most of them) skip the paragraph parser: a third of a table's cost
        return Paragraph(self._inline(inline), look)

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
