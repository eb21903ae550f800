"""Maths drawn to SVG at build time (slidekit/markdown/math.py) and reported when it cannot be drawn."""

import re

import pytest

from rich_helpers import build_example, build_md, pdf_page_png, pdf_pages_text


@pytest.mark.parametrize("text, formulas", [
    ("area $A = \\pi r^2$ here", ["A = \\pi r^2"]),
    ("it costs $5 and $10", []),
    ("$20,000 and $30,000", []),
    ("a $ b $ c", []),
    ("`$x$` and $y$", ["y"]),
    ("escaped \\$x\\$", []),
    ("$$x^2$$ inline display", ["x^2"]),
])
def test_what_counts_as_a_formula(text, formulas):
    html = build_md(text).output
    assert re.findall(r'class="sk-math-svg" role="img" aria-label="([^"]*)"', html) == \
        [f.replace("\\", "\\") for f in formulas]


def test_block_maths_and_directive_are_accepted():
    result = build_md("---\nmath: katex\n---\n\n$$\n\\frac{a}{b}\n$$\n")
    assert not [d for d in result.diagnostics if d.code == "unknown-directive"]
    html = result.output
    assert '<p class="sk-math-block"><span class="sk-math sk-math-display"' in html
    svg = re.search(r"<svg[^>]*sk-math-svg[^>]*>", html).group(0)
    assert "max-width:100%" in svg and re.search(r"width:[\d.]+em", svg)
    assert 'fill="currentColor"' in html                 # follows the slide's text colour


def test_inline_formula_is_sized_in_em_and_sits_on_the_baseline():
    html = build_md("text $x_1$ text").output
    style = re.search(r'class="sk-math-svg"[^>]*style="([^"]*)"', html).group(1)
    assert re.fullmatch(r"width:[\d.]+em;height:[\d.]+em;vertical-align:-[\d.]+em", style)
    height = float(re.search(r"height:([\d.]+)em", style).group(1))
    assert 0.5 < height < 2.0                           # about a line of the surrounding text


def test_bad_latex_is_a_warning_and_stays_visible():
    result = build_md("# T\n\nbad: $\\frac{a}{$ and good $x$\n")
    warnings = [d for d in result.diagnostics if d.code == "bad-math"]
    assert len(warnings) == 1 and warnings[0].slide == 1 and warnings[0].line == 3
    assert '<code class="sk-math-error"' in result.output


def test_example_deck_pdf_has_drawn_formulas_in_the_text_colour():
    html = build_example("math", "html").output
    assert html.count('class="sk-math-svg"') == 6
    pdf = build_example("math", "pdf").output
    text = pdf_pages_text(pdf)
    assert "it costs $5 and $10; $20,000 and $30,000." in text[0]
    # a formula alone on an invert slide: drawn light on dark, not black on dark
    alone = build_md("<!-- _class: invert -->\n\n$$\\sum_{k=1}^{n} k$$\n", fmt="pdf").output
    page = pdf_page_png(alone, 1, dpi=48)
    if page is None:
        pytest.skip("pdftoppm is not installed")
    light = sum(n for n, c in page.convert("L").getcolors(1 << 16) if c > 180)
    assert light > 50, "the formula is drawn in the invert slide's light text colour"
