"""Marp's rules seen in the PDF (issue 21): each deck in tests/fixtures/marp_rules was checked against
marp-cli 4.5.1 (../shared/tools/marp-ref); the assertions say what Marp draws there."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from slidekit.api import BuildOptions, build_file

FIXTURES = Path(__file__).parent / "fixtures" / "marp_rules"
needs_pdftoppm = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler) not installed")


def pdf_pages(deck: Path, out: Path, dpi: int = 24, **options):
    """The deck's PDF pages as RGB images at `dpi`, and the build result."""
    from PIL import Image

    result = build_file(deck, BuildOptions(format="pdf", **options))
    assert result.output, [d.format() for d in result.diagnostics]
    pdf = out / "deck.pdf"
    pdf.write_bytes(result.output)
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), str(pdf), str(out / "page")], check=True)
    return [Image.open(p).convert("RGB") for p in sorted(out.glob("page-*.png"))], result


def near(colour, want, tolerance=12) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour, want))


@needs_pdftoppm
def test_a_decks_root_palette_wins_over_theme_classes_and_gaias_page_number_follows_color(tmp_path):
    # Marpit raises `:root` above `section` (postcss/root/increasing_specificity.js); marp-core's gaia draws
    # the page number in the slide's colour.
    pages, _ = pdf_pages(FIXTURES / "root_palette.md", tmp_path, dpi=48)
    assert len(pages) == 4
    deck_background = (0x10, 0x18, 0x20)
    for number in (1, 2, 3):        # plain, `_class: gaia`, `_class: invert`: all the deck's palette
        assert near(pages[number - 1].getpixel((5, 5)), deck_background), number
    page = pages[3]                  # `_color: #00ff00`: the page number is green as well
    width, height = page.size
    corner = page.crop((width - width // 10, height - height // 8, width, height))
    assert any(g > 160 and r < 100 and b < 100 for r, g, b in (corner.getpixel((x, y)) for x in range(corner.width) for y in range(corner.height)))


@needs_pdftoppm
def test_a_local_css_import_applies_before_the_theme_and_others_warn(tmp_path):
    # Marpit suppresses a theme's name in a deck's @import and hoists the others above the theme, where
    # the browser loads them: the imported rules win only where more specific (postcss/import/*.js).
    pages, result = pdf_pages(FIXTURES / "css_import" / "deck.md", tmp_path, dpi=48)
    assert len(pages) == 2
    assert near(pages[0].getpixel((5, 5)), (255, 255, 255))   # `section { background }` loses to the theme

    def count(page, want):
        return sum(near(page.getpixel((x, y)), want, 40) for x in range(0, page.width, 2)
                   for y in range(0, page.height, 2))
    assert count(pages[0], (255, 0, 0)) == 0                   # `h1 { color }` loses to the theme's heading
    assert count(pages[1], (0, 0, 255)) > 20                   # `section.mine h1` wins
    assert count(pages[1], (0, 192, 0)) > 5                    # imported by the imported file, from its folder
    warned = sorted(d.message.split(":")[0] for d in result.diagnostics)
    assert warned == ["@import ../outside.css", "@import https"], warned


def red_boxes(page) -> list[tuple[int, int]]:
    """(height, width) of each run of rows holding pure red, top to bottom."""
    def red(p):
        return p[0] > 200 and p[1] < 60 and p[2] < 60
    rows = [y for y in range(page.height) if any(red(page.getpixel((x, y))) for x in range(page.width))]
    runs: list[list[int]] = []
    for y in rows:
        if runs and y == runs[-1][1] + 1:
            runs[-1][1] = y
        else:
            runs.append([y, y])
    return [(bottom - top + 1, sum(red(page.getpixel((x, (top + bottom) // 2))) for x in range(page.width)))
            for top, bottom in runs]


@needs_pdftoppm
def test_img_width_and_height_attributes_size_the_image_in_the_pdf(tmp_path):
    # Chromium maps an img's width/height attributes to its size (presentational hints, below author CSS):
    # in Marp the 64 px picture is drawn 30x30 and 200x200 (`img` is in Marp's HTML allowlist).
    pages, _ = pdf_pages(FIXTURES / "img_size" / "deck.md", tmp_path, dpi=96)
    boxes = red_boxes(pages[0])
    assert len(boxes) == 2
    (h1, w1), (h2, w2) = boxes
    assert abs(h1 - 30) <= 2 and abs(w1 - 30) <= 2, boxes
    assert abs(h2 - 200) <= 2 and abs(w2 - 200) <= 2, boxes


def test_img_size_hints_are_rules_of_zero_specificity_for_valid_sizes_only():
    from slidekit.render.css import img_size_hints
    css = img_size_hints('<p><img src="a.png" width="30" HEIGHT=\'40%\'><img width="0"><img width="x"></p>')
    assert css == (':where(.sk-deck img[width="30"]) { width: 30px; }\n'
                   ':where(.sk-deck img[height="40%"]) { height: 40%; }\n')


def word_boxes(pdf: bytes, tmp_path: Path) -> list[dict[str, tuple[float, float, float]]]:
    """Per page, each word's (yMin, yMax, xMin) in pt, from poppler's pdftotext -bbox."""
    import re
    path = tmp_path / "words.pdf"
    path.write_bytes(pdf)
    xml = subprocess.run(["pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True, text=True).stdout
    pages = []
    for page in xml.split("<page ")[1:]:
        pages.append({m.group(4): (float(m.group(2)), float(m.group(3)), float(m.group(1))) for m in re.finditer(
            r'<word xMin="([^"]*)" yMin="([^"]*)" xMax="[^"]*" yMax="([^"]*)">([^<]*)</word>', page)})
    return pages


@needs_pdftoppm
def test_a_tall_code_block_is_scaled_down_to_the_themes_bound(tmp_path):
    # marp-core's auto-scaling of pre scales a block within pre::part(auto-scaling)'s max-height (529px in
    # the default theme): in marp-cli's PDF the 30 lines of slide 2 span 383 pt, first to last, at 16:9.
    result = build_file(FIXTURES / "tall_code" / "deck.md", BuildOptions(format="pdf"))
    pages = word_boxes(result.output, tmp_path)
    assert len(pages) == 2
    first, last = pages[1]["value1"], pages[1]["value30"]
    assert abs((last[0] - first[0]) - 383) < 383 * 0.04, (first, last)


def ink_bands(page, gap=8):
    """(top, bottom, left, right) of each band of dark rows of a page, top to bottom."""
    grey = page.convert("L")
    rows = [y for y in range(grey.height) if any(grey.getpixel((x, y)) < 128 for x in range(0, grey.width, 2))]
    bands, start, prev = [], rows[0], rows[0]
    for y in rows[1:] + [None]:
        if y is None or y > prev + gap:
            xs = [x for r in range(start, prev + 1) for x in range(0, grey.width, 2) if grey.getpixel((x, r)) < 128]
            bands.append((start, prev, min(xs), max(xs)))
            start = y
        prev = y if y is not None else prev
    return bands


@needs_pdftoppm
def test_display_maths_is_as_wide_as_marp_draws_it(tmp_path):
    # marp-core's default engine, MathJax, draws this display formula 206 px across in marp-cli's PDF at 96 dpi.
    pages, _ = pdf_pages(FIXTURES / "math" / "deck.md", tmp_path, dpi=96)
    page = pages[0].convert("L")
    xs = [x for y in range(330, page.height) for x in range(0, page.width, 2) if page.getpixel((x, y)) < 128]
    assert abs((max(xs) - min(xs)) - 206) < 206 * 0.06, (min(xs), max(xs))


@needs_pdftoppm
def test_maths_is_sized_per_engine_mathjax_in_ex_of_the_text_katex_at_1_21em(tmp_path):
    # marp-core's `math` global directive: MathJax (default) sizes a formula in ex of the text (1 ex = 0.442
    # em of the formula), so beside Liberation Serif (x-height 0.459) it is 1.04em: marp-cli draws this one
    # 248 px across at 96 dpi. KaTeX sets `.katex` at 1.21em: 1.21 / 1.04 times as wide.
    (tmp_path / "mj").mkdir()
    (tmp_path / "kt").mkdir()
    mathjax = ink_bands(pdf_pages(FIXTURES / "math" / "serif_mathjax.md", tmp_path / "mj", dpi=96)[0][0])
    katex = ink_bands(pdf_pages(FIXTURES / "math" / "serif_katex.md", tmp_path / "kt", dpi=96)[0][0])
    mathjax_width = mathjax[0][3] - mathjax[0][2]
    katex_width = katex[0][3] - katex[0][2]
    assert abs(mathjax_width - 248) < 248 * 0.04, mathjax
    assert abs(katex_width / mathjax_width - 1.21 / (0.459 / 0.442)) < 0.05, (katex, mathjax)


@needs_pdftoppm
def test_display_maths_rows_and_the_text_below_are_where_marp_puts_them(tmp_path):
    # MathJax lays a table out as TeX: rows at least 0.75em high and 0.25em deep, align's rows 3pt (0.3em)
    # apart; a display formula is a block (no line box around it). marp-cli at 96 dpi: the four rows start
    # at y = 248, 293, 339, 383 and the paragraph below at 440.
    bands = ink_bands(pdf_pages(FIXTURES / "math" / "align_rows.md", tmp_path, dpi=96)[0][0])
    assert len(bands) == 5, bands
    for (top, *_), want in zip(bands, (248, 293, 339, 383, 440)):
        assert abs(top - want) <= 4, bands


@needs_pdftoppm
def test_code_is_coloured_with_the_themes_highlight_js_palette(tmp_path):
    # highlight.js reads a Rust attribute as `meta`, which marp-core's default theme (GitHub's palette)
    # colours #0550ae: marp-cli draws ~485 px of it at 96 dpi, and nothing in the keyword red #cf222e.
    pages, _ = pdf_pages(FIXTURES / "code_colours" / "deck.md", tmp_path, dpi=96)
    page = pages[0]
    pixels = [page.getpixel((x, y)) for x in range(page.width) for y in range(page.height)]
    assert sum(near(p, (0x05, 0x50, 0xae), 8) for p in pixels) > 300
    assert sum(near(p, (0xcf, 0x22, 0x2e), 8) for p in pixels) == 0


# Where marp-cli 4.5.1 starts each line of tests/fixtures/marp_rules/spacing/NAME.md (paragraphs, quotes,
# nested and loose lists, a quote holding a list and a quote), per page at 96 dpi: (top, left) of each band
# of ink, as `line_starts` finds them.
MARP_LINE_STARTS = {
    "default": [[(237, 82), (296, 116), (339, 116), (399, 116), (458, 80)], [(147, 114), (190, 172), (241, 172), (284, 230), (336, 114), (394, 106), (438, 174), (489, 106), (548, 80)], [(181, 114), (241, 114), (300, 140), (360, 150), (410, 150), (470, 152), (529, 80)], [(178, 82), (264, 116), (339, 116), (404, 114), (458, 114), (518, 82)]],
    "gaia": [[(78, 74), (159, 72), (207, 106), (289, 106), (372, 70)], [(89, 86), (145, 126), (203, 126), (261, 166), (320, 86), (402, 72), (459, 112), (516, 70), (599, 70)], [(99, 86), (167, 86), (236, 114), (317, 72), (375, 120), (457, 108), (539, 70)], [(84, 74), (201, 72), (304, 106), (393, 86), (467, 86), (550, 74)]],
    "default_loose_list": [[(172, 80), (231, 114), (290, 172), (341, 172), (401, 114), (460, 172), (520, 82)], [(296, 114), (355, 114), (415, 80)]],
    "default_loose_list_last": [[(238, 80), (324, 114), (384, 114), (443, 114)], [(216, 80), (297, 114), (344, 114), (402, 106), (461, 106)]],
    "uncover": [[(224, 552), (290, 504), (337, 568), (399, 386), (465, 526)], [(106, 80), (161, 120), (217, 120), (273, 160), (330, 80), (400, 60), (456, 100), (512, 58), (583, 604)], [(162, 80), (233, 80), (304, 112), (371, 154), (418, 154), (465, 530), (526, 604)], [(128, 476), (261, 410), (364, 524), (438, 80), (501, 80), (572, 602)]],
}


def line_starts(page):
    return [(top, left) for top, _, left, _ in ink_bands(page, gap=3)]


def assert_lines_start_as_in_marp(deck: Path, tmp_path, want_pages: list, **options) -> None:
    """Each page of the deck's PDF at 96 dpi starts its lines where marp-cli's do (`want_pages`: a list of
    (top, left) per page), within 5 px down and 3 px across (a list item's line starts at its bullet)."""
    pages, _ = pdf_pages(deck, tmp_path, dpi=96, **options)
    assert len(pages) == len(want_pages)
    for number, (page, want) in enumerate(zip(pages, want_pages), 1):
        got = line_starts(page)
        assert len(got) == len(want), (number, got)
        for (top, left), (want_top, want_left) in zip(got, want):
            assert abs(top - want_top) <= 5 and abs(left - want_left) <= 3, (number, got, want)


@needs_pdftoppm
@pytest.mark.parametrize("name", sorted(MARP_LINE_STARTS))
def test_blockquote_and_list_spacing_is_the_themes(name, tmp_path):
    # marp-core's themes: default (GitHub's) `blockquote { margin: 0 }` (no UA 40px indent); gaia
    # `ol > li, ul > li { margin: .3em 0 0 }` and `li > p { margin: .6em 0 0 }`, first item too; uncover
    # `section p { margin: 0 0 15px }` inside quotes and loose items, lists `margin: 0 auto` below the
    # slide's level. A loose list's first paragraph (default: 16px above) shares the gap above the list, and
    # its last paragraph keeps its 16px below, in the centred content when the list is the slide's last block.
    assert_lines_start_as_in_marp(FIXTURES / "spacing" / f"{name}.md", tmp_path, MARP_LINE_STARTS[name])


# Where marp-cli 4.5.1 starts the lines of tests/fixtures/marp_rules/inline_text.md at 96 dpi (default theme).
MARP_INLINE_TEXT_LINES = [[(165, 82), (250, 82), (305, 80), (348, 80), (413, 80), (473, 82), (516, 98)]]


@needs_pdftoppm
def test_default_themes_inline_text_is_marps(tmp_path):
    # marp-core's default theme: `small` 90% of its line's size (Chromium's `smaller` would be 83%);
    # sub- and superscripts 75%, moved by `position: relative` with `line-height: 0`, so that their line is
    # no taller than another; a definition's `dd` not indented; an `<a>` without `href` plain text.
    deck = FIXTURES / "inline_text.md"
    assert_lines_start_as_in_marp(deck, tmp_path, MARP_INLINE_TEXT_LINES, allow_html=True)
    words = word_boxes((tmp_path / "deck.pdf").read_bytes(), tmp_path)[0]
    height = {word: box[1] - box[0] for word, box in words.items()}
    assert abs(height["small"] / height["Normal"] - 0.9) < 0.01, words       # Marp: 21.87 / 24.30 pt


@needs_pdftoppm
def test_code_in_a_heading_keeps_the_headings_size(tmp_path):
    # marp-core's default theme: `h1 code` ... `padding: 0 .2em; font-size: inherit` (not 85% with .4em).
    # marp-cli 4.5.1 sets "today" after "# Using `git rebase`" at x 397.6pt, "heading" after "### Small `code`"
    # at 203.0pt, each code word as tall as its heading's text.
    result = build_file(FIXTURES / "heading_code.md", BuildOptions(format="pdf"))
    words = word_boxes(result.output, tmp_path)[0]
    assert abs(words["today"][2] - 397.6) <= 1 and abs(words["heading"][2] - 203.0) <= 1, words
    for code, text in (("rebase", "Using"), ("code", "Small")):
        assert abs((words[code][1] - words[code][0]) / (words[text][1] - words[text][0]) - 1) < 0.03, words


# The markers marp-cli 4.5.1 draws for tests/fixtures/marp_rules/list_markers.md (default theme), in CSS px
# read at 192 dpi: (left, top, width, height) of the two discs, the nested circle and the square below it.
MARP_LIST_MARKERS = [(113.0, 276.0, 9.0, 9.0), (113.0, 327.0, 9.0, 9.0), (170.5, 369.5, 10.0, 10.0),
                     (229.0, 414.0, 9.0, 9.0)]


def ink_spots(page, scale: float):
    """(left, top, width, height, area) in CSS px of each connected patch of dark ink on the page."""
    pixels, (width, height) = page.convert("L").load(), page.size
    seen, spots = set(), []
    for y in range(height):
        for x in range(width):
            if pixels[x, y] >= 128 or (x, y) in seen:
                continue
            seen.add((x, y))
            stack, patch = [(x, y)], []
            while stack:
                a, b = stack.pop()
                patch.append((a, b))
                for c, d in ((a + 1, b), (a - 1, b), (a, b + 1), (a, b - 1)):
                    if 0 <= c < width and 0 <= d < height and (c, d) not in seen and pixels[c, d] < 128:
                        seen.add((c, d))
                        stack.append((c, d))
            xs, ys = [p[0] for p in patch], [p[1] for p in patch]
            spots.append((min(xs) / scale, min(ys) / scale, (max(xs) - min(xs) + 1) / scale,
                          (max(ys) - min(ys) + 1) / scale, len(patch) / scale ** 2))
    return spots


@needs_pdftoppm
def test_list_bullets_are_the_shapes_chromium_draws(tmp_path):
    # Chromium draws `disc`, `circle` and `square` markers as shapes a third of the font's ascent across,
    # 2/3 of the ascent + 8px before the text; WeasyPrint writes the font's bullet characters (Liberation
    # Sans': 8px across, 6px nearer the text; Lato's larger).
    pages, _ = pdf_pages(FIXTURES / "list_markers.md", tmp_path, dpi=192)
    markers = sorted((s for s in ink_spots(pages[0], 2) if 7 <= s[2] <= 12 and 7 <= s[3] <= 12 and s[0] < 260),
                     key=lambda s: s[1])
    assert len(markers) == len(MARP_LIST_MARKERS), markers
    for (left, top, width, height, area), want in zip(markers, MARP_LIST_MARKERS):
        assert abs(left - want[0]) <= 1 and abs(top - want[1]) <= 2, (markers, want)
        assert abs(width - want[2]) <= 0.5 and abs(height - want[3]) <= 1, (markers, want)
    discs, circle, square = markers[:2], markers[2], markers[3]
    assert all(spot[4] > 0.7 * spot[2] * spot[3] for spot in discs + [square])      # filled
    assert circle[4] < 0.5 * circle[2] * circle[3]                                  # a ring


@needs_pdftoppm
def test_absolutely_positioned_flex_title_keeps_to_one_line(tmp_path):
    # Chromium (marp-cli, --html) sizes an absolutely positioned box to its content's max-content width, gaps
    # of a flex row included: this title is one line. Without the gaps its items shrink and wrap by word.
    pages, _ = pdf_pages(FIXTURES / "abs_flex_gap.md", tmp_path, dpi=96, allow_html=True)
    bands = ink_bands(pages[0], gap=3)
    assert len(bands) == 1, bands


@needs_pdftoppm
def test_a_missing_image_keeps_its_line_as_in_chromium(tmp_path):
    # Chromium keeps an image that cannot be loaded as an empty inline box: a paragraph of one missing
    # `![](x.png)` is still a line high. marp-cli at 96 dpi: "Before", "Middle", "After" at y = 228, 347, 466.
    pages, _ = pdf_pages(FIXTURES / "missing_image.md", tmp_path, dpi=96)
    tops = [top for top, *_ in ink_bands(pages[0], gap=3)]
    assert len(tops) == 3 and all(abs(top - want) <= 4 for top, want in zip(tops, (228, 347, 466))), tops


def test_an_ordered_list_is_numbered_from_its_first_number_in_the_pdf(tmp_path):
    # markdown-it keeps a list's first number as `<ol start="7">`, and Chromium numbers from it: in marp-cli's
    # PDF the list of slide 1 reads "7. seventh 8. eighth", that of slide 2 (`3)` delimiters) "3. third".
    result = build_file(FIXTURES / "ol_start" / "deck.md", BuildOptions(format="pdf"))
    path = tmp_path / "deck.pdf"
    path.write_bytes(result.output)
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    pages = [" ".join(page.split()) for page in text.split("\f")]
    assert "7. seventh 8. eighth" in pages[0], pages[0]
    assert "3. third 4. fourth" in pages[1], pages[1]


def test_list_start_hints_map_start_to_the_list_item_counter():
    from slidekit.render.css import list_start_hints
    css = list_start_hints('<ol start="7"><li>a</li></ol><ol><li>b</li></ol><ol start=0><li>c</li></ol>')
    assert css == (':where(.sk-deck ol[start="0"]) { counter-reset: list-item -1; }\n'
                   ':where(.sk-deck ol[start="7"]) { counter-reset: list-item 6; }\n')


def pdf_words(deck: Path, tmp_path: Path, fmt: str = "pdf") -> list[str]:
    import re
    result = build_file(deck, BuildOptions(format=fmt))
    path = tmp_path / f"{deck.stem}.pdf"
    path.write_bytes(result.output)
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return re.findall(r"\w+", text.lower())


def test_katex_formulas_are_text_in_the_pdf_and_mathjax_formulas_are_not(tmp_path):
    # marp-core's KaTeX writes formulas as HTML text: marp-cli's PDF of katex.md yields the words below (in
    # pdftotext's order); its MathJax output is SVG paths, so mathjax.md yields none of the formulas' words.
    katex = pdf_words(FIXTURES / "katex_text" / "katex.md", tmp_path)
    marp = ["m", "n", "aij", "a11", "a12", "a21", "a22", "det", "ad", "bc", "ds", "dt", "βsi"]
    assert sorted(w for w in katex if w in marp) == sorted(marp), katex
    mathjax = pdf_words(FIXTURES / "katex_text" / "mathjax.md", tmp_path)
    assert sorted(mathjax) == sorted(["matrices", "the", "size", "is", "the", "entry", "then", "and", "hold"])


def test_a_formulas_text_layer_takes_no_room_in_the_pdf(tmp_path):
    # the text is transparent and laid over the drawing: every word after a formula sits where it sits with
    # the layer hidden by a deck rule
    deck = (FIXTURES / "katex_text" / "katex.md").read_text(encoding="utf-8")
    hidden = tmp_path / "hidden.md"
    hidden.write_text(deck + "\n<style>section .sk-math-text { display: none !important; }</style>\n",
                      encoding="utf-8")
    with_layer = word_boxes(build_file(FIXTURES / "katex_text" / "katex.md", BuildOptions(format="pdf")).output,
                            tmp_path)[0]
    without = word_boxes(build_file(hidden, BuildOptions(format="pdf")).output, tmp_path)[0]
    assert "a11" in with_layer and "a11" not in without
    for word in ("Matrices", "entry", "Then", "hold."):
        assert abs(with_layer[word][0] - without[word][0]) < 0.05, word


def test_formula_text_reads_symbols_in_order_with_scripts_joined():
    from slidekit.markdown.math import formula_text
    assert formula_text(r"a_{11} + x^2") == "a11+x2"
    assert formula_text(r"\mathbf{A}\mathbb{R}") == "AR"                       # styled letters read plain
    assert formula_text(r"\begin{bmatrix} a & b \\ c & d \end{bmatrix}", True) == "[ a b c d ]"
    assert formula_text(r"\frac{dS}{dt}") == "dS dt"
    assert formula_text(r"\sin x") == "sin x"


def test_eqnarray_is_drawn_as_mathjax_draws_it(tmp_path):
    # MathJax, marp-core's default engine, knows LaTeX's eqnarray (three columns, r c l): marp-cli's PDF shows
    # the formula drawn, with no text of it (SVG paths), and the paragraph below
    words = pdf_words(FIXTURES / "math" / "eqnarray.md", tmp_path)
    assert words == ["eqnarray", "below", "the", "formula"], words
    from slidekit.markdown.math import formula_text
    assert formula_text(r"\begin{eqnarray} x &=& 1 \\ y &\equiv& a \end{eqnarray}", True) == "x = 1 y ≡ a"


def test_a_paginate_value_other_than_true_hold_or_skip_hides_the_page_number(tmp_path):
    # Marpit reads directive values as text (YAML's failsafe schema): paginate shows the number only for
    # "true"; an empty value or any other word hides it (marp-cli's PDF: "One 1", "Two", "Three", "Four 4")
    import re
    result = build_file(FIXTURES / "paginate_values" / "deck.md", BuildOptions(format="pdf"))
    path = tmp_path / "deck.pdf"
    path.write_bytes(result.output)
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    pages = [re.findall(r"\w+", page) for page in text.split("\f")][:4]
    assert pages == [["One", "1"], ["Two"], ["Three"], ["Four", "4"]], pages
    warned = [d.message for d in result.diagnostics]
    assert warned == ["'_paginate: none': expected true, false, hold or skip; Marp reads it as false"], warned
@needs_pdftoppm
def test_a_heading_with_letter_spacing_in_em_stays_one_line_high(tmp_path):
    # Text laid out at its own max-content width fits on one line (Chromium). marp-cli at 96 dpi: heading,
    # quote and list start at y = 276, 361, 421. WeasyPrint's truncated line width made this flex item's
    # automatic minimum height two lines and pushed the heading up, the rest down.
    pages, _ = pdf_pages(FIXTURES / "letter_spacing_heading.md", tmp_path, dpi=96)
    tops = [top for top, *_ in ink_bands(pages[0], gap=3)]
    assert len(tops) == 3 and all(abs(top - want) <= 4 for top, want in zip(tops, (276, 361, 421))), tops


@needs_pdftoppm
def test_generic_font_families_resolve_as_in_chromium(tmp_path):
    # Chromium on Linux: `sans-serif` is Arial, `serif` and a list with no installed font Times New Roman
    # (Liberation Sans and Serif), `system-ui` the desktop's font (fontconfig's sans-serif: DejaVu Sans here)
    # even before an installed Arial. marp-cli at 96 dpi draws the four lines 824, 620, 442 and 680 px wide;
    # fontconfig's defaults for the first three (DejaVu) are some 20 % wider.
    pages, _ = pdf_pages(FIXTURES / "generic_families.md", tmp_path, dpi=96)
    widths = [right - left for _, _, left, right in ink_bands(pages[0], gap=3)]
    want = (824, 620, 442, 680)
    assert len(widths) == 4 and all(abs(got - w) <= 8 for got, w in zip(widths, want)), widths


# Where marp-cli 4.5.1 starts each line of tests/fixtures/marp_rules/block_slides/NAME.md at 96 dpi: marp-core's
# slides are block containers centred by `place-content: safe center` (gaia: `section.lead` only), so a deck's
# own margins collapse (h1's 40px with h3's 30px; a quote's 32px with a list's 30px and its items' 15px), a
# heading's margin collapses through a `<div>` around it, content taller than the slide starts at the top, and
# a slide the deck makes `display: flex` is a centred column (the themes' `place-content` and `flex-flow`).
MARP_BLOCK_LINE_STARTS = {
    "default": [[(154, 80), (261, 82), (335, 116), (411, 114), (469, 114), (543, 82)],
                [(302, 80), (360, 80), (420, 80)],
                [(90, 80), (204, 114), (260, 114), (316, 114), (375, 114), (433, 114), (492, 154), (498, 114),
                 (555, 114), (609, 114), (667, 156), (672, 114)],
                [(293, 80), (403, 80)]],
    "gaia": [[(191, 474), (299, 458), (416, 518), (483, 494)], [(81, 70), (198, 74), (265, 72)]],
    "uncover": [[(134, 302), (280, 332), (351, 80), (407, 80), (480, 414), (563, 364)]],
}


@needs_pdftoppm
@pytest.mark.parametrize("name", sorted(MARP_BLOCK_LINE_STARTS))
def test_slides_are_centred_blocks_whose_margins_collapse(name, tmp_path):
    assert_lines_start_as_in_marp(FIXTURES / "block_slides" / f"{name}.md", tmp_path, MARP_BLOCK_LINE_STARTS[name],
                                  allow_html=True)


def _has_cjk_font() -> bool:
    return shutil.which("fc-list") is not None and bool(
        subprocess.run(["fc-list", ":lang=ko"], capture_output=True, text=True).stdout.strip()
        and subprocess.run(["fc-list", ":lang=ja"], capture_output=True, text=True).stdout.strip())


@needs_pdftoppm
def test_text_from_a_fallback_font_keeps_the_line_height_of_the_first_font(tmp_path):
    # Chromium sets a run of text on its element's first font's ascent and descent whatever font draws the
    # glyphs (line-height other than normal): gaia's Korean and Japanese lines are 47px apart, as Latin ones
    # (1.35 x 35px). marp-cli 4.5.1 at 96 dpi, Noto CJK installed:
    if not _has_cjk_font():
        pytest.skip("no Korean or Japanese font installed (scripts/setup installs Noto CJK)")
    pages, _ = pdf_pages(FIXTURES / "fallback_font_lines.md", tmp_path, dpi=96)
    want = [(75, 72), (170, 86), (218, 112), (275, 86), (361, 74)]
    got = line_starts(pages[0])
    assert len(got) == len(want), got
    assert all(abs(top - w_top) <= 4 and abs(left - w_left) <= 8
               for (top, left), (w_top, w_left) in zip(got, want)), got
