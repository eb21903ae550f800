"""PDF output: one page a slide at the slide's size, the text of each slide on its page."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from image_helpers import solid_png

from slidekit.api import BuildOptions, build_file

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "decks" / "mlops-guide" / "slides.md"


def _pdf(path: Path, **options) -> PdfReader:
    result = build_file(path, BuildOptions(format="pdf", **options))
    assert result.output and result.output.startswith(b"%PDF")
    import io
    return PdfReader(io.BytesIO(result.output)), result


@pytest.fixture(scope="module")
def seed():
    return _pdf(SEED)


def test_seed_deck_has_marps_45_pages_at_16_9(seed):
    reader, result = seed
    assert len(reader.pages) == 45
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == (960.0, 540.0)  # 1280x720 px


def test_seed_deck_text_lands_on_its_page(seed):
    reader, _ = seed
    texts = [page.extract_text() for page in reader.pages]
    assert "A guide to MLOps" in texts[0]
    assert "didn’t get the same results" in texts[3]
    assert "INTRODUCTION" in texts[1].upper()
    assert "Swiss AI Center" in texts[5]          # the footer, on every slide
    assert texts[2].rstrip().endswith("3")         # page number
    assert "SOURCES" in texts[44].upper()


def test_seed_deck_metadata(seed):
    reader, _ = seed
    meta = reader.metadata
    assert meta.title == "A guide to MLOps - Presentation"
    assert meta.author == "Swiss AI Center contributors"


def test_seed_deck_warns_once_per_use_of_a_missing_image(seed):
    _, result = seed
    missing = [(d.message, d.line) for d in result.diagnostics if d.code == "missing-image"]
    assert len(missing) == len(set(missing)) == 34          # 32 files, two of them used twice
    assert len({message for message, _ in missing}) == 32
    assert not result.diagnostics.has_errors


def test_4_3_deck_pages(tmp_path):
    deck = tmp_path / "d.md"
    deck.write_text("---\nsize: 4:3\ntheme: gaia\n---\n\n# A\n\n---\n\n# B\n", encoding="utf-8")
    reader, _ = _pdf(deck)
    assert len(reader.pages) == 2
    assert (float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)) == (720.0, 540.0)


def test_overflowing_slide_stays_on_one_page(tmp_path):
    deck = tmp_path / "d.md"
    deck.write_text("# Long\n\n" + "\n\n".join(f"paragraph {i}" for i in range(60)) + "\n\n---\n\n# Next\n",
                    encoding="utf-8")
    reader, _ = _pdf(deck)
    assert len(reader.pages) == 2
    assert "Next" in reader.pages[1].extract_text()
    assert "paragraph 59" not in reader.pages[1].extract_text()


def test_pdf_is_deterministic(tmp_path):
    a = build_file(REPO / "examples" / "images" / "slides.md", BuildOptions(format="pdf")).output
    b = build_file(REPO / "examples" / "images" / "slides.md", BuildOptions(format="pdf")).output
    assert a == b


@pytest.mark.parametrize("deck", sorted((REPO / "examples").rglob("*.md")), ids=lambda p: str(p.relative_to(REPO)))
def test_examples_build_to_pdf_and_html(deck, tmp_path):
    for suffix in (".html", ".pdf"):
        out = tmp_path / (deck.stem + suffix)
        proc = subprocess.run([sys.executable, "-m", "slidekit", "build", str(deck), "-o", str(out)],
                              capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        assert "warning" not in proc.stderr, proc.stderr
        assert out.stat().st_size > 1000
    slides = PdfReader(str(tmp_path / (deck.stem + ".pdf")))
    html = (tmp_path / (deck.stem + ".html")).read_text(encoding="utf-8")
    assert len(slides.pages) == html.count("<section ")



def test_too_full_centred_slide_starts_at_the_top_as_with_safe_center(tmp_path):
    # The default theme centres slides with `justify-content: safe center`: a slide too full for its box
    # starts at its top padding (Chromium, Marp). WeasyPrint has no `safe`; slidekit lays such a slide out
    # again aligned to the start, so its heading is not cut off above the page.
    deck = tmp_path / "d.md"
    deck.write_text("# Heading on top\n\n" + "\n".join(f"- item {i}" for i in range(40)) + "\n", encoding="utf-8")
    reader, _ = _pdf(deck)
    page = reader.pages[0]
    found = []

    def visit(text, cm, tm, font, size):
        if "Heading on top" in text:
            found.append(tm[5] * cm[3] + cm[5])   # baseline, pt above the page's bottom (no rotation here)

    page.extract_text(visitor_text=visit)
    assert found, "the heading is on the page"
    assert found[0] < float(page.mediabox.height) - 20   # below the top edge, not centred above it


def _image_rects_px(pdf: bytes) -> list[tuple[int, int, int, int]]:
    """(left, top, right, bottom) in CSS px of each page's first image."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw
    document = pdfium.PdfDocument(pdf)
    rects = []
    for page in document:
        height = page.get_height()
        image = next(iter(page.get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE], max_depth=4)))
        left, bottom, right, top = image.get_bounds()
        rects.append(tuple(round(v / 0.75) for v in (left, height - top, right, height - bottom)))
    document.close()
    return rects


