"""The exports beyond the deck's HTML/PDF, as `slidekit build` offers them: the file each writes, and the
bytes of each, made from a `BuildResult` (the compiled deck and its PDF) and the command's typed settings
(slidekit/settings.py's Options, where their flags are declared)."""

from __future__ import annotations

from pathlib import Path

# kind -> the extensions its output may have (the first is the default)
EXTENSIONS = {"notes": ("txt",), "handout": ("pdf",), "images": ("png", "jpg", "jpeg"),
              "image": ("png", "jpg", "jpeg"), "pptx": ("pptx",)}


def output_kind(options) -> str | None:
    """The export asked for (one at a time), None for the deck's HTML/PDF; raises ValueError if several."""
    kinds = [k for k in ("notes", "handout", "images", "image", "pptx") if getattr(options, k)]
    if len(kinds) > 1:
        raise ValueError("give one of --notes, --handout, --images, --image, --pptx at a time")
    return kinds[0] if kinds else None


def default_suffix(kind: str, options) -> str:
    if kind in ("images", "image"):
        fmt = options.images if kind == "images" else options.image
        return ".jpg" if fmt == "jpeg" else ".png"
    if kind == "handout":
        return ".handout.pdf"
    return "." + EXTENSIONS[kind][0]


def build_format(kind: str | None) -> str:
    return "html" if kind == "notes" else "pdf"


def export(kind: str | None, result, target: Path, options) -> list[tuple[Path, bytes | str]]:
    """The files to write for one deck: [(path, data)]."""
    deck, output = result.deck, result.output
    if kind is None:
        if isinstance(output, bytes) and (options.pdf_notes or options.pdf_outlines):
            from .outline import postprocess_pdf
            output = postprocess_pdf(output, deck, outlines=options.pdf_outlines, notes=options.pdf_notes)
        return [(target, output)]
    if kind == "notes":
        from .notes import notes_text
        return [(target, notes_text(deck))]
    if kind == "handout":
        from .handout import write_handout
        title = str(deck.globals.get("title") or next((s.title for s in deck.slides if s.title), ""))
        return [(target, write_handout(deck, output, options.handout_layout, options.handout_paper, title=title))]
    if kind in ("images", "image"):
        from .images import numbered_paths, render_pages
        fmt = options.images if kind == "images" else options.image
        if kind == "image":
            return [(target, render_pages(output, fmt, options.image_scale, pages=[0])[0])]
        pictures = output if isinstance(output, list) else \
            render_pages(output, fmt, options.image_scale, threads=max(1, getattr(options, "pdf_jobs", 1)))
        return list(zip(numbered_paths(target, len(pictures)), pictures))
    if kind == "pptx":
        from .pptx import write_pptx
        return [(target, write_pptx(deck, output, jobs=max(1, getattr(options, "pdf_jobs", 1))))]
    raise ValueError(f"unknown export {kind}")
