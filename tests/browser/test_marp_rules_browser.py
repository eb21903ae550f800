"""Marp's rules in slidekit's HTML, in Chromium (the PDF side is tests/test_marp_rules.py): the figures are
marp-cli 4.5.1's own HTML of the same fixture decks (tests/fixtures/marp_rules), measured the same way."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "marp_rules"


@pytest.fixture()
def first_slide(browser, tmp_path):
    pages = []

    def open_deck(deck: Path):
        out = tmp_path / (deck.stem + ".html")
        run = subprocess.run([sys.executable, "-m", "slidekit", "build", str(deck), "-o", str(out)],
                             capture_output=True, text=True, timeout=120, cwd=ROOT)
        assert run.returncode == 0, run.stderr
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        pages.append(page)
        page.goto(out.as_uri())
        page.wait_for_timeout(200)
        return page
    yield open_deck
    for page in pages:
        page.close()


BOXES = """(selector) => { const s = document.querySelector('.sk-deck > section');
    const r0 = s.getBoundingClientRect(), scale = r0.width / 1280;
    return [...s.querySelectorAll(selector)].map((e) => { const r = e.getBoundingClientRect();
        return [(r.x - r0.x) / scale, (r.y - r0.y) / scale, r.width / scale, r.height / scale]; }); }"""


def test_maths_engines_size_formulas_as_marp_does(first_slide):
    # MathJax (default): ex of the text, 1 ex = 0.442 em of the formula; beside Liberation Serif (x-height
    # 0.459 in Chromium) marp-cli's display formula is 248 px wide. KaTeX: 1.21em.
    mathjax = first_slide(FIXTURES / "math" / "serif_mathjax.md").evaluate(BOXES, "svg.sk-math-svg")[0]
    katex = first_slide(FIXTURES / "math" / "serif_katex.md").evaluate(BOXES, "svg.sk-math-svg")[0]
    assert abs(mathjax[2] - 248) < 248 * 0.05, mathjax
    assert abs(katex[2] / mathjax[2] - 1.21 / (0.459 / 0.442)) < 0.05, (katex, mathjax)


def test_display_formula_is_a_block_as_tall_as_its_drawing(first_slide):
    # marp-cli: the 4-row align is 4.9em of MathJax (rows >= 1em, 0.3em apart), its `p` 169.8 px tall at
    # y = 245.3 (no line box around the drawing); the paragraph below 16 px under it.
    page = first_slide(FIXTURES / "math" / "align_rows.md")
    formula = page.evaluate(BOXES, "p.sk-math-block")[0]
    below = page.evaluate(BOXES, ".sk-deck > section > p:not(.sk-math-block)")[0]
    assert abs(formula[3] - 169.8) < 169.8 * 0.03 and abs(formula[1] - 245.3) <= 4, formula
    assert abs((below[1] - formula[1]) - (formula[3] + 16)) <= 2, (formula, below)


@pytest.mark.parametrize("theme, want", [("default", (115, 286.8, 389.8, 449.3)),
                                         ("gaia", (105, 152.3, 281.8, 364.0)),
                                         ("uncover", (142, 282.3, 390.9, 452.7))])
def test_blockquote_paragraphs_sit_where_marps_do(first_slide, theme, want):
    # marp-cli's HTML, slide 1: the quote's paragraphs start at x (the quote's padding, no UA indent) and
    # y, y2; the paragraph after the quote at y3.
    page = first_slide(FIXTURES / "spacing" / f"{theme}.md")
    quoted = page.evaluate(BOXES, "blockquote > p")
    after = page.evaluate(BOXES, ".sk-deck > section > blockquote + p")[0]
    x, y1, y2, y3 = want
    assert abs(quoted[0][0] - x) <= 2 and abs(quoted[0][1] - y1) <= 3 and abs(quoted[1][1] - y2) <= 3, quoted
    assert abs(after[1] - y3) <= 3, after


def test_uncover_header_footer_and_page_number_cast_marps_shadows(first_slide):
    # marp-core's uncover: header and footer `text-shadow: 0 1px 0` in the background's tint at 0.8 (they stay
    # legible on a picture), the page number a 5px glow of the background; marp-cli's computed values.
    page = first_slide(FIXTURES / "uncover_footer_shadow.md")
    shadows = page.evaluate("""() => [...document.querySelectorAll('.sk-deck > section')].map((s) =>
        [...s.querySelectorAll('header, footer')].map((e) => getComputedStyle(e).textShadow)
        .concat([getComputedStyle(s, '::after').textShadow]))""")
    light, dark = "rgba(253, 252, 255, 0.8) 0px 1px 0px", "rgba(32, 34, 40, 0.8) 0px 1px 0px"
    assert shadows == [[light, light, "rgb(253, 252, 255) 0px 0px 5px"],
                       [dark, dark, "rgb(32, 34, 40) 0px 0px 5px"]], shadows


def test_a_slide_is_a_centred_block_whose_margins_collapse(first_slide):
    # marp-cli's HTML of block_slides/default.md: the deck's h1 40px / h3 30px margins collapse to 40px, a
    # quote's 32px meets a list's 30px and its items' 15px, and the whole is centred in the slide.
    page = first_slide(FIXTURES / "block_slides" / "default.md")
    tops = [box[1] for box in page.evaluate(BOXES, "h1, h3, blockquote, li, section > p")]
    want = (142.6, 254.5, 326.4, 401.9, 460.4, 533.9)
    assert len(tops) == len(want) and all(abs(got - w) <= 2 for got, w in zip(tops, want)), tops
