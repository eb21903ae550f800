"""Fitting for the PDF, from measurements of the laid-out slides (slidekit/export/overflow.py):

- a fitting heading (`# <!-- fit --> Title`, marked `data-sk-fit`) gets the font size that makes its text
  fill its container's width, as Marp's fitting header does, kept within the slide's content height;
- a code block whose longest line is wider than its room, or whose content is taller than the theme's bound
  (`--sk-code-max-height`), gets a smaller font (Marp's auto-scaling of `pre`);
  the size is in `em`, so that a whole-slide fit shrinks it further;
- a slide with `fit: true` (`<!-- _fit: true -->`) gets a smaller font size on its `<section>` until its
  content ends within the slide's content box (a bisection over the scale, a few layouts at most).

The sizes are written as inline styles on the elements. The HTML is fitted in the browser instead, by the
same rules (slidekit/render/assets/fit.js), as Marp's HTML is. Nothing here lays anything out: `fit_deck` is
given a `measure(slides)` function that does.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Callable

HEADING_TAG = re.compile(r"<h[1-6]\b[^>]*?\sdata-sk-fit(?=[\s>=/])[^>]*>")
PRE_TAG = re.compile(r"<pre\b[^>]*>")
MIN_SCALE = 0.2          # a slide is not shrunk below a fifth of its size: past that, it cannot be read
HEADING_SLACK = 0.995    # the browser's text may be a hair wider than WeasyPrint's
CODE_SLACK = 0.99
ROUNDS = 6               # layouts of a `fit: true` slide at most


@dataclass
class SlideFit:
    """A slide's fitted sizes (None: left as the theme has it)."""
    headings: list[float | None]        # px, one per data-sk-fit heading
    codes: list[float | None]           # em, one per <pre>
    font_size: float | None = None      # px on the <section> (whole-slide fit)
    scale: float = 1.0                  # font_size against the theme's size


LONG_CODE_LINE = 24      # characters: a code line shorter than this fits any theme's slide, even a split one
TALL_CODE_LINES = 10     # lines: a block with fewer is lower than any built-in theme's bound on code height
_PRE_BLOCK = re.compile(r"<pre\b[^>]*>(.*?)</pre>", re.S | re.I)
_TAG = re.compile(r"<[^>]*>")


def needs_fitting(slide) -> bool:
    """Whether laying out this slide can change it: a fitting heading, a code block with a line long
    enough to be wider than a slide, or `fit: true`. (Slides without are never laid out for fitting.)"""
    return ("data-sk-fit" in slide.html or slide.directives.get("fit") is True
            or any(_longest_line(body) >= LONG_CODE_LINE or body.count("\n") >= TALL_CODE_LINES
                   for body in _PRE_BLOCK.findall(slide.html)))


def _longest_line(pre_body: str) -> int:
    text = html.unescape(_TAG.sub("", pre_body)).expandtabs(4)
    return max((len(line) for line in text.split("\n")), default=0)


def heading_size(fit) -> float | None:
    """The font size (px) that makes a heading's text fill its room, or None without text."""
    if fit.text_width <= 0 or fit.font_size <= 0:
        return None
    factor = fit.room_width / fit.text_width * HEADING_SLACK
    if fit.height > 0 and fit.room_height > 0:
        factor = min(factor, fit.room_height / fit.height)
    return round(fit.font_size * factor, 2)


def code_scale(fit) -> float | None:
    """The factor (< 1) that makes a code block fit its room, or None when it fits: its longest line the
    room's width, its content the theme's max height (Marp's auto-scaling of `pre`, downscale only, scales
    the block within its width and within `pre::part(auto-scaling)`'s max-height)."""
    factor = 1.0
    if fit.text_width > 0 and fit.text_width > fit.room_width + 0.5:
        factor = fit.room_width / fit.text_width
    max_height = getattr(fit, "max_height", 0.0)
    if max_height > 0 and fit.content_height > max_height + 0.5:
        factor = min(factor, max_height / fit.content_height)
    return None if factor >= 1.0 else max(0.05, round(factor * CODE_SLACK, 4))


def _rewrite(html: str, pattern: re.Pattern, styles: list[str | None]) -> str:
    """Add `style="…"` to the i-th tag matching `pattern`; a tag that has a style of its own is left alone."""
    count = -1

    def add(match: re.Match) -> str:
        nonlocal count
        count += 1
        tag = match.group(0)
        style = styles[count] if count < len(styles) else None
        if not style or re.search(r"\sstyle\s*=", tag):
            return tag
        end = -2 if tag.endswith("/>") else -1
        return f'{tag[:end]} style="{style}"{tag[end:]}'

    return pattern.sub(add, html)


