"""An editable PowerPoint file, made with python-pptx from the compiled deck.

Each slide's blocks become real shapes, stacked top-down where the slide puts them: the first heading is the
slide's title (a title placeholder, so PowerPoint's outline and accessibility checker know it), other headings
and paragraphs are text boxes with their bold/italic/code/link runs, lists keep their levels, tables are
tables, code is a monospace box, and the speaker notes go into the notes pane. The background is the slide's
`backgroundColor`, or the colour slidekit's own PDF shows in the slide's corner (a theme's background).
Positions and heights are estimated from the text (a simple flow), not measured."""

from __future__ import annotations

import io
import math

from ..deck.model import Deck, Slide
from ..markdown.renderer import plain_text
from .notes import slide_notes_text

EMU_PER_PT = 12700
HEADING_PT = {1: 40, 2: 32, 3: 28, 4: 24, 5: 22, 6: 20}
BODY_PT, CODE_PT, TABLE_PT = 22, 16, 18
MONO = "Courier New"


def _rgb(value):
    from pptx.dml.color import RGBColor
    text = str(value or "").strip().lstrip("#")
    if len(text) == 3:
        text = "".join(c * 2 for c in text)
    try:
        return RGBColor.from_string(text.upper()) if len(text) == 6 else None
    except ValueError:
        return None


def _page_colours(pdf: bytes | None, count: int) -> list[tuple[int, int, int] | None]:
    """The colour of each PDF page's top-left corner (the slide's background as drawn)."""
    if not pdf:
        return [None] * count
    import pypdfium2 as pdfium
    document = pdfium.PdfDocument(pdf)
    colours = []
    try:
        for index in range(min(count, len(document))):
            image = document[index].render(scale=0.1, draw_annots=False).to_pil().convert("RGB")
            colours.append(image.getpixel((1, 1)))
    finally:
        document.close()
    return colours + [None] * (count - len(colours))


def _runs(children: list[dict], bold=False, italic=False, code=False, link=None):
    """(text, bold, italic, code, link) runs of inline tokens."""
    for tok in children:
        kind = tok["type"]
        if kind == "text":
            yield tok.get("raw", ""), bold, italic, code, link
        elif kind == "codespan":
            yield tok.get("raw", ""), bold, italic, True, link
        elif kind in ("linebreak", "softbreak"):
            yield ("\n" if kind == "linebreak" else " "), bold, italic, code, link
        elif kind == "strong":
            yield from _runs(tok.get("children", []), True, italic, code, link)
        elif kind == "emphasis":
            yield from _runs(tok.get("children", []), bold, True, code, link)
        elif kind == "link":
            yield from _runs(tok.get("children", []), bold, italic, code, tok.get("attrs", {}).get("url"))
        elif kind == "image":
            continue
        elif tok.get("children"):
            yield from _runs(tok["children"], bold, italic, code, link)


def _fill_paragraph(paragraph, children, size, colour):
    from pptx.util import Pt
    for text, bold, italic, code, link in _runs(children):
        if not text:
            continue
        run = paragraph.add_run()
        run.text = text
        run.font.size = Pt(size)
        run.font.bold = bold or None
        run.font.italic = italic or None
        if code:
            run.font.name = MONO
        if colour is not None:
            run.font.color.rgb = colour
        if link:
            run.hyperlink.address = link


def _lines(text_len: int, size: float, width_pt: float) -> int:
    per_line = max(1, int(width_pt / (size * 0.52)))
    return max(1, math.ceil(text_len / per_line))


class _Flow:
    def __init__(self, slide, width_pt, height_pt, colour):
        self.slide, self.colour = slide, colour
        self.left, self.width = width_pt * 0.06, width_pt * 0.88
        self.y, self.bottom = height_pt * 0.08, height_pt * 0.95

    def box(self, height_pt):
        from pptx.util import Pt
        shape = self.slide.shapes.add_textbox(Pt(self.left), Pt(self.y), Pt(self.width), Pt(height_pt))
        shape.text_frame.word_wrap = True
        self.y += height_pt + 8
        return shape

    def text_block(self, children, size, name):
        height = _lines(len(plain_text(children)), size, self.width) * size * 1.3 + 8
        shape = self.box(height)
        shape.name = name
        _fill_paragraph(shape.text_frame.paragraphs[0], children, size, self.colour)
        return shape

    def list_block(self, token):
        items = list(_list_items(token, 0))
        height = sum(_lines(len(t) + 4 * lvl, BODY_PT, self.width) for lvl, t, _ in items) * BODY_PT * 1.35 + 8
        shape = self.box(height)
        shape.name = "List"
        frame = shape.text_frame
        for index, (level, _text, children) in enumerate(items):
            paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
            paragraph.level = min(level, 8)
            bullet = "\u2022 " if not token.get("attrs", {}).get("ordered") else ""
            _fill_paragraph(paragraph, [{"type": "text", "raw": "    " * level + bullet}] + children,
                            BODY_PT - 2 * min(level, 3), self.colour)

    def code_block(self, token):
        from pptx.dml.color import RGBColor
        from pptx.util import Pt
        code = token.get("raw", "").rstrip("\n")
        lines = code.split("\n")
        shape = self.box(len(lines) * CODE_PT * 1.25 + 16)
        shape.name = "Code"
        shape.fill.solid()
        shape.fill.fore_color.rgb = RGBColor(0xF6, 0xF8, 0xFA)
        frame = shape.text_frame
        for index, line in enumerate(lines):
            paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
            run = paragraph.add_run()
            run.text = line
            run.font.name = MONO
            run.font.size = Pt(CODE_PT)
            run.font.color.rgb = RGBColor(0x24, 0x29, 0x2E)

    def table_block(self, token):
        from pptx.util import Pt
        rows = []
        for part in token.get("children", []):
            if part["type"] == "table_head":
                rows.append(part.get("children", []))
            else:
                rows.extend(row.get("children", []) for row in part.get("children", []))
        if not rows:
            return
        columns = max(len(r) for r in rows)
        height = len(rows) * TABLE_PT * 2
        graphic = self.slide.shapes.add_table(len(rows), columns, Pt(self.left), Pt(self.y), Pt(self.width),
                                              Pt(height))
        graphic.name = "Table"
        self.y += height + 8
        for r, cells in enumerate(rows):
            for c, cell in enumerate(cells):
                frame = graphic.table.cell(r, c).text_frame
                _fill_paragraph(frame.paragraphs[0], cell.get("children", []), TABLE_PT, None)


