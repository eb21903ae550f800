"""U+0000 becomes U+FFFD everywhere, as CommonMark's preprocessing says (issue 19, item 6): in the body, the
front-matter, directive comments, YAML's `"\\0"` escape, themes, the HTML and the PDF's metadata."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from slidekit.api import BuildOptions, build_file, build_text

DECK = ("---\ntitle: \"T\\0itle\"\nfooter: f\x00oot\n---\n\n<!-- header: h\x00ead -->\n\n# He\x00llo\n\n"
        "Te\x00xt `co\x00de`\n\n```\nbl\x00ock\n```\n\n<!-- _class: \"c\\x00c\" -->\n\n<!-- no\x00te -->\n")


def test_no_nul_in_the_html():
    html = build_text(DECK, BuildOptions(offline=True)).output
    assert "\x00" not in html
    for text in ("T\ufffditle", "f\ufffdoot", "h\ufffdead", "He\ufffdllo", "Te\ufffdxt", "co\ufffdde", "bl\ufffdock",
                 "no\ufffdte", "c\ufffdc"):
        assert text in html, text


def test_no_nul_in_the_pdf_title(tmp_path):
    deck = tmp_path / "deck.md"
    deck.write_bytes(DECK.encode())
    pdf = build_file(deck, BuildOptions(format="pdf", offline=True)).output
    title = PdfReader(io.BytesIO(pdf)).metadata.title
    assert title == "T\ufffditle"


def test_a_theme_with_a_nul(tmp_path):
    theme = tmp_path / "t.css"
    theme.write_bytes(b"/* @theme t\x00t */\nh1 { color: red }\n")
    html = build_text("# x\n", BuildOptions(theme=str(theme), offline=True), folder=tmp_path).output
    assert "\x00" not in html