def apply_sizes(html: str, fit: SlideFit, spacing: list[float | None] | None = None) -> str:
    """The slide's HTML with its fitted heading and code sizes as inline styles. A heading's letter spacing
    (`spacing`, per px of font size) is scaled with it, as Marp scales the whole heading."""
    styles = []
    for i, px in enumerate(fit.headings):
        ratio = spacing[i] if spacing and i < len(spacing) else None
        styles.append(None if not px else f"font-size:{_num(px)}px"
                      + (f";letter-spacing:{_num(round(px * ratio, 3))}px" if ratio else ""))
    html = _rewrite(html, HEADING_TAG, styles)
    return _rewrite(html, PRE_TAG, [f"font-size:{_num(em)}em" if em else None for em in fit.codes])


def _num(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".")


def fit_deck(deck, measure: Callable[[list], dict], rounds: int = ROUNDS) -> dict[int, SlideFit]:
    """Fit the deck's slides in place (their `html`, and `sk_fit_font`, read by the section renderer) from
    `measure(slides) -> {slide number: SlideLayout}` (the slides as they are rendered at that moment)."""
    pending = [s for s in deck.slides if needs_fitting(s)]
    if not pending:
        return {}
    originals = {s.number: s.html for s in pending}
    fits: dict[int, SlideFit] = {}
    spacing: dict[int, list[float | None]] = {}      # headings' letter spacing against their font size
    layouts = measure(pending)
    # Headings and code blocks first: text width is (nearly) linear in the font size, so a step or two.
    active = pending
    for _ in range(3):
        changed = []
        for slide in active:
            layout = layouts.get(slide.number)
            if layout is None:
                continue
            fit = fits.get(slide.number)
            if fit is None:
                heads = len(HEADING_TAG.findall(originals[slide.number]))
                pres = len(PRE_TAG.findall(originals[slide.number]))
                fit = fits[slide.number] = SlideFit(
                    [None] * len(layout.headings) if len(layout.headings) == heads else [],
                    [None] * len(layout.codes) if len(layout.codes) == pres else [])
                spacing[slide.number] = [h.letter_spacing / h.font_size if h.letter_spacing and h.font_size
                                         else None for h in layout.headings]
            moved = False
            for i, heading in enumerate(layout.headings[:len(fit.headings)]):
                size = heading_size(heading)
                if size and abs(size - heading.font_size) > heading.font_size * 0.003:
                    fit.headings[i] = size
                    moved = True
            for i, code in enumerate(layout.codes[:len(fit.codes)]):
                factor = code_scale(code)
                if factor:
                    fit.codes[i] = round(code.font_size * factor / (code.parent_font_size or code.font_size), 4)
                    moved = True
            if moved:
                slide.html = apply_sizes(originals[slide.number], fit, spacing[slide.number])
                changed.append(slide)
        if not changed:
            break
        layouts.update(measure(changed))
        active = changed
    # Then `fit: true` slides: bisect over the section's font scale.
    wanted = [s for s in pending if s.directives.get("fit") is True and s.number in fits]
    if not wanted:
        return fits
    search: dict[int, list[float]] = {}          # number -> [largest scale that fits, smallest that does not]
    base: dict[int, float] = {}
    todo = []
    for slide in wanted:
        layout = layouts.get(slide.number)
        if layout is None or layout.fits_content_box:
            continue
        base[slide.number] = layout.font_size
        search[slide.number] = [0.0, 1.0]
        todo.append((slide, _first_guess(layout)))
    for _ in range(rounds):
        if not todo:
            break
        for slide, scale in todo:
            _set_scale(slide, fits[slide.number], base[slide.number], scale)
        layouts = measure([slide for slide, _ in todo])
        next_todo = []
        for slide, scale in todo:
            layout = layouts.get(slide.number)
            low_high = search[slide.number]
            if layout is None:
                continue
            if layout.fits_content_box:
                low_high[0] = max(low_high[0], scale)
            else:
                low_high[1] = min(low_high[1], scale)
            low, high = low_high
            if low and high - low < 0.02:
                continue
            if not low:
                if scale <= MIN_SCALE:
                    continue
                guess = max(MIN_SCALE, scale * _first_guess(layout))
            else:
                guess = (low + high) / 2
            next_todo.append((slide, round(guess, 4)))
        todo = next_todo
    for slide in wanted:
        if slide.number in search:
            low = search[slide.number][0]
            final = low or MIN_SCALE
            if fits[slide.number].scale != final:
                _set_scale(slide, fits[slide.number], base[slide.number], final)
    return fits


def _first_guess(layout) -> float:
    """Shrink by the ratio of the room to the content's height (text reflows, so this may over-shrink)."""
    room = layout.content_bottom - layout.content_top
    used = layout.reach - layout.content_top
    return max(MIN_SCALE, min(0.99, room / used * 0.99)) if used > 0 else 1.0


def _set_scale(slide, fit: SlideFit, base: float, scale: float) -> None:
    fit.scale = scale
    fit.font_size = round(base * scale, 2)
    slide.sk_fit_font = fit.font_size          # read by slidekit/render/html.py section_html
    slide.sk_fit_scale = scale