def _list_items(token, level):
    for item in token.get("children", []):
        children_inline = []
        nested = []
        for child in item.get("children", []):
            if child["type"] == "list":
                nested.append(child)
            elif child["type"] in ("block_text", "paragraph"):
                children_inline.extend(child.get("children", []))
        yield level, plain_text(children_inline), children_inline
        for sub in nested:
            yield from _list_items(sub, level + 1)


def _add_slide(presentation, slide: Slide, size_pt, background, text_colour):
    from pptx.util import Pt
    blocks = [t for t in slide.tokens if t["type"] not in ("blank_line", "block_html")]
    title_token = next((t for t in blocks if t["type"] == "heading"), None)
    layout = presentation.slide_layouts[5 if title_token else 6]      # "Title Only" / "Blank"
    page = presentation.slides.add_slide(layout)
    if background is not None:
        page.background.fill.solid()
        page.background.fill.fore_color.rgb = background
    flow = _Flow(page, size_pt[0], size_pt[1], text_colour)
    for token in blocks:
        kind = token["type"]
        if token is title_token:
            level = int(token.get("attrs", {}).get("level", 1))
            size = HEADING_PT.get(level, 24)
            title = page.shapes.title
            height = _lines(len(plain_text(token.get("children", []))), size, flow.width) * size * 1.3 + 8
            title.left, title.top, title.width, title.height = Pt(flow.left), Pt(flow.y), Pt(flow.width), Pt(height)
            flow.y += height + 8
            frame = title.text_frame
            frame.word_wrap = True
            frame.paragraphs[0].text = ""
            _fill_paragraph(frame.paragraphs[0], token.get("children", []), size, text_colour)
        elif kind == "heading":
            level = int(token.get("attrs", {}).get("level", 1))
            flow.text_block(token.get("children", []), HEADING_PT.get(level, 24), f"Heading {level}")
        elif kind == "paragraph":
            if all(c["type"] in ("image", "softbreak", "linebreak") or
                   (c["type"] == "text" and not c.get("raw", "").strip()) for c in token.get("children", [])):
                continue      # images alone: backgrounds or pictures not drawn here
            flow.text_block(token.get("children", []), BODY_PT, "Text")
        elif kind == "block_quote":
            for child in token.get("children", []):
                if child.get("children"):
                    flow.text_block(child["children"], BODY_PT, "Quote")
        elif kind == "list":
            flow.list_block(token)
        elif kind == "block_code":
            flow.code_block(token)
        elif kind == "table":
            flow.table_block(token)
    notes = slide_notes_text(slide.notes)
    if notes:
        page.notes_slide.notes_text_frame.text = notes
    return page


def write_pptx(deck: Deck, pdf: bytes | None = None) -> bytes:
    """The PPTX bytes. `pdf` (slidekit's PDF of the deck) gives the page size and theme backgrounds."""
    from pptx import Presentation
    from pptx.dml.color import RGBColor
    from pptx.util import Pt

    size_pt = (960.0, 540.0)
    if pdf:
        from pypdf import PdfReader
        reader = PdfReader(io.BytesIO(pdf))
        if reader.pages:
            box = reader.pages[0].mediabox
            size_pt = (float(box.width), float(box.height))
    presentation = Presentation()
    presentation.slide_width, presentation.slide_height = Pt(size_pt[0]), Pt(size_pt[1])
    title = deck.globals.get("title") or next((s.title for s in deck.slides if s.title), "")
    presentation.core_properties.title = str(title or "")
    if deck.globals.get("author"):
        presentation.core_properties.author = str(deck.globals["author"])
    colours = _page_colours(pdf, len(deck.slides))
    for slide, sampled in zip(deck.slides, colours):
        background = _rgb(slide.directives.get("backgroundColor"))
        if background is None and sampled is not None:
            background = RGBColor(*sampled)
        text_colour = _rgb(slide.directives.get("color"))
        if text_colour is None and background is not None:
            r, g, b = background
            light = (0.299 * r + 0.587 * g + 0.114 * b) > 140
            text_colour = RGBColor(0x22, 0x22, 0x22) if light else RGBColor(0xEE, 0xEE, 0xEE)
        _add_slide(presentation, slide, size_pt, background, text_colour)
    out = io.BytesIO()
    presentation.save(out)
    return out.getvalue()
