"""What the PDF layout knows about each slide: how far its content reaches down (overflow), and how wide the
text of fitting headings (`# <!-- fit --> Title`) and of code blocks is against the room they have.

`measure(document)` walks the box tree WeasyPrint made (`weasyprint.HTML(...).render()`), one page per
slide, and returns plain `SlideLayout` values; `overflow_diagnostics` turns them into `overflow` warnings.
The PDF's fitting (export/pdf.py, `fit_slides`) lays a deck out and measures it with this. Only positions
are read: nothing here changes the document.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field

from ..diagnostics import Diagnostics

TOLERANCE = 1.0        # px: rounding in line heights is not overflow


@dataclass
class TextFit:
    """A fitting heading or a code block: its font size and how wide its text is against its room."""
    font_size: float          # px, computed
    text_width: float         # px, from the leftmost to the rightmost piece of text on its lines
    room_width: float         # px, the content width of its container, less its own margins and padding
    height: float = 0.0       # px, its border box (headings: to keep a fitted heading inside the slide)
    room_height: float = 0.0  # px, the slide's content height
    parent_font_size: float = 0.0   # px, its container's (what `em` on it is relative to)
    letter_spacing: float | None = None   # px, None when `normal`
    content_height: float = 0.0   # px, its content box (code blocks: what Marp's auto-scaling scales)
    max_height: float = 0.0       # px, the theme's bound on a code block's height (0: none)


@dataclass
class SlideLayout:
    """Where one laid-out slide's content sits in its box, for the overflow check."""

    number: int               # the section's id: the slide number
    width: float
    height: float             # the slide's height (its border box)
    content_top: float        # top of the slide's content box
    content_bottom: float     # bottom of the slide's content box (height less the bottom padding)
    reach: float              # lowest bottom edge of the content in flow (header, footer, backgrounds aside)
    font_size: float          # the section's computed font size, px
    headings: list[TextFit] = field(default_factory=list)   # data-sk-fit headings, in document order
    codes: list[TextFit] = field(default_factory=list)      # <pre> blocks, in document order
    start: float = 0.0        # highest top edge of the content in flow (above content_top: centred overflow)
    # a flex slide centred without `safe`: too tall, its content spills past both ends, as in Chromium
    centred_unsafely: bool = False

    @property
    def overflow(self) -> float:
        """How many px the content runs past the slide's bottom edge (0 when it does not)."""
        return max(0.0, self.reach - self.height)

    @property
    def overflows(self) -> bool:
        return self.overflow > TOLERANCE

    @property
    def fits_content_box(self) -> bool:
        return self.reach <= self.content_bottom + TOLERANCE


# Walking the box tree ------------------------------------------------------------------------------
# A laid-out page never changes: the layout of a slide is measured once for the `safe` check, fitting and
# the overflow warnings (the same page objects come back from the page cache of export/pdf.py).
_MEASURED: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def measure(document) -> list[SlideLayout]:
    """One SlideLayout per page of a WeasyPrint document whose pages each hold one `<section>`."""
    layouts = []
    for page in document.pages:
        try:
            layout = _MEASURED[page]
        except (KeyError, TypeError):
            section = _find(page._page_box, lambda b: _tag(b) == "section")
            layout = _measure_section(section) if section is not None else None
            try:
                _MEASURED[page] = layout
            except TypeError:       # (a page that cannot be weakly referenced: measured each time)
                pass
        if layout is not None:
            layouts.append(layout)
    return layouts


def _tag(box) -> str:
    return getattr(box, "element_tag", None) or ""


def _children(box):
    return getattr(box, "children", None) or ()


def _find(box, wanted):
    if wanted(box):
        return box
    for child in _children(box):
        found = _find(child, wanted)
        if found is not None:
            return found
    return None


def _element(box):
    return getattr(box, "element", None)


def _attr(box, name):
    element = _element(box)
    return element.get(name) if element is not None and hasattr(element, "get") else None


def _classes(box) -> list[str]:
    return (_attr(box, "class") or "").split()


def _measure_section(section) -> SlideLayout:
    try:
        number = int(_attr(section, "id") or 0)
    except ValueError:
        number = 0
    top = section.border_box_y()
    height = section.border_height()
    content_top = section.content_box_y() - top
    content_bottom = content_top + section.height
    layout = SlideLayout(number=number, width=section.border_width(), height=height, content_top=content_top,
                         content_bottom=content_bottom, reach=content_top, font_size=section.style["font_size"])
    seen: set[int] = set()
    layout.reach = max(content_top, _reach(section, top, layout, seen, section))
    layout.start = _start(section, top, content_top)
    style = section.style
    layout.centred_unsafely = "flex" in style["display"] and "safe" not in style["justify_content"]
    return layout


def _start(box, top: float, default: float) -> float:
    """The highest top edge of the content in flow, a split slide's column looked into."""
    highest = default
    for child in _children(box):
        if _is_out_of_flow(child) or not hasattr(child, "border_box_y"):
            continue
        if "sk-split" in _classes(child):
            highest = min(highest, _start(child, top, default))
        else:
            highest = min(highest, child.border_box_y() - top)
    return highest


