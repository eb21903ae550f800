"""WeasyPrint's user-agent stylesheet without the rules that make WeasyPrint compute what a slide never uses.

WeasyPrint's stylesheet for HTML has six rules for pseudo-elements of every element: `::marker`, and
`::footnote-call`, `::footnote-marker`, `::note-call`, `::note-marker`, `::note-callback`. With them the
cascade computed six more styles for every element of a slide (a `<span>`, a table cell, each node of a
formula's SVG), half of the cascade's time, while a slide uses at most the `::marker` of its list items:
the note and footnote styles are read only for an element floated as a footnote (`float: footnote`) or
placed as a note (`position: note(...)`), and a `::marker` style only for an element shown as a list item,
which in HTML is `li` unless a stylesheet or style attribute says `list-item`. Its `@page` rule also styles
the sixteen margin boxes (`@top-left`...: alignment only); a margin box without a `content` is not shown,
yet every page computed their styles and made the sixteen boxes to find that out (export/patches.py
skips them on a page none of whose margin boxes has a style).

So a document whose stylesheet and markup say neither `footnote`, nor `note(`, nor `list-item`, nor a
margin box (`@top-`, `@bottom-`, `@left-`, `@right-`) is laid out with this stylesheet: WeasyPrint's own,
less the five note rules and the sixteen margin-box rules, with `::marker` for `li` only (a rule of the
user-agent origin, which author rules override whatever their specificity). Its pages are the same as with WeasyPrint's stylesheet (the same
PDF bytes on every deck of the corpus); any other document is laid out with WeasyPrint's.
"""

from __future__ import annotations

import re
import threading

from .patches import MARGIN_BOXES

_NOTES = ("::footnote-call", "::footnote-marker", "::note-call", "::note-marker", "::note-callback")
_NEEDS_FULL = re.compile(r"footnote|note\s*\(|list-item|@(?:top|bottom|left|right)-", re.I)
_LOCK = threading.Lock()
_KEPT: dict = {}


def needs_full(*texts: str) -> bool:
    """Whether a document of these texts (its stylesheet, its markup) may use what the lean stylesheet
    leaves out."""
    return any(_NEEDS_FULL.search(text) for text in texts)


def lean_text(ua: str) -> str | None:
    """The lean stylesheet's text from WeasyPrint's; None if that is not as expected (each rule left out
    or changed, found once, on a line of its own)."""
    text = ua
    for selector in _NOTES:
        text, found = re.subn(r"^" + re.escape(selector) + r" \{[^{}]*\}[ \t]*\n", "", text, flags=re.M)
        if found != 1:
            return None
    text, found = re.subn(r"^::marker \{", "li::marker {", text, flags=re.M)
    if found != 1:
        return None
    for box in MARGIN_BOXES:
        text, found = re.subn(r"^[ \t]*" + re.escape(box) + r"[ \t]*\{[^{}]*\}[ \t]*\n", "", text, flags=re.M)
        if found != 1:
            return None
    return text


def html_class(weasyprint):
    """A subclass of `weasyprint.HTML` laid out with the lean stylesheet; `weasyprint.HTML` itself if
    the lean stylesheet cannot be made from this WeasyPrint's. Made once a process (preload() makes it
    before the layout processes fork)."""
    kept = _KEPT.get("class")
    if kept is not None:
        return kept
    with _LOCK:
        kept = _KEPT.get("class")
        if kept is None:
            kept = _KEPT["class"] = _make_class(weasyprint)
    return kept


def preload() -> None:
    """Make the lean stylesheet now (WeasyPrint already loaded): forked processes then share it."""
    from .weasy import load
    html_class(load())


def _make_class(weasyprint):
    try:
        from weasyprint import html as weasy_html
        text = lean_text(weasy_html.UA)
        if text is None:
            return weasyprint.HTML
        lean = weasyprint.CSS(string=text, counter_style=weasy_html.UA_COUNTER_STYLE)
        form = weasy_html.UA_FORM_STYLESHEET
    except Exception:  # noqa: BLE001 - another WeasyPrint: its own stylesheet
        return weasyprint.HTML

    class LeanHTML(weasyprint.HTML):
        def _ua_stylesheets(self, forms=False):
            return [lean, form] if forms else [lean]

    return LeanHTML