@pytest.mark.parametrize("direction", ["column", "row"])
def test_an_image_in_a_flex_slide_is_sized_and_centred_as_in_chromium(tmp_path, direction):
    # Decks of exported slides: each slide one PNG larger than the slide, `section` a centring flex box and
    # `img { max-width: 100%; max-height: 100% }`. The paragraph around the image takes the image's used size
    # (not its natural 1080px) as its minimum, and plain `center` centres it even where it overflows the
    # padding, as in Chromium (marp-core's themes make a flex slide a column; a deck may make it a row, where
    # the paragraph shrinks to the slide's width, its image's min-content contribution being 0).
    from PIL import Image
    Image.new("RGB", (1920, 1080), (30, 60, 90)).save(tmp_path / "shot.png")
    deck = tmp_path / "d.md"
    deck.write_text("---\nmarp: true\nstyle: |\n  section { display: flex; flex-direction: " + direction + "; "
                    "justify-content: center; align-items: center; }\n  img { max-width: 100%; max-height: 100%; }\n"
                    "---\n\n![shot](shot.png)\n", encoding="utf-8")
    pdf = build_file(deck, BuildOptions(format="pdf", offline=True)).output
    (left, top, right, bottom), = _image_rects_px(pdf)
    assert right - left == pytest.approx(1123, abs=2)            # the content box's width (1280 - 2 x 78.5)
    assert bottom - top == pytest.approx(632, abs=2)             # at the image's ratio
    assert abs(top - (720 - bottom)) <= 2                         # centred: as much above as below


def test_a_too_full_slide_the_deck_centres_plainly_overflows_at_both_ends(tmp_path):
    # `justify-content: center` without `safe`, written by the deck: Chromium centres the overflowing content
    # (Marp shows it cut at the top and the bottom); only the themes' `safe center` starts it at the top.
    deck = tmp_path / "d.md"
    deck.write_text("---\nmarp: true\nstyle: |\n  section { display: flex; justify-content: center; }\n---\n\n"
                    "# Heading on top\n\n" + "\n".join(f"- item {i}" for i in range(40)) + "\n", encoding="utf-8")
    reader, _ = _pdf(deck)
    page = reader.pages[0]
    found = []

    def visit(text, cm, tm, font, size):
        if "Heading on top" in text:
            found.append(tm[5] * cm[3] + cm[5])

    page.extract_text(visitor_text=visit)
    assert found and found[0] > float(page.mediabox.height)    # above the page: cut off, as in Marp


def test_a_pathologically_long_slide_is_cut_for_the_pdf_with_a_warning(tmp_path):
    # Thousands of table cells on one slide took WeasyPrint minutes to lay out; nobody can see them anyway.
    rows = "\n".join("| " + " | ".join(f"c{r}-{c}" for c in range(10)) + " |" for r in range(400))
    deck = tmp_path / "d.md"
    deck.write_text("# Big\n\n| " + " | ".join("h" * 10) + " |\n|" + "---|" * 10 + "\n" + rows + "\n\n---\n\n# After\n",
                    encoding="utf-8")
    reader, result = _pdf(deck)
    assert len(reader.pages) == 2
    assert [(d.code, d.slide) for d in result.diagnostics] == [("slide-too-long", 1), ("overflow", 1)]
    assert "c0-0" in reader.pages[0].extract_text()
    assert "After" in reader.pages[1].extract_text()