def _is_out_of_flow(box) -> bool:
    """Absolutely positioned boxes (header, footer, backgrounds, the page number) are not content in flow;
    a split slide's `.sk-split` column is, although positioned."""
    if "sk-split" in _classes(box):
        return False
    return box.style["position"] in ("absolute", "fixed")


def _reach(box, top: float, layout: SlideLayout, seen: set[int], parent) -> float:
    """The lowest bottom edge under `box`, relative to the slide's top; fills the slide's text fits."""
    lowest = 0.0
    for child in _children(box):
        if _is_out_of_flow(child):
            continue
        _note_fit(child, box, layout, seen)
        if not hasattr(child, "border_box_y"):
            continue
        bottom = child.border_box_y() + child.border_height() - top
        lowest = max(lowest, bottom)
        if child.style["overflow"] == "visible":     # what a clipping box holds shows no further down
            lowest = max(lowest, _reach(child, top, layout, seen, box))
        else:
            _collect_fits(child, layout, seen)
    return lowest


def _collect_fits(box, layout: SlideLayout, seen: set[int]) -> None:
    for child in _children(box):
        _note_fit(child, box, layout, seen)
        _collect_fits(child, layout, seen)


def _note_fit(box, parent, layout: SlideLayout, seen: set[int]) -> None:
    tag = _tag(box)
    element = _element(box)
    if element is None or id(element) in seen or "::" in tag:
        return
    if tag == "pre":
        seen.add(id(element))
        layout.codes.append(_text_fit(box, parent, layout))
    elif tag in ("h1", "h2", "h3", "h4", "h5", "h6") and _attr(box, "data-sk-fit") is not None:
        seen.add(id(element))
        layout.headings.append(_text_fit(box, parent, layout))


def _text_fit(box, parent, layout: SlideLayout) -> TextFit:
    left, right = _text_extent(box)
    own = box.margin_width() - box.width          # margins, borders and padding of the box itself
    room = parent.width - own if hasattr(parent, "content_box_x") else box.width
    if room <= 0:
        room = box.width
    return TextFit(font_size=box.style["font_size"], text_width=max(0.0, right - left), room_width=room,
                   height=box.border_height(), room_height=layout.content_bottom - layout.content_top,
                   parent_font_size=parent.style["font_size"], letter_spacing=_spacing(box),
                   content_height=box.height, max_height=_code_max_height(box))


def _code_max_height(box) -> float:
    """The theme's `--sk-code-max-height` (px) where the box has one: Marp's `pre::part(auto-scaling)`
    max-height, the height a code block is scaled down to fit."""
    try:
        tokens = box.style["__sk_code_max_height"]
    except (KeyError, TypeError):
        return 0.0
    for token in tokens or ():
        if getattr(token, "type", None) == "dimension" and token.lower_unit == "px":
            return float(token.value)
    return 0.0


def _spacing(box) -> float | None:
    value = box.style["letter_spacing"]
    if isinstance(value, (int, float)):
        return float(value) or None
    if getattr(value, "unit", None) == "px":
        return float(value.value) or None
    return None


def _text_extent(box) -> tuple[float, float]:
    """Leftmost and rightmost x of the leaves (text, images) under `box`'s lines."""
    left, right = float("inf"), float("-inf")
    stack = list(_children(box))
    while stack:
        child = stack.pop()
        kids = _children(child)
        if kids:
            stack.extend(kids)
        elif type(child).__name__ != "LineBox" and child.width:
            left = min(left, child.position_x)
            right = max(right, child.position_x + child.margin_width())
    return (left, right) if right > left else (0.0, 0.0)


# Reporting -----------------------------------------------------------------------------------------
def overflow_diagnostics(layouts: list[SlideLayout], deck, diagnostics: Diagnostics) -> None:
    """An `overflow` warning for each slide whose content runs past its bottom edge."""
    slides = {s.number: s for s in deck.slides} if deck is not None else {}
    for layout in layouts:
        if not layout.overflows:
            continue
        slide = slides.get(layout.number)
        fitted = slide is not None and slide.directives.get("fit") is True
        advice = ("even shrunk by `fit`; split it or cut it" if fitted else
                  "`<!-- _fit: true -->` on the slide shrinks its content to fit")
        diagnostics.warning("overflow", f"content runs {layout.overflow:.0f}px past the bottom of the slide "
                            f"and is cut off; {advice}", file=getattr(deck, "file", None),
                            line=slide.line if slide else None, slide=layout.number or None)


def check_overflow(document, deck, diagnostics: Diagnostics) -> None:
    """`overflow` warnings from a laid-out document (the PDF build's `inspect` hook)."""
    try:
        layouts = measure(document)
    except Exception:  # noqa: BLE001 - measuring is a check: it never fails a build
        return
    overflow_diagnostics(layouts, deck, diagnostics)


def report_refused(diagnostics: Diagnostics, url: str) -> None:
    message = (f"{url} is outside the deck's folder and was not read; use --allow-local-files to allow it")
    if not any(d.code == "outside-folder" and d.message == message for d in diagnostics):
        diagnostics.warning("outside-folder", message)
