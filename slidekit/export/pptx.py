"""An editable PowerPoint file, made with python-pptx from the compiled deck and slidekit's own PDF layout.

Where the shapes come from. The deck's PDF was laid out by WeasyPrint slide by slide (`export/pdf.py`); those
laid-out pages are read back, so every shape sits where the PDF draws it, with the PDF's computed colours,
sizes, weights and fonts (so a theme's heading colour, a `color` directive or a deck's CSS variables carry
over):
- the slide's first heading is the title placeholder (PowerPoint's outline and accessibility checker know it);
  other headings, paragraphs, quotes, header, footer and page number are text boxes; bold, italic, code, links
  and `text-transform: uppercase` (as the All Caps font attribute, the text itself kept as written) are runs;
- lists are one text box a list, one paragraph an item with its level, its marker and its indent;
- tables are tables (cells without fills: what the theme draws around them is in the background, see below);
  code is a monospace text box, one paragraph a line, with the highlighter's colours;
- pictures: inline images (QR codes, SVG, maths included) at their place and size, and background images
  (`![bg]`, `![bg left:40%]`, ...) as pictures of the area the PDF gives them (the full slide or its side);
  they sit behind the text. A picture that is one photo or PNG drawn as it is is that image, the bytes the
  PDF stores, cropped to what the slide shows (PowerPoint's crop, so it can be undone); anything else (an
  SVG, a repeated or rounded background, opacity, an image the page draws something over) is cut from
  slidekit's own rendering of the page with the text left out;
- the speaker notes go into the notes pane.
Shapes are kept inside the slide (a box that overflows is cut at the slide's edge, as the PDF clips it).

The per-slide background rule. The page is drawn by pypdfium2 from slidekit's PDF without its text objects
(and without the text's underlines) and without the raster images that become pictures. If what is left,
outside the pictures' boxes, is one colour (every pixel within a small tolerance of the slide's background
colour), the slide is *flat*: its background is that solid colour and nothing else is needed. Before that,
the layout is read (export/pptx_paint.py): where all a slide paints besides its text and pictures is its
colour or one linear gradient (a deck's `backgroundImage`) and boxes that rectangles can draw (a code block's
fill, inline code's tint, a quote's rule, a translucent band behind a heading, a table's fills and rules),
the slide gets that solid or gradient background and those rectangles behind its text, and its page is not
drawn at all; text drawn in colour by an emoji font stays text, not a ghost in the background. Otherwise the
slide paints something shapes cannot say faithfully (shadows, radial gradients, dashed rules, raw HTML
boxes, maths drawn as paths): its background is that text-less drawing, as a full-slide picture at the back
named "Background", and the text stays editable on top.

When the laid-out pages are not available (write_pptx called with only a PDF, or a deck WeasyPrint laid out
in one piece), shapes are placed by a simple estimate of the text's height instead, top-down, on the colour the
PDF shows in each slide's corner."""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass

from ..deck.model import Deck, Slide
from ..markdown.renderer import plain_text
from .notes import slide_notes_text
from .pptx_paint import FLAT_TOLERANCE, add_copy, add_paint, box_children as _children, describe_paint
from .pptx_paint import is_visible as _visible, real_box as _real

EMU_PER_PT = 12700
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"     # DrawingML's namespace, in Clark notation
_P = "{http://schemas.openxmlformats.org/presentationml/2006/main}"    # PresentationML's
PT_PER_PX = 0.75
HEADING_PT = {1: 40, 2: 32, 3: 28, 4: 24, 5: 22, 6: 20}
BODY_PT, CODE_PT, TABLE_PT = 22, 16, 18
MONO = "Courier New"
GENERIC_FONTS = {"sans-serif": "Arial", "serif": "Times New Roman", "monospace": "Courier New",
                 "system-ui": "Arial", "ui-sans-serif": "Arial", "ui-monospace": "Courier New", "cursive": None,
                 "fantasy": None, "emoji": None, "math": None}
RENDER_SCALE = 2.0          # pictures cut from the page: two pixels a PDF point
BACKGROUND_SCALE = 1.5      # the text-less background picture
PICTURE_DENSITY = RENDER_SCALE * PT_PER_PX   # pixels a CSS pixel of the pictures cut: what the PDF's images need
FLAT_SHARE = 0.998          # share of the pixels outside pictures that must be the background colour


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


# Estimated placement (no layout available) ---------------------------------------------------------------

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


def _add_estimated_slide(presentation, slide: Slide, size_pt, background, text_colour):
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




# Measured placement: the pages WeasyPrint laid out for the PDF ------------------------------------------

def describe_pages(slides: list[Slide], size_pt: tuple[float, float]) -> list[SlideShapes] | None:
    """The shapes of `slides` from the pages WeasyPrint laid out last in this process (kept by
    export/pdf.py: a deck's, or a chunk's in a layout process), or None when those pages are not these
    slides'."""
    from . import pdf as pdf_export
    pages = pdf_export.last_pages()
    if len(pages) != len(slides):
        return None
    described, image_data = [], {}
    for page, slide in zip(pages, slides):
        section = _find(page._page_box, "section")
        if section is None or section.element is None or section.element.get("id") != str(slide.number):
            return None
        label = section.element.get("aria-label") or ""
        if not label.startswith(f"Slide {slide.number} of ") or (slide.title and slide.title.strip() not in label):
            return None
        described.append(describe_section(section, size_pt, image_data))
    return described


def _find(box, tag):
    box = _real(box)
    if getattr(box, "element_tag", None) == tag:
        return box
    for child in _children(box):
        found = _find(child, tag)
        if found is not None:
            return found
    return None


def _colour(value):
    """(r, g, b) 0-255 of a computed CSS colour, None if transparent."""
    try:
        if value.alpha == 0:
            return None
        r, g, b = value.to("srgb").coordinates[:3]
        return tuple(max(0, min(255, round(c * 255))) for c in (r, g, b))
    except (AttributeError, TypeError, ValueError):
        return None


def _border_rect(box):
    return (box.border_box_x(), box.border_box_y(), box.border_width(), box.border_height())


def _content_rect(box):
    return (box.content_box_x(), box.content_box_y(), box.width, box.height)


def _has_url_background(box) -> bool:
    """Whether the box draws an image file as its background (not one that could not be read: the page
    draws nothing for it, and the PPTX has no picture of it)."""
    layers = box.style["background_image"] or ()
    if not any(kind == "url" and value for kind, value in layers):
        return False
    if not hasattr(box, "background"):     # (not laid out by WeasyPrint's background pass)
        return True
    # (None: WeasyPrint found nothing to draw, no image read, no colour, no shadow)
    return box.background is not None and any(layer.image is not None for layer in box.background.layers)


