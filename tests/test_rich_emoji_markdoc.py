"""Emoji shortcodes (slidekit/markdown/emoji.py) and Markdoc variables (slidekit/markdown/markdoc.py)."""

from pathlib import Path

import pytest

from rich_helpers import build_example, build_md, pdf_page_png, pdf_pages_text
from slidekit.api import BuildOptions, build_file

SEED_INDEX = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "seeds" / "mlops-guide-index.md"


def test_shortcodes_become_emoji_outside_code():
    html = build_md(":smile: :+1: 10:30:45 :notanemoji: `:smile:`\n\n```\n:tada:\n```\n").output
    assert 'aria-label="smile"' in html and "\U0001F604" in html and "\U0001F44D" in html
    assert "10:30:45" in html and ":notanemoji:" in html
    assert "<code>:smile:</code>" in html and ":tada:\n" in html


def test_emoji_drawn_in_colour_in_the_pdf():
    pdf = build_example("emoji", "pdf").output
    assert "\U0001F680" in pdf_pages_text(pdf)[0]
    page = pdf_page_png(pdf, 1, dpi=48)
    if page is None:
        pytest.skip("pdftoppm is not installed")
    rgb = page.convert("RGB")
    saturated = sum(n for n, (r, g, b) in rgb.getcolors(1 << 20) if max(r, g, b) - min(r, g, b) > 120)
    assert saturated > 100, "colour emoji glyphs (the theme itself has no saturated colour this strong)"


def test_markdoc_variables_resolve_outside_code():
    result = build_example("markdoc", "html")
    html = result.output
    assert '<h1 id="a-guide-to-markdoc-decks">A guide to Markdoc decks</h1>' in html
    assert "By Jane Doe: slides from a Markdoc page." in html
    assert "<code>{% $title %}</code>" in html and "{% $markdoc.frontmatter.title %}\n" in html
    assert html.count("<section ") == 2 and not list(result.diagnostics)


def test_nested_and_unknown_variables():
    result = build_md("---\nevent:\n  name: PyCon\n---\n\n# At {% $event.name %}\n\n"
                      "Unknown: {% $nosuchkey %}.\n")
    assert "<h1 id=\"at-pycon\">At PyCon</h1>" in result.output
    assert "Unknown: {% $nosuchkey %}." in result.output
    unknown = [d for d in result.diagnostics if d.code == "unknown-variable"]
    assert [(d.slide, d.line) for d in unknown] == [(1, 8)] and "$nosuchkey" in unknown[0].message


@pytest.mark.skipif(not SEED_INDEX.exists(), reason="the shared corpus is not here")
def test_seed_markdoc_page_builds_into_a_titled_deck():
    result = build_file(SEED_INDEX, BuildOptions(format="pdf", offline=True, heading_divider=2))
    pages = pdf_pages_text(result.output)
    assert pages[0].strip() == "A guide to MLOps" and len(pages) == 6
    assert not [d for d in result.diagnostics if d.code == "unknown-variable"]
    assert not any("{%" in p for p in pages)
