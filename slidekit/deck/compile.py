"""From a Source to a Deck: a chain of small passes over plain data. No file is read here."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..diagnostics import Diagnostics
from ..markdown import create_markdown, parse_tokens
from ..markdown.renderer import plain_text
from ..markdown.rich import rich_content_problems
from ..diagrams import diagram_problems
from ..markdown.tokens import walk_tokens
from ..source import Source
from .backgrounds import extract_backgrounds
from .directives import (DirectiveEntry, SlideReading, apply_directives, iter_comments, parse_comment_yaml,
                         read_mapping, read_slide_comments)
from .model import Deck, Slide
from .split import is_style_block, split_slides

_STYLE = re.compile(r"<style(\s[^>]*)?>(.*?)</style\s*>", re.S | re.I)
# What a slide's span of the body must hold for a walk of its tokens to find something (compile_deck):
_COMMENT_START = re.compile("<!--")
_STYLE_START = re.compile("<style", re.I)
# an image, or a paragraph the sweep takes away: only Unicode spaces (beyond printable ASCII) or character
# references (which mistune decodes: "&#32;")
_IMAGE_OR_BLANK = re.compile(r"!\[|&|[^\x20-\x7e\n\t\r]")


@dataclass
class CompileOptions:
    """What the caller adds to a deck's own directives."""

    heading_divider: Any = None            # overrides the directive when set (CLI --heading-divider)
    overrides: dict[str, Any] = field(default_factory=dict)   # global directives from CLI/config


def compile_deck(source: Source, options: CompileOptions | None = None,
                 diagnostics: Diagnostics | None = None) -> Deck:
    options = options or CompileOptions()
    diagnostics = diagnostics if diagnostics is not None else Diagnostics()
    md = create_markdown()
    tokens, state = parse_tokens(md, source.body, {"front_matter": source.front_matter or {}})
    deck = Deck(slides=[], diagnostics=diagnostics, file=source.name if source.path else None,
                body_line=source.body_line, line_starts=_line_starts(source.body),
                markdown_env=state.env)

    def report_at(slide_no):
        def report(code, message, line):
            diagnostics.warning(code, message, file=deck.file, line=line, slide=slide_no)
        return report

    def line_of_token(tok):
        return deck.line_of(tok.get("_pos"))

    front_entries = read_mapping(source.front_matter, None, report_at(1), from_comment=False) or []
    for entry in front_entries:
        entry.line = _front_matter_line(source.text, entry.name)

    heading_divider = options.heading_divider
    if heading_divider is None:
        # (its comments are looked for only where the word is written: walking every token costs)
        heading_divider = find_heading_divider(tokens if "headingDivider" in source.body else [], front_entries)

    for number, group in enumerate(split_slides(tokens, heading_divider), start=1):
        first_pos = next((t.get("_pos") for t in group if t.get("_pos") is not None), None)
        line = deck.line_of(first_pos) if first_pos is not None else deck.body_line
        deck.slides.append(Slide(number=number, tokens=group, line=line or 1))

    # Most slides hold no comment and no <style>, and many no image: their token trees are not walked for
    # them. A slide's tokens come from its span of the body, where a comment starts with "<!--", a style
    # element with "<style" and an image with "!["; where the span is not known, the slide is walked.
    spans = _slide_spans(deck.slides, len(source.body))

    def may_hold(number: int, pattern: re.Pattern) -> bool:
        span = spans[number - 1]
        return span is None or pattern.search(source.body, *span) is not None

    readings = [read_slide_comments(s.tokens, line_of_token, report_at(s.number))
                if may_hold(s.number, _COMMENT_START) else SlideReading() for s in deck.slides]
    deck.globals, per_slide = apply_directives(readings, front_entries)
    deck.globals.update({k: v for k, v in options.overrides.items() if v is not None})
    # the text holds no NUL (source.normalise_newlines); YAML's escapes (`"\\0"`) and a config can bring one
    may_hold_nul = "\\" in source.text or bool(options.overrides)
    if may_hold_nul:
        deck.globals = _without_nul(deck.globals)
    for slide, reading, (local, explicit) in zip(deck.slides, readings, per_slide):
        slide.directives, slide.explicit = _without_nul(local) if may_hold_nul else local, explicit
        slide.notes = reading.notes
        slide.fit_comment = reading.fit
    if "style" in deck.globals and deck.globals["style"]:
        deck.global_css.append(str(deck.globals["style"]))

    rich = "$" in source.body or "{%" in source.body     # maths and Markdoc variables need these
    fenced = "```" in source.body or "~~~" in source.body   # diagrams that cannot be drawn
    for slide in deck.slides:
        if may_hold(slide.number, _STYLE_START):
            extract_styles(slide, deck)
        if may_hold(slide.number, _IMAGE_OR_BLANK):
            extract_backgrounds(slide)      # (it also sweeps away paragraphs of nothing but spaces)
        slide.title = first_heading(slide.tokens)
        for code, message, tok in rich_content_problems(slide.tokens) if rich else ():
            report_at(slide.number)(code, message, line_of_token(tok))
        for code, message, tok, offset in diagram_problems(slide.tokens) if fenced else ():
            line = line_of_token(tok)
            report_at(slide.number)(code, message, line + offset if line is not None else None)
    paginate(deck)
    return deck