def _collect(box, items: list, context: str = "", section=None):
    """Document-order (kind, box, context) items: text, list, code, table, picture, backdrop."""
    from weasyprint.formatting_structure import boxes
    box = _real(box)
    if not isinstance(box, boxes.Box) or not _visible(box):
        return
    tag = box.element_tag or ""
    if isinstance(box, boxes.ReplacedBox):
        items.append(("picture", box, context))
        return
    if box is not section and _has_url_background(box) and not isinstance(box, boxes.InlineBox):
        items.append(("backdrop" if context == "bg" or tag == "figure" else "picture", box, context))
        return
    if tag in ("ul", "ol") and isinstance(box, boxes.BlockLevelBox):
        items.append(("list", box, context))
        return
    if tag == "pre":
        items.append(("code", box, context))
        return
    if isinstance(box, boxes.TableBox):
        items.append(("table", box, context))
        return
    children = _children(box)
    if any(isinstance(c, boxes.LineBox) for c in children):
        if tag.endswith("::marker"):
            return
        items.append(("text", box, context or tag))
        for line in children:
            for inner in _descendants(line):
                if isinstance(inner, boxes.ReplacedBox):
                    items.append(("picture", inner, context))
        return
    if box.element is not None and "sk-bg" in (box.element.get("class") or "").split():
        context = "bg"
    elif tag in ("blockquote", "header", "footer"):
        context = tag
    for child in children:
        _collect(child, items, context, section)


def _descendants(box):
    for child in _children(box):
        yield child
        yield from _descendants(child)


# runs of text ---------------------------------------------------------------------------------------------

BREAK = object()


def _line_pieces(box, href=None):
    """(text, style, href) of a line's text boxes in order; BREAK for a <br>."""
    from weasyprint.formatting_structure import boxes
    for child in _children(box):
        tag = child.element_tag or ""
        if tag.endswith("::marker") or not _visible(child):
            continue
        if isinstance(child, boxes.TextBox):
            if child.style["color"].alpha > 0:     # a transparent text layer (a formula's) is not drawn
                yield child.text, child.style, href
        elif tag == "br":
            yield BREAK, None, None
        elif isinstance(child, boxes.ReplacedBox):
            continue
        else:
            link = child.element.get("href") if tag == "a" and child.element is not None else href
            yield from _line_pieces(child, link)


def _source_text(box) -> str:
    element = box.element
    if element is None:
        return ""
    return re.sub(r"\s+", " ", "".join(element.itertext()))


def _runs_of_lines(lines, source: str, preserve: bool = False) -> list[list]:
    """The paragraphs' runs [(text, style, href)] of laid-out lines. Text comes from the source where it can
    be found (text-transform is a font attribute, not a rewrite); spaces where the source has them."""
    paragraphs: list[list] = [[]]
    lower = source.lower()
    cursor = 0
    for index, line in enumerate(lines):
        pending = index > 0
        for text, style, href in _line_pieces(line):
            runs = paragraphs[-1]
            if text is BREAK:
                runs.append(("\v", None, None))
                pending = False
                continue
            if preserve:
                runs.append((text, style, href))
                continue
            core = text.strip()
            if not core:
                pending = pending or bool(text)
                continue
            found = lower.find(core.lower(), cursor)
            space = pending or text[:1].isspace()
            if 0 <= found and found - cursor < 200:
                space = any(ch.isspace() for ch in source[cursor:found]) or (space and found > cursor)
                core = source[found:found + len(core)]
                cursor = found + len(core)
            if space and runs and not runs[-1][0].endswith((" ", "\v")):
                if href and runs[-1][2] != href:
                    runs.append((" ", style, None))      # the space before a link is not part of it
                else:
                    core = " " + core
            runs.append((core, style, href))
            pending = text[-1:].isspace()
    return paragraphs


def _font_name(style) -> str | None:
    for family in style["font_family"] or ():
        name = str(family).strip("'\" ")
        if name.lower() in GENERIC_FONTS:
            return GENERIC_FONTS[name.lower()]
        return name
    return None


def _run_style(style) -> tuple:
    """What a run's text looks like, from its computed style: (size pt, bold, italic, font name, colour,
    underlined, in capitals). Plain values: a slide's shapes are described in the process that laid it out
    and written in this one."""
    decoration = style["text_decoration_line"]
    return (round(style["font_size"] * PT_PER_PX * 2) / 2, style["font_weight"] >= 600,
            style["font_style"] in ("italic", "oblique"), _font_name(style), _colour(style["color"]),
            bool(decoration and "underline" in decoration), style["text_transform"] == "uppercase")


def _plain(runs) -> list[tuple]:
    """Runs [(text, computed style, href)] with their styles as _run_style's."""
    return [(text, None if style is None else _run_style(style), href) for text, style, href in runs]


def _write_runs(paragraph, runs):
    """The runs into the paragraph's XML, written directly: python-pptx's font properties cost a code-heavy
    deck's PPTX more than drawing its pages (the same elements and attributes as they write)."""
    from pptx.oxml.ns import qn
    from pptx.oxml.text import CT_RegularTextRun
    from lxml import etree
    p = paragraph._p
    end = p.find(_A + "endParaRPr")
    for text, style, href in runs:
        if text == "\v":
            paragraph.add_line_break()
            continue
        # <a:r>[<a:rPr/>]<a:t/></a:r> before the paragraph's end properties, as python-pptx's add_r and text
        r = etree.SubElement(p, _A + "r")      # (python-pptx's own classes: made in its document)
        if end is not None:
            end.addprevious(r)
        rPr = etree.SubElement(r, _A + "rPr") if style is not None else None
        etree.SubElement(r, _A + "t").text = CT_RegularTextRun._escape_ctrl_chars(text)
        if style is None:
            continue
        size, bold, italic, name, colour, underline, capitals = style
        rPr.set("sz", str(round(size * 100)))
        if bold:
            rPr.set("b", "1")
        if italic:
            rPr.set("i", "1")
        if underline:
            rPr.set("u", "sng")
        if capitals:
            rPr.set("cap", "all")
        if colour is not None:
            fill = etree.SubElement(rPr, qn("a:solidFill"))
            etree.SubElement(fill, qn("a:srgbClr")).set("val", "%02X%02X%02X" % colour)
        if name:
            etree.SubElement(rPr, qn("a:latin")).set("typeface", name)
        if href:
            from pptx.text.text import _Run
            run = _Run(r, paragraph)
            try:
                run.hyperlink.address = href
            except ValueError:
                continue
            if colour is not None:      # PowerPoint then draws the link in the run's colour, not the theme's
                click = rPr.find(qn("a:hlinkClick"))
                if click is not None:
                    click.append(etree.fromstring(HYPERLINK_COLOUR_EXT))


