"""Fenced code highlighted with Pygments at build time (slidekit/markdown/highlight.py)."""

import re

import pytest

from rich_helpers import build_example, build_md, pdf_page_png, pdf_pages_text
from slidekit.markdown.highlight import highlight_code, parse_info


@pytest.mark.parametrize("info, lang, lines, linenos", [
    ("python {1,3-4}", "python", {1, 3, 4}, False),
    ("python {2}", "python", {2}, False),
    ("js linenos {3}", "js", {3}, True),
    ("ts showLineNumbers", "ts", set(), True),
    ("{1-2}", "", {1, 2}, False),
    ("rust {linenos, 2}", "rust", {2}, True),
    ("c start=10", "c", set(), True),
    ("", "", set(), False),
    ("python {5-2} {x}", "python", set(), False),
])
def test_info_string(info, lang, lines, linenos):
    spec = parse_info(info)
    assert (spec.lang, spec.lines, spec.linenos) == (lang, lines, linenos)


def test_tokens_get_pygments_classes():
    out = highlight_code('def f():\n    return "x"\n', "python")
    assert out.startswith('<pre class="sk-code" data-lang="python"><code class="language-python">')
    assert '<span class="k">def</span>' in out and '<span class="nf">f</span>' in out
    assert '<span class="s2">x</span>' in out
    assert out.count('class="sk-line"') == 2


def test_highlighted_lines_and_numbers():
    out = highlight_code("a\nb\nc\n", "text {2} linenos start=9")
    lines = re.findall(r'<span class="(sk-line[^"]*)"><span class="sk-ln"[^>]*>(\s*\d+)</span>', out)
    assert lines == [("sk-line", " 9"), ("sk-line sk-hl", "10"), ("sk-line", "11")]


def test_unknown_or_missing_language_stays_plain_and_escaped():
    assert highlight_code("<b>$5</b>\n", "") == "<pre><code>&lt;b&gt;$5&lt;/b&gt;\n</code></pre>\n"
    assert highlight_code("x < y\n", "nosuchlang") == \
        '<pre><code class="language-nosuchlang">x &lt; y\n</code></pre>\n'


def test_deck_html_has_palette_and_highlighting():
    html = build_example("code", "html").output
    assert '<span class="k">def</span>' in html
    assert 'class="sk-line sk-hl"' in html and 'class="sk-ln"' in html
    assert "--sk-hl-keyword" in html                       # highlight.css is in the slide stylesheet
    assert '.sk-deck[data-theme="gaia"] > section' in html  # gaia's dark code panel gets the dark palette


def test_code_colours_in_the_pdf():
    pdf = build_example("code", "pdf").output
    text = pdf_pages_text(pdf)
    assert "def greet(name: str) -> str:" in text[0]
    assert "const answer = 42;" in text[1]
    page = pdf_page_png(pdf, 1, dpi=48)
    if page is None:
        pytest.skip("pdftoppm is not installed")
    colours = {c for _, c in page.convert("RGB").getcolors(1 << 20)}
    near = lambda rgb: any(sum(abs(a - b) for a, b in zip(rgb, c)) < 40 for c in colours)  # noqa: E731
    assert near((0xcf, 0x22, 0x2e)), "keywords are drawn in the light palette's red"
    dark = pdf_page_png(pdf, 2, dpi=48).convert("RGB")
    assert any(sum(abs(a - b) for a, b in zip(c, (0xff, 0x7b, 0x72))) < 40
               for _, c in dark.getcolors(1 << 20)), "the invert slide uses the dark palette"


def test_dollar_signs_in_code_are_untouched():
    html = build_md("```\ncost: $5 and $10\n```\n\n`$x$`\n").output
    assert "cost: $5 and $10" in html and "<code>$x$</code>" in html