def test_truncated_html_stays_well_formed():
    from slidekit.markdown.html_filter import truncate_html
    assert truncate_html("<table><tr><td>a</td></tr><tr><td>b</td></tr></table><p>x</p>", 100, 4) == (
        "<table><tr><td>a</td></tr><tr></tr></table>", True)
    assert truncate_html("<p>hello <b>world</b></p><p>more</p>", 8, 100) == ("<p>hello <b>wo</b></p>", True)
    assert truncate_html("<p>a &amp; b</p>", 100, 100) == ("<p>a &amp; b</p>", False)


def _text_sizes(pages) -> dict[str, float]:
    """The computed font size of each word laid out on the pages, by its text."""
    sizes = {}

    def walk(box):
        text = getattr(box, "text", None)
        if isinstance(text, str) and text.strip():
            sizes[text.strip()] = box.style["font_size"]
        for child in getattr(box, "children", ()):
            walk(child)
    for page in pages:
        walk(page._page_box)
    return sizes


@pytest.mark.parametrize("theme, base, small, script", [("gaia", 35, 35 / 1.2, 35 / 1.2),
                                                        ("default", 29, 29 * 0.9, 29 * 0.75)])
def test_small_sub_and_sup_are_a_size_down_as_in_chromium(tmp_path, theme, base, small, script):
    """Chromium computes `font-size: smaller` (<small>, <sub>, <sup> in gaia) as the parent's size / 1.2 and
    `larger` as x 1.2; WeasyPrint's keyword table gave gaia's <small> 32 px, not 29.2. marp-core's default
    theme sets its own: `small` 90%, `sub` and `sup` 75%."""
    from slidekit.export import pdf
    deck = tmp_path / "deck.md"
    deck.write_text(f"---\ntheme: {theme}\n---\n\nnormal <small>little</small> H<sub>low</sub> x<sup>high</sup> "
                    '<span style="font-size: larger">big</span>\n', encoding="utf-8")
    result = build_file(deck, BuildOptions(format="pdf", allow_html=True))
    assert result.output and result.output.startswith(b"%PDF")
    sizes = _text_sizes(pdf.last_pages())
    assert sizes["normal"] == pytest.approx(base)
    assert sizes["little"] == pytest.approx(small)
    for word in ("low", "high"):
        assert sizes[word] == pytest.approx(script), word
    assert sizes["big"] == pytest.approx(base * 1.2)


def _image_deck(folder: Path) -> Path:
    (folder / "sub").mkdir(parents=True)
    (folder / "x.png").write_bytes(solid_png((255, 0, 0)))
    (folder / "sub" / "x.png").write_bytes(solid_png((0, 0, 255)))      # the same name, another image
    (folder / "s.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
                                  '<rect width="10" height="10" fill="green"/></svg>', encoding="utf-8")
    deck = folder / "d.md"
    deck.write_text("---\nmarp: true\n---\n\n# One\n\n![w:200](x.png) ![w:200](sub/x.png)\n\n---\n\n"
                    "![bg](x.png)\n\n# Two ![w:50](s.svg)\n", encoding="utf-8")
    return deck


def test_a_decks_pdf_is_the_same_whatever_its_folder(tmp_path):
    # WeasyPrint names images after their URL, which holds the folder's path (export/patches.py)
    options = dict(format="pdf", pdf_cache=False, jobs=1)
    first = build_file(_image_deck(tmp_path / "talks"), BuildOptions(**options)).output
    second = build_file(_image_deck(tmp_path / "ci checkout é" / "deck"), BuildOptions(**options)).output
    assert first == second
    page = PdfReader(__import__("io").BytesIO(first)).pages[0]
    images = [x for x in page["/Resources"]["/XObject"].values() if x.get_object()["/Subtype"] == "/Image"]
    assert len(images) == 2             # x.png and sub/x.png: two names, two images