ALIGN = {"center": "CENTER", "right": "RIGHT", "end": "RIGHT", "justify": "JUSTIFY", "left": "LEFT",
         "start": "LEFT"}
HYPERLINK_COLOUR_EXT = ('<a:extLst xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
                        '<a:ext uri="{A12FA001-AC4F-418D-AE19-62706E023703}">'
                        '<ahyp:hlinkClr xmlns:ahyp="http://schemas.microsoft.com/office/drawing/2018/hyperlinkcolor"'
                        ' val="tx"/></a:ext></a:extLst>')


def _align(paragraph, value):
    from pptx.enum.text import PP_ALIGN
    if value in ALIGN:
        paragraph.alignment = getattr(PP_ALIGN, ALIGN[value])


_AUTOFITS = (_A + "noAutofit", _A + "normAutofit", _A + "spAutoFit")
_AFTER_AUTOFIT = (_A + "scene3d", _A + "sp3d", _A + "flatTx", _A + "extLst")


def _prepare_frame(text_body):
    """Wrapped, top-anchored, without autofit or insets: the XML python-pptx's word_wrap, auto_size,
    vertical_anchor and margin properties write on a text frame's `p:txBody`, in their order, set directly
    (through those properties it was a tenth of writing a deck of text)."""
    from pptx.oxml.xmlchemy import OxmlElement
    body = text_body.bodyPr
    body.set("wrap", "square")
    for child in [child for child in body if child.tag in _AUTOFITS]:
        body.remove(child)
    place = next((n for n, child in enumerate(body) if child.tag in _AFTER_AUTOFIT), len(body))
    body.insert(place, OxmlElement("a:noAutofit"))
    for name, value in (("anchor", "t"), ("lIns", "0"), ("rIns", "0"), ("tIns", "0"), ("bIns", "0")):
        body.set(name, value)


_TEXTBOX: list = []      # python-pptx's new text box, its frame prepared (_prepare_frame)


def _add_textbox(shapes, name: str, x: int, y: int, w: int, h: int):
    """A text box added to the slide's `shapes`: the XML python-pptx's add_textbox, name property and
    _prepare_frame write, copied from one made once (python-pptx parsed its template for each text box)."""
    from pptx.oxml.shapes.autoshape import CT_Shape
    from pptx.shapes.autoshape import Shape
    if not _TEXTBOX:
        prototype = CT_Shape.new_textbox_sp(0, "", 0, 0, 0, 0)
        _prepare_frame(prototype.txBody)
        _TEXTBOX.append(prototype)
    return Shape(add_copy(shapes, _TEXTBOX[0], name, (x, y, w, h)), shapes)


def _line_spacing(paragraph, height):
    """A fixed line height: the `a:lnSpc` python-pptx's line_spacing writes, set directly."""
    if height:
        from pptx.oxml.simpletypes import ST_TextSpacingPoint
        from pptx.oxml.xmlchemy import OxmlElement
        from pptx.util import Pt
        properties = paragraph._p.get_or_add_pPr()
        for old in properties.findall(_A + "lnSpc"):
            properties.remove(old)
        spacing = OxmlElement("a:lnSpc")
        points = OxmlElement("a:spcPts")
        points.set("val", ST_TextSpacingPoint.convert_to_xml(Pt(height * PT_PER_PX)))
        spacing.append(points)
        properties.insert(0, spacing)       # (the first of a paragraph's properties)


def _height(lines) -> float | None:
    return lines[0].height if lines else None


class _Page:
    """One PPTX slide built from one laid-out section."""

    def __init__(self, page, size_px):
        self.page, self.size_px = page, size_px

    def clamp(self, rect, slack=0.0):
        """The rectangle (px) inside the slide, widened by `slack` of its width where there is room; None if
        nothing of it is on the slide."""
        x, y, w, h = rect
        w += w * slack
        x0, y0 = max(0.0, x), max(0.0, y)
        x1, y1 = min(self.size_px[0], x + w), min(self.size_px[1], y + h)
        if x1 - x0 < 1 or y1 - y0 < 1:
            return None
        return x0, y0, x1 - x0, y1 - y0

    def textbox(self, rect, name, shape=None):
        from pptx.util import Emu
        rect = self.clamp(rect, slack=0.03)
        if rect is None:
            return None
        x, y, w, h = (Emu(round(v * PT_PER_PX * EMU_PER_PT)) for v in rect)
        if shape is None:
            return _add_textbox(self.page.shapes, name, x, y, w, h)
        shape.left, shape.top, shape.width, shape.height = x, y, w, h
        shape.name = name
        _prepare_frame(shape.text_frame._txBody)
        return shape

    def text(self, shape_data: tuple, shape=None):
        _, name, rect, paragraphs = shape_data
        shape = self.textbox(rect, name, shape)
        if shape is None:
            return None
        frame = shape.text_frame
        for index, (runs, align, height) in enumerate(paragraphs):
            paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
            paragraph.text = ""
            _write_runs(paragraph, runs)
            _align(paragraph, align)
            _line_spacing(paragraph, height)
        return shape

    def list(self, shape_data: tuple):
        from pptx.util import Pt
        _, name, rect, entries = shape_data
        shape = self.textbox(rect, name)
        if shape is None:
            return None
        frame = shape.text_frame
        for index, (level, margin, indent, runs, height, space_before) in enumerate(entries):
            paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
            paragraph.level = level
            pPr = paragraph._p.get_or_add_pPr()
            pPr.set("marL", str(margin))
            pPr.set("indent", str(indent))
            _write_runs(paragraph, runs)
            _line_spacing(paragraph, height)
            if space_before is not None:
                paragraph.space_before = Pt(space_before * PT_PER_PX)
        return shape

    def code(self, shape_data: tuple):
        _, name, rect, lines = shape_data
        shape = self.textbox(rect, name)
        if shape is None:
            return None
        frame = shape.text_frame
        frame.word_wrap = False
        for index, line in enumerate(lines):
            paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
            if line is None:
                continue
            runs, height = line
            _write_runs(paragraph, runs)
            _line_spacing(paragraph, height)
        return shape

    def table(self, shape_data: tuple):
        from pptx.util import Emu
        _, name, rect, columns, widths, rows = shape_data
        rect = self.clamp(rect)
        if rect is None:
            return None
        emu = lambda px: Emu(round(px * PT_PER_PX * EMU_PER_PT))   # noqa: E731
        frame = self.page.shapes.add_table(len(rows), columns, *(emu(v) for v in rect))
        frame.name = name
        table = frame.table
        tblPr = table._tbl.tblPr
        for flag in ("firstRow", "bandRow"):
            tblPr.set(flag, "0")
        for style_id in tblPr.findall("{http://schemas.openxmlformats.org/drawingml/2006/main}tableStyleId"):
            tblPr.remove(style_id)
        for c, width in enumerate(widths):
            table.columns[c].width = emu(width)
        for r, (height, cells) in enumerate(rows):
            table.rows[r].height = emu(height)
            for c in range(columns):
                target = table.cell(r, c)
                target.fill.background()
                if c >= len(cells):
                    continue
                (left, right, top, bottom), paragraphs = cells[c]
                target.margin_left, target.margin_right = emu(left), emu(right)
                target.margin_top, target.margin_bottom = emu(top), emu(bottom)
                frame_ = target.text_frame
                for index, (runs, align) in enumerate(paragraphs):
                    paragraph = frame_.paragraphs[0] if index == 0 else frame_.add_paragraph()
                    _write_runs(paragraph, runs)
                    _align(paragraph, align)
        return frame

    def image(self, image: tuple, name, description=""):
        """A picture of an image file's bytes, cropped to the part of it the slide shows."""
        from pptx.util import Emu
        data, (dx, dy, dw, dh), shown = image
        x, y, w, h = shown
        picture = self.page.shapes.add_picture(io.BytesIO(data), *(Emu(round(v * PT_PER_PX * EMU_PER_PT))
                                                                     for v in shown))
        picture.crop_left, picture.crop_top = (x - dx) / dw, (y - dy) / dh
        picture.crop_right, picture.crop_bottom = (dx + dw - x - w) / dw, (dy + dh - y - h) / dh
        picture.name = name
        if description:
            picture._element.nvPicPr.cNvPr.set("descr", description)
        return picture

    def picture(self, crop, rect, name, description=""):
        from pptx.util import Emu
        rect = self.clamp(rect)
        if rect is None:
            return None
        data = crop(rect)
        if data is None:
            return None
        x, y, w, h = (Emu(round(v * PT_PER_PX * EMU_PER_PT)) for v in rect)
        picture = self.page.shapes.add_picture(io.BytesIO(data), x, y, w, h)
        picture.name = name
        if description:
            picture._element.nvPicPr.cNvPr.set("descr", description)
        return picture