def _without_nul(value):
    """A directive's value with U+0000 as U+FFFD, as CommonMark does in the text."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd") if "\x00" in value else value
    if isinstance(value, dict):
        return {k: _without_nul(v) for k, v in value.items()} if value else value
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    return value


def _slide_spans(slides: list[Slide], end: int) -> list[tuple[int, int] | None]:
    """Each slide's (start, end) offsets in the body: from its first top-level token to the next slide's
    first token. None for a slide with a token whose offset is not known."""
    spans: list[tuple[int, int] | None] = []
    for slide in reversed(slides):
        positions = [tok.get("_pos") for tok in slide.tokens]
        if not positions or None in positions:
            spans.append(None)
        else:
            spans.append((positions[0], end))
            end = positions[0]
    return spans[::-1]


def find_heading_divider(tokens: list[dict], front_entries: list[DirectiveEntry]):
    """headingDivider may be set anywhere; the last setting wins (it shapes the split itself)."""
    value = None
    for entry in front_entries:
        if entry.name == "headingDivider":
            value = entry.value
    silent = lambda *args: None  # noqa: E731 - reported later, once, by the per-slide reading
    for text, line in iter_comments(tokens, lambda t: None):
        if "headingDivider" not in text:     # most comments: not read twice
            continue
        mapping = parse_comment_yaml(text)
        if mapping and "headingDivider" in mapping:
            for entry in read_mapping({"headingDivider": mapping["headingDivider"]}, None, silent, True) or []:
                value = entry.value
    return value


def extract_styles(slide: Slide, deck: Deck) -> None:
    """`<style>` tags apply to the whole deck and `<style scoped>` to their slide, with or without --html."""
    for tok in _html_tokens(slide.tokens):
        raw = tok.get("raw", "")
        if "<style" not in raw.lower():
            continue

        def take(m: re.Match) -> str:
            attrs = (m.group(1) or "").lower()
            (slide.scoped_css if "scoped" in attrs else deck.global_css).append(m.group(2))
            return ""
        if tok["type"] == "block_html" and is_style_block(raw):
            # Marpit's style block (markdown/style/parse.js): hidden whole; its first <style> is the style,
            # and one never closed is none (`<style>` and what follows it are not shown as text)
            m = _STYLE.search(raw)
            if m:
                take(m)
            tok["raw"] = ""
        else:
            tok["raw"] = _STYLE.sub(take, raw)


def _html_tokens(tokens):
    return (tok for tok in walk_tokens(tokens) if tok["type"] in ("block_html", "inline_html"))


def first_heading(tokens: list[dict]) -> str:
    for tok in tokens:
        if tok["type"] == "heading":
            return plain_text(tok.get("children", [])).strip()
    return ""


def paginate(deck: Deck) -> None:
    """Page numbers: `true` shows and counts, `false` counts, `hold` shows without counting, `skip`
    neither shows nor counts (Marp's meanings)."""
    count = 0
    for slide in deck.slides:
        mode = slide.directives.get("paginate", False)
        if mode == "skip":
            slide.pagination = None
        elif mode == "hold":
            slide.pagination = count or None
        else:
            count += 1
            slide.pagination = count if mode is True else None


def _line_starts(text: str) -> list[int]:
    starts = [0]
    for m in re.finditer("\n", text):
        starts.append(m.end())
    return starts


def _front_matter_line(text: str, key: str) -> int | None:
    m = re.search(rf"^{re.escape(key)}\s*:", text.split("\n---", 1)[0] if text.startswith("---") else "", re.M)
    return text.count("\n", 0, m.start()) + 1 if m else None
