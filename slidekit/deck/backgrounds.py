"""Image keywords: backgrounds leave the content and become layers; other images keep their spec."""

from __future__ import annotations

from ..markdown.images import parse_image_alt
from ..markdown.renderer import plain_text
from .model import Background, Slide

_EMPTY_INLINE = {"linebreak", "softbreak"}


def extract_backgrounds(slide: Slide) -> None:
    """Annotate every image with its spec; move `bg` images out of the tokens into slide.backgrounds."""
    slide.tokens = _walk(slide.tokens, slide)
    for bg in slide.backgrounds:
        if bg.spec.split:
            slide.split = bg.spec.split
            slide.split_size = bg.spec.split_size or "50%"
        if bg.spec.vertical:
            slide.bg_direction = "vertical"
    count = len(slide.backgrounds)
    for bg in slide.backgrounds:        # (what the image resolver stores them at depends on it)
        bg.spec.share = (1.0, 1.0 / count) if slide.bg_direction == "vertical" else (1.0 / count, 1.0)


def _walk(tokens: list[dict], slide: Slide) -> list[dict]:
    kept = []
    for tok in tokens:
        if tok["type"] == "image":
            spec = parse_image_alt(plain_text(tok.get("children", [])))
            if spec.bg:
                slide.backgrounds.append(Background(tok["attrs"]["url"], spec))
                continue
            tok["spec"] = spec
        children = tok.get("children")
        if children:
            tok["children"] = _walk(children, slide)
            if tok["type"] == "paragraph" and _only_breaks(tok["children"]):
                continue  # nothing left but spaces (its background images taken out): swept, as Marpit does
        kept.append(tok)
    return kept


def _only_breaks(children: list[dict]) -> bool:
    return all(c["type"] in _EMPTY_INLINE or (c["type"] == "text" and not c.get("raw", "").strip())
               for c in children)