# A slide's shapes described from its layout: plain data (tuples of numbers and text), made in the process
# that laid the slide out (export/pdf_chunks.py) and written into the PPTX in this one ------------------------

def _describe_text(box, name: str) -> tuple | None:
    from weasyprint.formatting_structure import boxes
    lines = [c for c in _children(box) if isinstance(c, boxes.LineBox)]
    if not any(True for line in lines for _ in _line_pieces(line)):
        return None
    rect = _text_rect(box, lines)
    if name in ("Header", "Footer", "Page number") and lines:     # wide boxes, short text: keep to the text
        left = min(line.position_x for line in lines)
        right = max(line.position_x + line.width for line in lines)
        rect = (left, rect[1], right - left, rect[3])
    paragraphs = [(_plain(runs), box.style["text_align_all"], _height(lines))
                  for runs in _runs_of_lines(lines, _source_text(box))]
    return ("text", name, rect, paragraphs)


def _describe_list(box) -> tuple | None:
    entries = list(_list_entries(box, 0))
    if not entries:
        return None
    left = max(0.0, box.border_box_x())
    previous_bottom = None
    described = []
    for level, marker, marker_x, lines, item in entries:
        content_x = lines[0].position_x if lines else item.content_box_x()
        start = marker_x if marker else content_x
        margin = round(max(0.0, content_x - left) * PT_PER_PX * EMU_PER_PT)
        indent = -round(max(0.0, content_x - start) * PT_PER_PX * EMU_PER_PT)
        runs = []
        for lines_runs in _runs_of_lines(lines, _source_text(item)):
            if runs:
                runs.append(("\v", None, None))
            runs.extend(lines_runs)
        if marker:
            style = runs[0][1] if runs and runs[0][1] is not None else item.style
            runs.insert(0, (marker + "\t", style, None))
        top = lines[0].position_y if lines else item.content_box_y()
        space_before = top - previous_bottom if previous_bottom is not None and top - previous_bottom > 0.5 else None
        previous_bottom = (lines[-1].position_y + lines[-1].height) if lines else top
        described.append((min(level, 8), margin, indent, _plain(runs), _height(lines), space_before))
    return ("list", "List", _border_rect(box), described)


def _describe_code(box) -> tuple:
    from weasyprint.formatting_structure import boxes
    lines = [c for c in _descendants(box) if isinstance(c, boxes.LineBox)]
    described = []
    for line in lines or [None]:
        if line is None:
            described.append(None)
            continue
        runs = [(t.replace("\t", "    "), s, h) for t, s, h in _line_pieces(line) if t is not BREAK]
        described.append((_plain(runs or [("", box.style, None)]), line.height))   # an empty line keeps its height
    return ("code", "Code", _text_rect(box, lines), described)


def _describe_table(box) -> tuple | None:
    from weasyprint.formatting_structure import boxes
    rows = [r for r in _descendants(box) if isinstance(r, boxes.TableRowBox)]
    grid = [[c for c in _children(r) if isinstance(c, boxes.TableCellBox)] for r in rows]
    grid = [cells for cells in grid if cells]
    if not grid:
        return None
    columns = max(len(cells) for cells in grid)
    widest = next(cells for cells in grid if len(cells) == columns)
    x0 = min(cells[0].border_box_x() for cells in grid)
    y0 = min(c.border_box_y() for cells in grid for c in cells)
    x1 = max(c.border_box_x() + c.border_width() for cells in grid for c in cells)
    y1 = max(c.border_box_y() + c.border_height() for cells in grid for c in cells)
    described = []
    for cells in grid:
        row = []
        for cell in cells:
            lines = [b for b in _descendants(cell) if isinstance(b, boxes.LineBox)]
            paragraphs = [(_plain(runs), cell.style["text_align_all"])
                          for runs in _runs_of_lines(lines, _source_text(cell))]
            row.append(((cell.padding_left, cell.padding_right, cell.padding_top, cell.padding_bottom), paragraphs))
        described.append((max(c.border_height() for c in cells), row))
    return ("table", "Table", (x0, y0, x1 - x0, y1 - y0), columns, [c.border_width() for c in widest], described)


