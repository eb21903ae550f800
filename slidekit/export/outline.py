"""PDF outlines (bookmarks) and note annotations, added to slidekit's own PDF with pypdf.

Outlines: one bookmark a slide, titled by its first heading (or "Slide N"), with the slide's other headings
nested below it by level. Notes: each slide's speaker notes as a (closed) text annotation on its page."""

from __future__ import annotations

import io

from ..deck.model import Deck
from ..markdown.renderer import plain_text
from .notes import slide_notes_text


def slide_headings(tokens: list[dict]) -> list[tuple[int, str]]:
    """(level, text) of every heading of a slide, in order, empty headings left out."""
    found = []
    for tok in tokens:
        if tok.get("type") == "heading":
            text = " ".join(plain_text(tok.get("children", [])).split())
            if text:
                found.append((int(tok.get("attrs", {}).get("level", 1)), text))
        elif tok.get("type") in ("block_quote", "list", "list_item") and tok.get("children"):
            found.extend(slide_headings(tok["children"]))
    return found


def outline(deck: Deck) -> list[tuple[str, list[tuple[int, str]]]]:
    """Per slide: (bookmark title, [(depth, title)] of the headings nested below it, depth 1 = child)."""
    entries = []
    for slide in deck.slides:
        headings = slide_headings(slide.tokens)
        if headings:
            title, rest = headings[0][1], headings[1:]
            top = headings[0][0]
        else:
            title, rest, top = f"Slide {slide.number}", [], 0
        nested = []
        for level, text in rest:
            nested.append((max(1, level - top), text))
        entries.append((title, nested))
    return entries


def postprocess_pdf(pdf: bytes, deck: Deck, outlines: bool = False, notes: bool = False) -> bytes:
    """The PDF with slide bookmarks (replacing WeasyPrint's heading bookmarks) and/or note annotations."""
    if not outlines and not notes:
        return pdf
    from pypdf import PdfReader, PdfWriter
    from pypdf.annotations import Text
    from pypdf.generic import NameObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    pages = len(writer.pages)
    if outlines:
        root = writer._root_object
        if "/Outlines" in root:
            del root["/Outlines"]
        for index, (title, nested) in enumerate(outline(deck)[:pages]):
            parent = writer.add_outline_item(title=title, page_number=index)
            stack = [(0, parent)]
            for depth, text in nested:
                while stack and stack[-1][0] >= depth:
                    stack.pop()
                item = writer.add_outline_item(title=text, page_number=index, parent=stack[-1][1])
                stack.append((depth, item))
        writer._root_object[NameObject("/PageMode")] = NameObject("/UseOutlines")
    if notes:
        for index, slide in enumerate(deck.slides[:pages]):
            text = slide_notes_text(slide.notes)
            if not text:
                continue
            box = writer.pages[index].mediabox
            top = float(box.top)
            left = float(box.left)
            annotation = Text(rect=(left, top - 24, left + 24, top), text=text, open=False)
            writer.add_annotation(index, annotation)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
