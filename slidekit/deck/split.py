"""Splitting the token stream into slides: at top-level thematic breaks and, with headingDivider,
before headings, exactly where marp-cli splits."""

from __future__ import annotations

import re

from ..markdown.comments import is_comment_block

# Marpit's style parse rule (markdown/style/parse.js): a block starting with `<style` is a hidden
# marpit_style token, whatever the html setting.
_STYLE_BLOCK = re.compile(r"[ \t]*<style(?=[\s>]|$)", re.I)


def is_comment_token(tok: dict) -> bool:
    """A block Marpit reads as a comment: one that starts with `<!--` (all of it hidden, comments.py)."""
    return tok["type"] == "block_html" and is_comment_block(tok.get("raw", ""))


def is_style_block(raw: str) -> bool:
    """An HTML block Marpit reads as a `<style>` (hidden whole)."""
    return _STYLE_BLOCK.match(raw) is not None


def is_hidden_token(tok: dict) -> bool:
    """What Marpit hides before it splits by headingDivider: comment blocks, `<style>` blocks and
    blank HTML blocks. Anything else, even an empty paragraph, is content there."""
    if tok["type"] == "blank_line":
        return True
    if tok["type"] != "block_html":
        return False
    raw = tok.get("raw", "")
    return not raw.strip() or is_style_block(raw) or is_comment_token(tok)


def heading_levels(value) -> set[int]:
    """headingDivider: N means levels 1..N; a list means exactly those levels."""
    if isinstance(value, bool) or value is None:
        return set()
    if isinstance(value, int):
        return set(range(1, min(value, 6) + 1)) if value >= 1 else set()
    if isinstance(value, (list, tuple)):
        return {v for v in value if isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 6}
    return set()


def split_slides(tokens: list[dict], heading_divider=None) -> list[list[dict]]:
    """Slides as lists of top-level tokens (the thematic breaks themselves are dropped).

    With headingDivider, a slide starts before each heading of a chosen level unless nothing but
    tokens Marpit hides (comments, `<style>` blocks, blank lines) comes before it in the whole document
    (markdown/heading_divider.js). marp-cli does the same, and so also makes an empty slide when `---`
    is directly followed by such a heading.
    """
    levels = heading_levels(heading_divider)
    slides: list[list[dict]] = [[]]
    seen_content = False
    for tok in tokens:
        kind = tok["type"]
        if kind == "thematic_break":
            slides.append([])
            seen_content = True
            continue
        if kind == "heading" and tok["attrs"]["level"] in levels and seen_content:
            slides.append([])
        if not is_hidden_token(tok):
            seen_content = True
        slides[-1].append(tok)
    return slides