def _text_rect(box, lines):
    x, y, w, h = _content_rect(box)
    if lines:
        top = min(y, min(line.position_y for line in lines))
        bottom = max(y + h, max(line.position_y + line.height for line in lines))
        y, h = top, bottom - top
    return x, y, w, h


def _list_entries(box, level):
    """(level, marker text, marker x, line boxes, item box) of a list's items, nested lists after their item."""
    from weasyprint.formatting_structure import boxes

    from .patches import LIST_SHAPES
    for item in _children(box):
        if item.element_tag != "li" or not _visible(item):
            continue
        marker, marker_x, lines, nested = "", None, [], []

        def walk(node):
            nonlocal marker, marker_x
            for child in _children(node):
                tag = child.element_tag or ""
                if tag.endswith("::marker"):
                    texts = [t for t in _descendants(child) if isinstance(t, boxes.TextBox)]
                    marker = "".join(t.text for t in texts).strip()
                    marker_x = texts[0].position_x if texts else None
                    shape = LIST_SHAPES.get(item.style["list_style_type"]) if not texts else None
                    if shape is not None:       # a disc, circle or square drawn as a shape (patches._list_shapes)
                        drawn = [b for b in _descendants(child) if isinstance(b, boxes.InlineReplacedBox)]
                        marker, marker_x = shape[0].strip(), drawn[0].position_x if drawn else None
                elif tag in ("ul", "ol") and isinstance(child, boxes.BlockLevelBox):
                    nested.append(child)
                elif isinstance(child, boxes.LineBox):
                    lines.append(child)
                else:
                    walk(child)
        walk(item)
        yield level, marker, marker_x, lines, item
        for sub in nested:
            yield from _list_entries(sub, level + 1)


# The page as drawn, without its text ------------------------------------------------------------------------

class _Drawing:
    """A PDF page drawn by pypdfium2 without its text (and the text's underlines); `without_images` also
    leaves out the raster images and forms that fall in the given rectangles (px)."""

    def __init__(self, document, index: int):
        self.page = document[index]
        self.height_pt = self.page.get_height()
        _remove_text(self.page)

    def close(self):
        self.page.close()

    def image(self, scale):
        return self.page.render(scale=scale, draw_annots=False).to_pil().convert("RGB")

    def crop(self, rect):
        """The picture of the rectangle (px) of the page. Only that part of the page is drawn, at the whole
        page's scale and pixel grid: the same picture (within a level where pdfium resamples an image)."""
        x, y, w, h = (v * PT_PER_PX * RENDER_SCALE for v in rect)
        width, height = (math.ceil(v * RENDER_SCALE) for v in self.page.get_size())
        left, top = min(max(0, round(x)), width - 1), min(max(0, round(y)), height - 1)
        right = min(width, max(left + 1, round(x + w)))
        bottom = min(height, max(top + 1, round(y + h)))
        cut = (left, height - bottom, width - right, top)      # pixels off the page's sides, PDF's order
        image = self.page.render(scale=RENDER_SCALE, crop=tuple(v / RENDER_SCALE for v in cut), draw_annots=False)
        return _encode(image.to_pil().convert("RGB"), skip_uniform=True)

    def drawn_over(self, index, shown, rects) -> bool | None:
        """Whether the page draws anything but text over the image of picture `index` (in `rects`, px),
        within the part it shows: a later object whose bounds cross it, other pictures' images aside. None
        when the image's object is not one of the page's own."""
        import pypdfium2.raw as raw
        pictures = (raw.FPDF_PAGEOBJ_IMAGE, raw.FPDF_PAGEOBJ_FORM)
        target, area = _pdf_rect(rects[index], self.height_pt), _pdf_rect(shown, self.height_pt)
        others = [_pdf_rect(r, self.height_pt) for n, r in enumerate(rects) if n != index]
        objects = list(self.page.get_objects(max_depth=0))
        found = [n for n, obj in enumerate(objects) if obj.type in pictures and _mostly_inside(obj.get_bounds(), target)]
        if not found:
            return None
        for obj in objects[max(found) + 1:]:
            bounds = obj.get_bounds()
            if obj.type in pictures and any(_mostly_inside(bounds, other) for other in others):
                continue
            if _crossing(bounds, area):
                return True
        return False

    def remove_images(self, rects):
        import pypdfium2.raw as raw
        targets = [_pdf_rect(r, self.height_pt) for r in rects]
        for obj in list(self.page.get_objects(max_depth=0)):
            if obj.type in (raw.FPDF_PAGEOBJ_IMAGE, raw.FPDF_PAGEOBJ_FORM):
                bounds = obj.get_bounds()
                if any(_mostly_inside(bounds, t) for t in targets):
                    self.page.remove_obj(obj)


def _remove_text(page):
    import pypdfium2.raw as raw
    objects = list(page.get_objects(max_depth=0))
    texts = [o.get_bounds() for o in objects if o.type == raw.FPDF_PAGEOBJ_TEXT]
    for obj in objects:
        if obj.type == raw.FPDF_PAGEOBJ_TEXT:
            page.remove_obj(obj)
        elif obj.type == raw.FPDF_PAGEOBJ_PATH:
            left, bottom, right, top = obj.get_bounds()
            if top - bottom > 6 or right - left < 2 * (top - bottom):
                continue
            for t_left, t_bottom, t_right, t_top in texts:     # an underline or strike-through of this text
                overlap = min(right, t_right) - max(left, t_left)
                if overlap >= 0.5 * (right - left) and t_bottom - 6 <= top <= t_top:
                    page.remove_obj(obj)
                    break


def _pdf_rect(rect, height_pt):
    x, y, w, h = (v * PT_PER_PX for v in rect)
    return x, height_pt - y - h, x + w, height_pt - y


def _crossing(bounds, target) -> bool:
    """Whether two boxes (PDF points) share more than a sliver."""
    width = min(bounds[2], target[2]) - max(bounds[0], target[0])
    height = min(bounds[3], target[3]) - max(bounds[1], target[1])
    return width > 0.5 and height > 0.5


def _mostly_inside(bounds, target) -> bool:
    left, bottom, right, top = bounds
    t_left, t_bottom, t_right, t_top = target
    width = min(right, t_right) - max(left, t_left)
    height = min(top, t_top) - max(bottom, t_bottom)
    if width <= 0 or height <= 0:
        return False
    area = max(1e-6, min((right - left) * (top - bottom), (t_right - t_left) * (t_top - t_bottom)))
    return width * height >= 0.5 * area


def _encode(image, skip_uniform=False) -> bytes | None:
    if image.width < 1 or image.height < 1:
        return None
    if skip_uniform and all(low == high for low, high in image.getextrema()):
        return None      # nothing drawn there (an image that could not be read)
    if image.width * image.height <= 250_000 or len(image.getcolors(4096) or ()) in range(1, 4096):
        from .png import encode_png
        return encode_png(image)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=88)
    return buffer.getvalue()


