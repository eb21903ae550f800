"""Slides laid out with WeasyPrint's user-agent stylesheet less the rules they cannot use
(slidekit/export/weasy_ua.py), and with no <meta>/<title> in a slide's own document: the PDF is the same."""

from __future__ import annotations

import difflib
import subprocess

import pytest

from slidekit.api import BuildOptions, build_text
from slidekit.export import pdf as pdf_module
from slidekit.export import weasy_ua
from slidekit.export.weasy import load


@pytest.fixture(autouse=True)
def no_disk_cache(monkeypatch):
    monkeypatch.setenv("SLIDEKIT_CACHE", "off")
    pdf_module._PAGES_KEPT.clear()
    yield
    pdf_module._PAGES_KEPT.clear()


DECK = """---
marp: true
theme: gaia
paginate: true
footer: A footer
title: Lean deck
author: Someone
style: |
  .box { padding: 4px; }
---

# Lists

- one
- two
  1. nested
  2. ordered

---

## Quote and code

> a quote

```python
def f(x):
    return x * 2
```

---

<!-- _class: lead -->

## Table

| a | b |
|---|--:|
| 1 | 2 |

<div class="box">raw <strong>HTML</strong></div>
"""

LIST_ITEM_DECK = DECK.replace("  .box { padding: 4px; }", "  .box { display: list-item; list-style: 'abc ' inside; text-transform: uppercase; }")


def _build(text: str) -> bytes:
    pdf_module._PAGES_KEPT.clear()
    result = build_text(text, BuildOptions(format="pdf", allow_html=True, jobs=1))
    assert result.ok, result.diagnostics
    return result.output


def _with_full_stylesheet(monkeypatch, text: str) -> bytes:
    weasyprint = load()
    monkeypatch.setitem(weasy_ua._KEPT, "class", weasyprint.HTML)
    try:
        return _build(text)
    finally:
        monkeypatch.delitem(weasy_ua._KEPT, "class")


def _text(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def test_the_lean_stylesheet_is_weasyprints_less_the_note_and_margin_box_rules():
    load()
    from weasyprint import html as weasy_html

    lean = weasy_ua.lean_text(weasy_html.UA)
    assert lean is not None
    removed = [line[2:].split()[0] for line in difflib.ndiff(weasy_html.UA.splitlines(), lean.splitlines())
               if line.startswith("- ")]
    added = [line[2:] for line in difflib.ndiff(weasy_html.UA.splitlines(), lean.splitlines())
             if line.startswith("+ ")]
    assert len(removed) == 1 + 5 + 16
    assert all(selector.startswith(("::footnote-", "::note-", "@top-", "@bottom-", "@left-", "@right-"))
               or selector == "::marker" for selector in removed)
    assert added == ["li::marker { font-variant-numeric: tabular-nums; white-space: pre; text-transform: none }"]


def test_a_stylesheet_not_as_expected_gives_no_lean_stylesheet():
    assert weasy_ua.lean_text("p { color: red }\n") is None


@pytest.mark.parametrize("text", ["li { float: footnote }", "p { position: NOTE( side ) }",
                                  "div { display: list-item }", "@page { @top-center { content: 'x' } }",
                                  "@page{@Bottom-Right{content:counter(page)}}"])
def test_what_the_lean_stylesheet_cannot_lay_out_is_seen(text):
    assert weasy_ua.needs_full(".sk-deck > section { color: red }", text)


def test_an_ordinary_deck_is_laid_out_with_the_lean_stylesheet():
    assert not weasy_ua.needs_full("section ul > li { margin: 0 } ol { list-style: decimal }", "<li>note</li>")
    assert weasy_ua.html_class(load()) is not load().HTML


def test_the_pdf_is_the_same_as_with_weasyprints_stylesheet(monkeypatch):
    lean = _build(DECK)
    assert lean == _with_full_stylesheet(monkeypatch, DECK)


def test_an_element_shown_as_a_list_item_keeps_its_marker(monkeypatch):
    full = _with_full_stylesheet(monkeypatch, LIST_ITEM_DECK)
    assert _build(LIST_ITEM_DECK) == full
    assert "abc RAW HTML" in _text(full)     # the marker is not upper-cased (`::marker { text-transform: none }`)
    # the lean stylesheet alone would lose the marker's style: the checks above are not vacuous
    monkeypatch.setattr(weasy_ua, "needs_full", lambda *texts: False)
    assert "ABC RAW HTML" in _text(_build(LIST_ITEM_DECK))


def test_the_pdf_keeps_the_decks_metadata():
    from io import BytesIO

    from pypdf import PdfReader
    meta = PdfReader(BytesIO(_build(DECK))).metadata
    assert meta.title == "Lean deck" and meta.author == "Someone"


def test_margin_boxes_with_content_are_still_drawn():
    weasyprint = load()
    assert weasyprint.HTML is not None       # (load() installed the skip of margin boxes without a style)
    html = ("<style>@page { size: 400px 300px; margin: 50px; @top-center { content: 'Top words' } }</style>"
            "<p>Body words</p>")
    pdf = weasyprint.HTML(string=html).write_pdf()
    assert "Top words" in _text(pdf) and "Body words" in _text(pdf)
