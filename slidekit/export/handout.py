"""Handouts: a PDF with each slide and its notes, for the audience after the talk.

WeasyPrint lays out the handout pages (title, notes rendered from Markdown, lines to write on) with an empty
slot where each slide goes; pypdf then draws slidekit's own PDF page of the slide into its slot, scaled, so the
slides stay vector and look exactly as in the deck's PDF.

Layouts: `notes` (one slide a page, its notes below; long notes go on to the next page) and `lines` (three
slides a page, each beside lines to write on)."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

if TYPE_CHECKING:       # the deck model is needed only for the annotations
    from ..deck.model import Deck
from ..settings import HANDOUT_LAYOUTS as LAYOUTS, HANDOUT_PAPERS

PAPERS = dict(zip(HANDOUT_PAPERS, ((210.0, 297.0), (215.9, 279.4))))     # the papers' sizes in mm

MARGIN_MM = 15.0
PX_PER_MM = 96 / 25.4
PT_PER_PX = 0.75
LINES_PER_SLIDE = 9

_CSS = """
@page { size: %(w)smm %(h)smm; margin: %(m)smm %(m)smm %(mb)smm;
  @bottom-left { content: "%(title)s"; font: 8pt sans-serif; color: #777; }
  @bottom-right { content: counter(page) " / " counter(pages); font: 8pt sans-serif; color: #777; } }
html { font: 11pt/1.45 sans-serif; color: #222; }
body { margin: 0; }
.sheet { break-before: page; }
.sheet:first-child { break-before: auto; }
.slot { display: block; margin: 0; padding: 0; outline: 0.3mm solid #999; }
.label { font-size: 9pt; color: #555; margin: 0 0 2mm; }
.notes { margin-top: 6mm; }
.notes > :first-child { margin-top: 0; }
.notes pre, .notes code { font-family: monospace; font-size: 9.5pt; }
.notes pre { white-space: pre-wrap; background: #f4f4f4; padding: 2mm; }
.notes img { max-width: 100%%; }
.empty { color: #999; font-style: italic; }
.row { display: flex; gap: 6mm; height: %(row)smm; break-inside: avoid; margin-bottom: %(gap)smm; }
.row .slide { flex: none; width: %(sw)smm; }
.row .lines { flex: 1; padding-top: 6mm; }
.row .lines div { height: %(lh)smm; border-bottom: 0.25mm solid #bbb; }
"""


def _slot(number: int, width_mm: float, height_mm: float) -> str:
    return (f'<div class="slot" id="sk-slot-{number}" '
            f'style="width:{width_mm:.3f}mm;height:{height_mm:.3f}mm"></div>')


def handout_html(deck: Deck, slide_size: tuple[float, float], layout: str = "notes", paper: str = "a4",
                 title: str = "") -> str:
    """The handout document with an empty slot `#sk-slot-N` for every slide (sizes in the slide's ratio)."""
    if layout not in LAYOUTS:
        raise ValueError(f"unknown handout layout {layout!r}")
    pw, ph = PAPERS[paper]
    content_w, content_h = pw - 2 * MARGIN_MM, ph - 2 * MARGIN_MM - 5
    ratio = slide_size[1] / slide_size[0]
    row_h = (content_h - 3 * 6 - 1) / 3          # three rows, each with its 6mm gap below
    slide_w = min(content_w * 0.55, (row_h - 6) / ratio)
    css = _CSS % {"w": pw, "h": ph, "m": MARGIN_MM, "mb": MARGIN_MM + 5, "title": _css_string(title),
                  "row": f"{row_h:.3f}", "gap": 6, "sw": f"{slide_w:.3f}",
                  "lh": f"{(row_h - 6) / LINES_PER_SLIDE:.3f}"}
    lang = html.escape(str(deck.globals.get("lang") or "en"))
    parts = [f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
             f"<title>{html.escape(title)}</title><style>{css}</style></head><body>"]
    slides = deck.slides
    if layout == "notes":
        slot_w = content_w
        slot_h = min(content_w * ratio, content_h * 0.6)
        slot_w = slot_h / ratio
        for slide in slides:
            label = f"Slide {slide.number}" + (f" · {html.escape(slide.title)}" if slide.title else "")
            notes = slide.notes_html.strip() or '<p class="empty">No notes.</p>'
            parts.append(f'<div class="sheet"><p class="label">{label}</p>{_slot(slide.number, slot_w, slot_h)}'
                         f'<div class="notes">{notes}</div></div>')
    else:
        for start in range(0, len(slides), 3):
            parts.append('<div class="sheet">')
            for slide in slides[start:start + 3]:
                lines = "<div></div>" * LINES_PER_SLIDE
                parts.append(f'<div class="row"><div class="slide"><p class="label">Slide {slide.number}</p>'
                             f'{_slot(slide.number, slide_w, slide_w * ratio)}</div>'
                             f'<div class="lines" aria-hidden="true">{lines}</div></div>')
            parts.append("</div>")
    parts.append("</body></html>")
    return "".join(parts)


def _css_string(text: str) -> str:
    """The title in a CSS string of the handout's <style>: a `<` as an escape, so no `</style>` ends it."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("<", "\\3c ")


def write_handout(deck: Deck, slides_pdf: bytes, layout: str = "notes", paper: str = "a4",
                  base_url: str | None = None, title: str = "") -> bytes:
    """The handout PDF: the handout pages laid out by WeasyPrint with the slides' PDF pages drawn in."""
    import io
    import logging

    from pypdf import PdfReader, PdfWriter

    from .weasy import load
    weasyprint = load()

    slides = PdfReader(io.BytesIO(slides_pdf))
    if not slides.pages:
        raise ValueError("the deck's PDF has no pages")
    first = slides.pages[0].mediabox
    size = (float(first.width), float(first.height))
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    document = weasyprint.HTML(string=handout_html(deck, size, layout, paper, title),
                               base_url=base_url).render()
    slots = {}
    for page_index, page in enumerate(document.pages):
        for name, rect in page.anchors.items():      # WeasyPrint 70: the border box (x1, y1, x2, y2)
            if name.startswith("sk-slot-") and name not in slots:
                slots[name] = (page_index, rect[0], rect[1], rect[2] - rect[0], page.height)
    meta = document.metadata
    meta.title = title or meta.title
    meta.generator = "slidekit"
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(document.write_pdf())))
    pages = list(writer.pages)
    wrapped: set[int] = set()
    for index, slide_page in enumerate(slides.pages[:len(deck.slides)]):
        name = f"sk-slot-{deck.slides[index].number}"
        if name not in slots:
            continue
        page_index, x, y, width, page_h = slots[name]
        box = slide_page.mediabox
        scale = width * PT_PER_PX / float(box.width)
        left = x * PT_PER_PX - float(box.left) * scale
        bottom = page_h * PT_PER_PX - y * PT_PER_PX - float(box.height) * scale - float(box.bottom) * scale
        _draw_page(writer, pages[page_index], slide_page, f"/SkSlide{index + 1}",
                   (scale, 0, 0, scale, left, bottom), wrapped)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()



def _draw_page(writer, target, source, name: str, matrix, wrapped: set) -> None:
    """Draw `source` (a page of another PDF) onto `target` as a form XObject placed by `matrix`: the slide's
    content is copied as it is, never parsed (pypdf's page merging re-parses every content stream)."""
    from pypdf.generic import (ArrayObject, DecodedStreamObject, DictionaryObject, FloatObject,
                               NameObject)

    from .patches import add_object

    form = DecodedStreamObject()
    form.set_data(source.get_contents().get_data() if source.get_contents() is not None else b"")
    box = source.mediabox
    form.update({
        NameObject("/Type"): NameObject("/XObject"),
        NameObject("/Subtype"): NameObject("/Form"),
        NameObject("/BBox"): ArrayObject([FloatObject(v) for v in (box.left, box.bottom, box.right, box.top)]),
        NameObject("/Resources"): source.get("/Resources", DictionaryObject()).get_object().clone(writer),
    })
    form_ref = add_object(writer, form)
    resources = target.get("/Resources")
    if resources is None:
        resources = DictionaryObject()
        target[NameObject("/Resources")] = resources
    resources = resources.get_object()
    xobjects = resources.get("/XObject")
    if xobjects is None:
        xobjects = DictionaryObject()
        resources[NameObject("/XObject")] = xobjects
    xobjects.get_object()[NameObject(name)] = form_ref
    numbers = " ".join(f"{v:.6f}" for v in matrix)
    draw = DecodedStreamObject()
    draw.set_data(f"q {numbers} cm {name} Do Q\n".encode("ascii"))
    draw_ref = add_object(writer, draw)
    contents = target.get("/Contents")
    existing = [] if contents is None else (list(contents.get_object()) if isinstance(contents.get_object(), ArrayObject)
                                            else [contents])
    if id(target) not in wrapped:
        # the page's own content may leave its transformation in force (WeasyPrint flips the y axis)
        save, restore = DecodedStreamObject(), DecodedStreamObject()
        save.set_data(b"q\n")
        restore.set_data(b"\nQ\n")
        existing = [add_object(writer, save)] + existing + [add_object(writer, restore)]
        wrapped.add(id(target))
    target[NameObject("/Contents")] = ArrayObject(existing + [draw_ref])