FLAT_SCALE = 0.25           # the text-less drawing the flat rule looks at


def _flat_colour(image, rects, reference):
    """The slide's background colour if the text-less drawing `image` (at FLAT_SCALE) is that one colour
    outside `rects`, else None."""
    from PIL import Image, ImageChops, ImageDraw
    scale = FLAT_SCALE
    if reference is None:
        reference = image.getpixel((1, 1))
    difference = ImageChops.difference(image, Image.new("RGB", image.size, reference))
    red, green, blue = difference.split()
    worst = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    mask = Image.new("L", image.size, 255)
    draw = ImageDraw.Draw(mask)
    for x, y, w, h in rects:
        f = PT_PER_PX * scale
        draw.rectangle((x * f - 1, y * f - 1, (x + w) * f + 1, (y + h) * f + 1), fill=0)
    counted = sum(mask.histogram()[255:])
    if counted == 0:
        return reference
    off = ImageChops.multiply(worst.point(lambda v: 255 if v > FLAT_TOLERANCE else 0), mask)
    differing = off.histogram()[255]
    return reference if differing <= (1 - FLAT_SHARE) * counted else None


@dataclass
class SlideShapes:
    """One slide's PPTX page described from its laid-out section, in plain data: its shapes in document
    order (text, list, code and table descriptions, and pictures as indexes into the pixel work's), and the
    pixel work on the PDF's page that its pictures and background need (`_pixels`)."""
    size_px: tuple[float, float]
    background: tuple | None                # the section's background colour
    titled: bool                            # its first heading fills the title placeholder
    items: list
    # (pictures' rectangles to cut, their boxes, the colour, what the pictures that are images show, whether
    # `paint` says all the rest)
    pixel_work: tuple
    images: list | None = None              # a picture's image (_drawn_image), None where it is cut
    paint: tuple | None = None              # all the slide paints but text and pictures (pptx_paint), if known
    # _pixels' (cuts, flat colour, background picture), drawn by the process that laid the slide out
    pixels: tuple | None = None

    @property
    def drawn(self) -> bool:
        """Whether its page must be drawn: for pictures cut from it, or for what its layout cannot say."""
        cut, _, _, _, known = self.pixel_work
        return not known or any(cut)


def describe_section(section, size_pt: tuple[float, float], image_data: dict | None = None) -> SlideShapes:
    """`image_data`: image id -> bytes, shared by the slides of a chunk (an image on many slides is read and
    sent back once)."""
    size_px = (size_pt[0] / PT_PER_PX, size_pt[1] / PT_PER_PX)
    found: list = []
    for child in _children(section):
        _collect(child, found, "", section)
    headings = [b for kind, b, _ in found if kind == "text" and re.fullmatch(r"h[1-6]", b.element_tag or "")]
    title_box = headings[0] if headings else None
    pictures = [(kind, b) for kind, b, _ in found if kind in ("picture", "backdrop")]
    rects = [_content_rect(b) if kind == "picture" and hasattr(b, "replacement") else _border_rect(b)
             for kind, b in pictures]
    items = []
    picture = 0                         # the index of the next picture in `pictures`
    for kind, box, context in found:
        if kind in ("picture", "backdrop"):
            alt = (box.element.get("alt") or "") if box.element is not None else ""
            items.append((kind, picture, "Background image" if kind == "backdrop" else "Picture", alt))
            picture += 1
            continue
        if kind == "text":
            shape = _describe_text(box, "Title" if box is title_box else _text_name(box.element_tag or "", context))
        else:
            shape = {"list": _describe_list, "code": _describe_code, "table": _describe_table}[kind](box)
        if shape is not None:
            items.append(shape)
    clamp = _Page(None, size_px).clamp
    background = _colour(section.style["background_color"])
    images = [_drawn_image(kind, box, clamp, {} if image_data is None else image_data) for kind, box in pictures]
    cut = [None if image is not None else clamp(r) for r, image in zip(rects, images)]
    # a picture that is an image: (what it shows, the rectangle to cut if the page draws more there)
    imaged = [(image[2], clamp(r)) if image is not None else None for r, image in zip(rects, images)]
    paint = describe_paint(section, {id(box) for _, box in pictures},
                           {id(box) for kind, box in pictures if kind == "backdrop"})
    return SlideShapes(size_px, background, title_box is not None, items,
                       (cut, rects, background, imaged, paint is not None), images if any(images) else None, paint)


def _drawn_image(kind: str, box, clamp, image_data: dict) -> tuple | None:
    """(the image's bytes as the PDF stores them, the rectangle it is drawn in, the part of it the slide
    shows), in px, for a picture that is one raster image drawn as it is; None where what the page draws
    there is more than the image (opacity, a transform, rounded corners, a repeated background, a colour
    around it) or not a raster image: that picture is cut from the page's drawing."""
    from weasyprint.images import RasterImage
    style = box.style
    if style["opacity"] < 1 or style["transform"] or any(v for corner in box.rounded_border_box()[4:] for v in corner):
        return None
    if kind == "picture" and hasattr(box, "replacement"):
        from weasyprint.layout.replaced import replacedbox_layout
        image = box.replacement
        if not isinstance(image, RasterImage):
            return None
        width, height, x, y = replacedbox_layout(box)
        drawn, area = (x, y, width, height), _content_rect(box)
    else:
        background = getattr(box, "background", None)
        layers = [layer for layer in (background.layers if background else ()) if layer.image is not None]
        if len(layers) != 1 or not isinstance(layers[0].image, RasterImage):
            return None
        layer = layers[0]
        image = layer.image
        (px, py, _, _), (dx, dy), (width, height) = layer.positioning_area, layer.position, layer.size
        drawn, area = (px + dx, py + dy, width, height), tuple(layer.painting_area)
        covers = _intersection(drawn, area) == area
        if not covers and (layer.repeat != ("no-repeat", "no-repeat") or background.color.alpha != 0):
            return None          # tiles, or a colour around the image
    if image.mode not in ("RGB", "RGBA", "L", "LA") or image.width < 1 or image.height < 1:
        return None              # (a CMYK JPEG: PowerPoint's colours would differ from the PDF's)
    shown = _intersection(drawn, area)
    shown = clamp(shown) if shown is not None else None
    if shown is None or drawn[2] <= 0 or drawn[3] <= 0:
        return None
    if image.id not in image_data:
        try:
            image_data[image.id] = image.image_data.data
        except OSError:
            return None
    return image_data[image.id], drawn, shown


