"""Fitting at build time (slidekit/markdown/fit.py): `# <!-- fit -->` headings fill the slide's width, long
code blocks shrink to their room, `fit: true` slides shrink until their content ends inside the slide. The
sizes come from the PDF layout and are written into the PDF's document as inline styles. The HTML carries
markers only and is fitted in the browser (slidekit/render/assets/fit.js; tests/browser/test_fit.py)."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from rich_helpers import build_example, build_md, pdf_page_png
from slidekit.export.overflow import SlideLayout, TextFit
from slidekit.markdown import fit


# Pure parts ----------------------------------------------------------------------------------------
def test_heading_size_fills_the_room_and_stays_inside_the_slide():
    wide = TextFit(font_size=40, text_width=400, room_width=1000, height=50, room_height=600)
    assert fit.heading_size(wide) == pytest.approx(100 * fit.HEADING_SLACK, abs=0.01)
    too_wide = TextFit(font_size=40, text_width=2000, room_width=1000, height=50, room_height=600)
    assert fit.heading_size(too_wide) == pytest.approx(20 * fit.HEADING_SLACK, abs=0.01)
    tall = TextFit(font_size=40, text_width=40, room_width=1000, height=50, room_height=600)
    assert fit.heading_size(tall) == pytest.approx(480)         # the height, not the width, limits it
    assert fit.heading_size(TextFit(font_size=40, text_width=0, room_width=1000)) is None


def test_code_scale_only_shrinks():
    assert fit.code_scale(TextFit(font_size=20, text_width=500, room_width=1000)) is None
    assert fit.code_scale(TextFit(font_size=20, text_width=2000, room_width=1000)) == pytest.approx(0.495)


def test_apply_sizes_styles_the_nth_tags_only():
    html = ('<h1 id="a" data-sk-fit>A</h1>\n<h2 id="b" data-sk-fit>B</h2>\n<pre class="x"><code>1</code></pre>'
            '<pre><code>2</code></pre><p>data-sk-fit &lt;pre&gt;</p>')
    out = fit.apply_sizes(html, fit.SlideFit([None, 72.5], [0.5, None]), [None, 0.05])
    assert '<h1 id="a" data-sk-fit>' in out
    assert '<h2 id="b" data-sk-fit style="font-size:72.5px;letter-spacing:3.625px">' in out
    assert '<pre class="x" style="font-size:0.5em">' in out and "<pre><code>2" in out
    assert out.endswith("<p>data-sk-fit &lt;pre&gt;</p>")
    # a tag with a style of its own keeps it
    assert fit.apply_sizes('<pre style="color:red">', fit.SlideFit([], [0.5])) == '<pre style="color:red">'


class _Slide:
    def __init__(self, number, html, fit_directive=False):
        self.number, self.html, self.directives = number, html, {"fit": True} if fit_directive else {}


class _Deck:
    def __init__(self, slides):
        self.slides = slides


def test_fit_deck_bisects_a_fit_slide_with_a_model_of_its_layout():
    """A slide whose content is 900px tall at scale 1 in a 600px box: the search ends just under 600/900."""
    slide = _Slide(1, "<p>long</p>", fit_directive=True)
    calls = []

    def measure(slides):
        calls.append([s.number for s in slides])
        scale = getattr(slide, "sk_fit_scale", 1.0)
        reach = 60 + 900 * scale ** 1.2     # reflowing text: not linear
        return {1: SlideLayout(1, 1280, 720, 60, 660, reach, 30.0)}

    fits = fit.fit_deck(_Deck([slide, _Slide(2, "<p>short</p>")]), measure)
    assert calls[0] == [1]                    # the slide without code, heading or fit is not laid out
    final = fits[1].scale
    assert 60 + 900 * final ** 1.2 <= 660 + 1                       # it fits ...
    assert 60 + 900 * (final + 0.03) ** 1.2 > 660                   # ... and is not shrunk much further
    assert slide.sk_fit_font == pytest.approx(30 * final, abs=0.01)
    assert len(calls) <= 1 + fit.ROUNDS


def test_fit_deck_stops_at_the_smallest_scale_when_nothing_fits():
    slide = _Slide(1, "<p>x</p>", fit_directive=True)
    measure = lambda slides: {1: SlideLayout(1, 1280, 720, 60, 660, 5000, 30.0)}  # noqa: E731
    assert fit.fit_deck(_Deck([slide]), measure)[1].scale == fit.MIN_SCALE


# The example deck, in both outputs -----------------------------------------------------------------
@pytest.fixture(scope="module")
def example_html():
    return build_example("fit", "html")


@pytest.fixture(scope="module")
def example_pdf():
    import slidekit.export.overflow as overflow
    seen = []
    original = overflow.measure

    def spy(document):
        seen.append(original(document))
        return seen[-1]
    overflow.measure = spy
    try:
        result = build_example("fit", "pdf")
    finally:
        overflow.measure = original
    return result, {layout.number: layout for layout in seen[-1]}   # the last layout: the PDF's own


def _section(html: str, number: int) -> str:
    return re.search(rf'<section id="{number}".*?</section>', html, re.S).group(0)


def test_pdf_carries_the_fitted_sizes(example_pdf):
    from slidekit.render.html import RenderOptions, section_html
    deck = example_pdf[0].deck
    heading = re.search(r'<h1 [^>]*data-sk-fit style="font-size:([\d.]+)px"', deck.slides[0].html)
    assert heading and float(heading.group(1)) > 60            # the default theme's h1 is 46.4px
    pres = re.findall(r"<pre[^>]*>", deck.slides[1].html)
    long_size = re.search(r'style="font-size:([\d.]+)em"', pres[0])
    assert long_size and 0.4 < float(long_size.group(1)) < 0.85  # the theme's pre is 0.85em
    assert "style" not in pres[1]                              # the short block keeps the theme's size
    options = RenderOptions(target="pdf")
    section = section_html(deck, deck.slides[2], 3, options)
    scale = re.search(r'<section id="3"[^>]*data-sk-fit="slide"[^>]*data-sk-fit-scale="([\d.]+)"[^>]*'
                      r'font-size:([\d.]+)px', section)
    assert scale and 0.3 < float(scale.group(1)) < 0.95
    assert float(scale.group(2)) == pytest.approx(29 * float(scale.group(1)), abs=0.05)
    assert "data-sk-fit" not in section_html(deck, deck.slides[1], 3, options).split(">")[0]  # no `fit`


def test_html_carries_markers_and_no_measured_sizes(example_html):
    html = example_html.output
    assert re.search(r'<h1 [^>]*data-sk-fit>', _section(html, 1))          # fit.js sizes it
    assert re.search(r'<section id="3"[^>]*data-sk-fit="slide"', html)
    assert not re.search(r'<section id="2"[^>]*data-sk-fit', html)
    assert "data-sk-fit-scale" not in html
    assert not re.search(r'<(h1|pre|section)\b[^>]*font-size', html)
    assert '<script id="sk-fit-js">' in html
    assert all(getattr(s, "sk_fit_font", None) is None for s in example_html.deck.slides)


def test_html_build_never_loads_weasyprint(tmp_path):
    """An HTML build of a deck with every kind of fitting does not import WeasyPrint (it is fitted in the
    browser): a large deck then builds in a fraction of the time."""
    root = Path(__file__).parents[1]
    script = ("import sys\nfrom slidekit.cli import main\n"
              f"code = main(['build', {str(root / 'examples' / 'fit' / 'slides.md')!r}, '-o', "
              f"{str(tmp_path / 'fit.html')!r}])\n"
              "print('weasyprint' in sys.modules, code)\n")
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=root)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split()[-2:] == ["False", "0"], run.stdout + run.stderr
    assert 'data-sk-fit="slide"' in (tmp_path / "fit.html").read_text(encoding="utf-8")


def test_html_build_does_not_lay_out(monkeypatch):
    import slidekit.export.pdf as pdf
    monkeypatch.setattr(pdf, "layout_document", lambda *a, **k: pytest.fail("laid out"))
    result = build_example("fit", "html")
    assert "data-sk-fit" in result.output


def test_pdf_layout_fits(example_pdf):
    result, layouts = example_pdf
    heading = layouts[1].headings[0]
    assert heading.text_width == pytest.approx(heading.room_width, rel=0.01)
    long_code, short_code = layouts[2].codes
    assert long_code.text_width <= long_code.room_width + 0.5
    assert short_code.font_size == pytest.approx(29 * 0.85, abs=0.1)
    assert layouts[3].fits_content_box
    assert not [d for d in result.diagnostics if d.code == "overflow"]


def test_fitting_heading_fills_the_page_width_in_the_pdf(example_pdf):
    image = pdf_page_png(example_pdf[0].output, 1, dpi=48)
    if image is None:
        pytest.skip("pdftoppm is not installed")
    grey = image.convert("L")
    width, height = grey.size
    columns = [x for x in range(width) if any(grey.getpixel((x, y)) < 128 for y in range(height // 4, height // 2))]
    content = width * (1280 - 2 * 78.5) / 1280
    assert max(columns) - min(columns) > 0.95 * content        # Marp's fitting header: the full width


def test_marp_fit_comment_in_the_corpus_style_deck():
    """001-marp-cli-demo's last slide: `# <!--fit--> :+1:` grows until the slide's height stops it."""
    result = build_md("---\ntheme: uncover\n---\n\n# <!--fit--> :+1:\n", fmt="pdf")
    size = re.search(r'data-sk-fit style="font-size:([\d.]+)px', result.deck.slides[0].html)
    assert size and float(size.group(1)) > 300


def test_decks_without_anything_to_fit_are_not_fitted(monkeypatch):
    import slidekit.markdown.fit as fit_module
    monkeypatch.setattr(fit_module, "fit_deck", lambda *a, **k: pytest.fail("fitted"))
    result = build_md("# Title\n\nText, no code.\n", fmt="pdf")
    assert result.output.startswith(b"%PDF")


def test_only_slides_that_can_change_are_laid_out():
    short = _Slide(1, '<pre><code>print(&quot;x&quot;)\nx = 1\n</code></pre>')
    long = _Slide(2, '<pre><code><span class="k">def</span> a_function_with_a_long_name(argument):\n</code></pre>')
    assert not fit.needs_fitting(short) and fit.needs_fitting(long)
    assert fit.needs_fitting(_Slide(3, '<h1 id="t" data-sk-fit>T</h1>'))
    assert fit.needs_fitting(_Slide(4, "<p>x</p>", fit_directive=True))
