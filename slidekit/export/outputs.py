"""The exports beyond the deck's HTML/PDF, as `slidekit build` offers them: their flags, the file each
writes, and the bytes of each, made from a `BuildResult` (the compiled deck and its PDF)."""

from __future__ import annotations

import argparse
from pathlib import Path

from .handout import LAYOUTS, PAPERS
from .images import IMAGE_FORMATS

# kind -> the extensions its output may have (the first is the default)
EXTENSIONS = {"notes": ("txt",), "handout": ("pdf",), "images": ("png", "jpg", "jpeg"),
              "image": ("png", "jpg", "jpeg"), "pptx": ("pptx",)}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("exports")
    group.add_argument("--notes", action="store_true", help="write the speaker notes as text (.txt)")
    group.add_argument("--pdf-notes", action="store_true", help="add each slide's notes to the PDF as a note")
    group.add_argument("--pdf-outlines", action="store_true",
                       help="add PDF bookmarks: one a slide, with its headings nested below")
    group.add_argument("--handout", action="store_true", help="write a handout PDF: the slides and their notes")
    group.add_argument("--handout-layout", choices=LAYOUTS, default="notes",
                       help="notes: one slide a page with its notes; lines: three slides a page with lines")
    group.add_argument("--handout-paper", choices=sorted(PAPERS), default="a4", help="handout paper size")
    group.add_argument("--images", choices=IMAGE_FORMATS, help="write one picture a slide (deck.001.png, ...)")
    group.add_argument("--image", dest="title_image", choices=IMAGE_FORMATS,
                       help="write a picture of the title slide alone")
    group.add_argument("--image-scale", type=_scale, default=1.0, metavar="N",
                       help="picture scale (1: one pixel a CSS pixel, 1280x720 for 16:9)")
    group.add_argument("--pptx", action="store_true", help="write an editable PowerPoint file")


def _scale(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError("expected a number such as 1 or 2") from None
    if not 0.1 <= value <= 10:
        raise argparse.ArgumentTypeError("the scale goes from 0.1 to 10")
    return value


def output_kind(args) -> str | None:
    """The export asked for (one at a time), None for the deck's HTML/PDF; raises ValueError if several."""
    kinds = [k for k, on in (("notes", getattr(args, "notes", False)), ("handout", getattr(args, "handout", False)),
                             ("images", getattr(args, "images", None)), ("image", getattr(args, "title_image", None)),
                             ("pptx", getattr(args, "pptx", False))) if on]
    if len(kinds) > 1:
        raise ValueError("give one of --notes, --handout, --images, --image, --pptx at a time")
    return kinds[0] if kinds else None


def default_suffix(kind: str, args) -> str:
    if kind in ("images", "image"):
        fmt = args.images if kind == "images" else args.title_image
        return ".jpg" if fmt == "jpeg" else ".png"
    if kind == "handout":
        return ".handout.pdf"
    return "." + EXTENSIONS[kind][0]


def build_format(kind: str | None) -> str:
    return "html" if kind == "notes" else "pdf"


def export(kind: str | None, result, target: Path, args) -> list[tuple[Path, bytes | str]]:
    """The files to write for one deck: [(path, data)]."""
    deck, output = result.deck, result.output
    if kind is None:
        if isinstance(output, bytes) and (getattr(args, "pdf_notes", False) or getattr(args, "pdf_outlines", False)):
            from .outline import postprocess_pdf
            output = postprocess_pdf(output, deck, outlines=args.pdf_outlines, notes=args.pdf_notes)
        return [(target, output)]
    if kind == "notes":
        from .notes import notes_text
        return [(target, notes_text(deck))]
    if kind == "handout":
        from .handout import write_handout
        title = str(deck.globals.get("title") or next((s.title for s in deck.slides if s.title), ""))
        return [(target, write_handout(deck, output, args.handout_layout, args.handout_paper, title=title))]
    if kind in ("images", "image"):
        from .images import numbered_paths, render_pages
        fmt = args.images if kind == "images" else args.title_image
        if kind == "image":
            return [(target, render_pages(output, fmt, args.image_scale, pages=[0])[0])]
        pictures = render_pages(output, fmt, args.image_scale)
        return list(zip(numbered_paths(target, len(pictures)), pictures))
    if kind == "pptx":
        from .pptx import write_pptx
        return [(target, write_pptx(deck, output))]
    raise ValueError(f"unknown export {kind}")