def _intersection(a, b):
    x0, y0 = max(a[0], b[0]), max(a[1], b[1])
    x1, y1 = min(a[0] + a[2], b[0] + b[2]), min(a[1] + a[3], b[1] + b[3])
    return (x0, y0, x1 - x0, y1 - y0) if x1 > x0 and y1 > y0 else None


def _pixels(document, index: int, work) -> tuple:
    """(the pictures cut from the page, the flat background colour or None, the text-less background picture
    or None) of page `index` of `document` (pypdfium2): `work` is a SlideShapes' pixel_work."""
    clamped, rects, reference, imaged, known = work
    if known:          # the layout said what the page paints: only the pictures that are cut need it drawn
        if not any(clamped):
            return [None] * len(clamped), None, None
        drawing = _Drawing(document, index)
        try:
            return [drawing.crop(r) if r else None for r in clamped], None, None
        finally:
            drawing.close()
    drawing = _Drawing(document, index)
    try:
        cuts = [drawing.crop(r) if r else None for r in clamped]   # pictures are cut before the images go
        covered = [drawing.drawn_over(n, shown[0], rects) if shown is not None else None
                   for n, shown in enumerate(imaged)]
        drawing.remove_images(rects)
        small = drawing.image(FLAT_SCALE)
        flat = _flat_colour(small, rects, reference)
        background = None if flat is not None else _encode(drawing.image(BACKGROUND_SCALE))
    finally:
        drawing.close()
    # A picture that is its image file is that image alone only where the page draws nothing over it (a
    # quote's rule over a photo): elsewhere it is cut from the drawing after all. (Where the image's own
    # object is not found, only a region that is one colour once the image is gone counts as nothing.)
    over = [n for n, shown in enumerate(imaged) if shown is not None
            and (covered[n] if covered[n] is not None else not _one_colour(small, shown[0]))]
    if over:
        drawing = _Drawing(document, index)
        try:
            for n in over:
                cuts[n] = drawing.crop(imaged[n][1])
        finally:
            drawing.close()
    return cuts, flat, background


def _one_colour(image, rect) -> bool:
    """Whether the rectangle (px) of `image` (at FLAT_SCALE), less a pixel at its edges, is one colour."""
    f = PT_PER_PX * FLAT_SCALE
    x, y, w, h = rect
    box = (math.ceil(x * f) + 1, math.ceil(y * f) + 1, math.floor((x + w) * f) - 1, math.floor((y + h) * f) - 1)
    if box[2] <= box[0] or box[3] <= box[1]:
        return True
    return all(high - low <= FLAT_TOLERANCE for low, high in image.crop(box).getextrema())


def draw_pixels(pdf: bytes | None, shapes: list[SlideShapes]) -> None:
    """Set each slide's `pixels`, drawn from `pdf`, whose pages are those of the `drawn` slides in order."""
    document = None
    if pdf:
        import pypdfium2 as pdfium
        document = pdfium.PdfDocument(pdf)
    try:
        page = 0
        for described in shapes:
            described.pixels = _pixels(document, page, described.pixel_work)
            page += described.drawn
    finally:
        if document is not None:
            document.close()


_POOL_PDF: list = []        # the PDF the pixel processes draw (set before they are forked), its open document


def _pixels_in_process(job) -> tuple:
    index, work = job
    if len(_POOL_PDF) == 1:
        import pypdfium2 as pdfium
        _POOL_PDF.append(pdfium.PdfDocument(_POOL_PDF[0]))
    return _pixels(_POOL_PDF[1], index, work)


def _all_pixels(pdf: bytes, slides: list, jobs: int):
    """The pixel work of every slide's SlideShapes on its page of `pdf`, in slide order: in `jobs` forked
    processes while this one makes the shapes (pdfium is not thread-safe), or here when at most one page is
    to be drawn."""
    import sys
    work = [(index, shapes.pixel_work) for index, shapes in enumerate(slides)]
    drawn = sum(shapes.drawn for shapes in slides)
    if drawn > 1 and jobs > 1 and sys.platform.startswith("linux"):
        import multiprocessing
        _POOL_PDF[:] = [pdf]
        try:
            pool = multiprocessing.get_context("fork").Pool(min(jobs, drawn))
        except (OSError, AssertionError):      # (AssertionError: in a daemonic process, which may not fork)
            pool = None
        finally:
            _POOL_PDF.clear()
        if pool is not None:
            try:
                yield from pool.imap(_pixels_in_process, work)
            finally:
                pool.terminate()
                pool.join()
            return
    if not drawn:       # (every page said by its layout: pdfium is not even loaded)
        yield from (_pixels(None, index, item) for index, item in work)
        return
    import pypdfium2 as pdfium
    document = pdfium.PdfDocument(pdf)
    try:
        for index, item in work:
            yield _pixels(document, index, item)
    finally:
        document.close()


def _add_slide(presentation, layout_index: int, placeholders: dict):
    """A new slide of the presentation's layout `layout_index`. python-pptx clones a layout's placeholders
    for each slide, reading the layout again; the ones it cloned for the layout's first slide are copied for
    the next (the same XML: the same ids and names, on a slide that has no other shape yet)."""
    import copy
    layout = presentation.slide_layouts[layout_index]
    kept = placeholders.get(layout_index)
    if kept is None:
        page = presentation.slides.add_slide(layout)
        placeholders[layout_index] = [copy.deepcopy(e) for e in page.shapes._spTree if e.tag == _P + "sp"]
        return page
    slides = presentation.slides
    rid, page = slides.part.add_slide(layout)
    tree = page.shapes._spTree
    for element in kept:
        tree.insert_element_before(copy.deepcopy(element), "p:extLst")
    slides._sldIdLst.add_sldId(rid)
    return page


def _add_measured_slide(presentation, slide: Slide, shapes: SlideShapes, pixels: tuple, size_pt,
                        placeholders: dict):
    from pptx.dml.color import RGBColor
    from pptx.util import Emu
    page = _add_slide(presentation, 5 if shapes.titled else 6, placeholders)     # "Title Only" / "Blank"
    # python-pptx's turbo mode: a new shape's id is counted on from the last one, not found by searching the
    # slide's XML for the largest (the same ids, since shapes are only added here)
    page.shapes.turbo_add_enabled = True
    builder = _Page(page, shapes.size_px)
    cuts, flat, background = pixels
    fill = None if shapes.paint is not None else flat or shapes.background    # (add_paint sets it then)
    if fill is not None:
        page.background.fill.solid()
        page.background.fill.fore_color.rgb = RGBColor(*fill)
    tree = page.shapes._spTree
    back = []
    if background is not None:
        picture = page.shapes.add_picture(io.BytesIO(background), 0, 0, Emu(round(size_pt[0] * EMU_PER_PT)),
                                          Emu(round(size_pt[1] * EMU_PER_PT)))
        picture.name = "Background"
        picture._element.nvPicPr.cNvPr.set("descr", "The slide as drawn, without its text")
        back.append(picture._element)
    rects = shapes.pixel_work[1]
    for item in shapes.items:
        kind = item[0]
        if kind in ("picture", "backdrop"):
            _, index, name, alt = item
            image = shapes.images[index] if shapes.images else None
            if cuts[index] is not None:
                picture = builder.picture(lambda _r, data=cuts[index]: data, rects[index], name, alt)
            elif image is not None:
                picture = builder.image(image, name, alt)
            else:
                continue
            if picture is not None and kind == "backdrop":
                back.append(picture._element)
        elif kind == "text":
            builder.text(item, page.shapes.title if item[1] == "Title" else None)
        else:
            getattr(builder, kind)(item)
    if shapes.paint is not None:         # the boxes' fills above the background pictures, under the text
        back.extend(add_paint(page, shapes.paint, builder.clamp))
    for offset, element in enumerate(back):      # backgrounds behind everything, the title placeholder too
        tree.remove(element)
        tree.insert(2 + offset, element)
    if not shapes.titled and page.shapes.title is not None:
        page.shapes.title._element.getparent().remove(page.shapes.title._element)
    notes = slide_notes_text(slide.notes)
    if notes:
        page.notes_slide.notes_text_frame.text = notes
    return page


def _text_name(tag: str, context: str) -> str:
    if re.fullmatch(r"h[1-6]", tag):
        return f"Heading {tag[1]}"
    if tag == "section::after":
        return "Page number"
    if context in ("header", "footer", "blockquote"):
        return {"header": "Header", "footer": "Footer", "blockquote": "Quote"}[context]
    if tag in ("header", "footer"):
        return tag.capitalize()
    return "Text"


class PptxWriter:
    """The PPTX of a deck whose slides the layout processes described and drew (`slide.sk_shapes`, with their
    pixels): written a slide after the other as their chunks come back (export/pdf_chunks.py), while later
    chunks are still laid out."""

    def __init__(self, deck: Deck) -> None:
        self.deck = deck
        self.presentation = None
        self.size_pt = (960.0, 540.0)
        self.patched = False
        self.added = 0
        self.complete = True            # every slide so far described and drawn
        self.placeholders: dict = {}    # a layout's index -> the placeholders cloned for its first slide

    def add(self, slides: list[Slide]) -> None:
        """The next slides, in order."""
        for slide in slides:
            shapes = getattr(slide, "sk_shapes", None)
            if shapes is None or shapes.pixels is None:
                self.complete = False
            if not self.complete:
                return
            if self.presentation is None:
                self.size_pt = (shapes.size_px[0] * PT_PER_PX, shapes.size_px[1] * PT_PER_PX)
                self.presentation, self.patched = _new_presentation(self.deck, self.size_pt)
            _add_measured_slide(self.presentation, slide, shapes, shapes.pixels, self.size_pt, self.placeholders)
            self.added += 1

    def finish(self) -> bytes | None:
        """The PPTX bytes, or None when some slide was not described and drawn."""
        if not self.complete or self.presentation is None or self.added != len(self.deck.slides):
            return None
        return _saved(self.presentation, self.patched)


def _new_presentation(deck: Deck, size_pt: tuple[float, float]):
    """(An empty presentation of the deck's slide size and properties, whether python-pptx is patched)."""
    from pptx import Presentation
    from pptx.util import Pt

    from .patches import install_pptx
    patched = install_pptx()       # (before the first slide: one of its patches is in adding slides)
    presentation = Presentation()
    presentation.slide_width, presentation.slide_height = Pt(size_pt[0]), Pt(size_pt[1])
    title = deck.globals.get("title") or next((s.title for s in deck.slides if s.title), "")
    properties = presentation.core_properties
    properties.title = str(title or "")
    # (python-pptx's template names its own author and says it made the file)
    properties.author = properties.last_modified_by = str(deck.globals.get("author") or "")
    properties.comments = "Made with slidekit"
    return presentation, patched


def _saved(presentation, patched: bool) -> bytes:
    out = io.BytesIO()
    presentation.save(out)
    return out.getvalue() if patched else _dated_as_patched(out.getvalue())


def write_pptx(deck: Deck, pdf: bytes | None = None, jobs: int = 1) -> bytes:
    """The PPTX bytes. Slides the layout processes described and drew (`slide.sk_shapes`,
    export/pdf_chunks.py) are written from that alone, most of them already while the build laid the others
    out (`deck.sk_pptx`, a PptxWriter). Otherwise `pdf` is slidekit's PDF of the deck, giving the page size,
    the pictures and the backgrounds; the shapes are placed from its layout when that is still in memory,
    else estimated. `jobs`: processes that draw the pages' pictures."""
    from pptx.dml.color import RGBColor

    writer = getattr(deck, "sk_pptx", None)
    if writer is None:
        writer = PptxWriter(deck)
        writer.add(deck.slides)
    written = writer.finish()
    if written is not None:
        return written
    size_pt = (960.0, 540.0)
    shapes = None
    if pdf:
        # (pdfium reads the page count and the first page's box; pypdf parsed every page's objects: 0.5 s
        # of a 60-slide photo deck)
        import pypdfium2 as pdfium
        document = pdfium.PdfDocument(pdf)
        try:
            count = len(document)
            if count:
                left, bottom, right, top = document[0].get_mediabox()
                size_pt = (float(right - left), float(top - bottom))
        finally:
            document.close()
        if count != len(deck.slides):
            pdf = None
        else:       # described from the pages laid out in this process, if they are these slides'
            shapes = describe_pages(deck.slides, size_pt)
    presentation, patched = _new_presentation(deck, size_pt)
    if shapes is not None:
        placeholders: dict = {}
        for slide, described, pixels in zip(deck.slides, shapes, _all_pixels(pdf, shapes, jobs)):
            _add_measured_slide(presentation, slide, described, pixels, size_pt, placeholders)
    else:
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
            _add_estimated_slide(presentation, slide, size_pt, background, text_colour)
    return _saved(presentation, patched)


def _dated_as_patched(data: bytes) -> bytes:
    """The PPTX written again member by member as export/patches.py's python-pptx patch writes it (no build
    time in it), for a python-pptx that patch was not made for."""
    import zipfile

    from .patches import zip_member
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(zip_member(info.filename), source.read(info))
    return out.getvalue()
