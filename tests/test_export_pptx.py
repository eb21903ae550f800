"""--pptx: an editable PowerPoint file, read back with python-pptx."""

from __future__ import annotations

from pathlib import Path

import pytest
from pptx import Presentation

from slidekit.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "export"
EXAMPLES = Path(__file__).parent.parent / "examples"
SEED = Path(__file__).resolve().parents[1] / "decks" / "mlops-guide" / "slides.md"   # the seed deck, repaired
EMU_PER_PX = 12700 * 0.75
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


def _build(deck: Path, out: Path, *extra) -> Presentation:
    assert main(["build", str(deck), "--pptx", "-o", str(out), "-q", *extra]) == 0
    return Presentation(out)


@pytest.fixture(scope="module")
def pptx(tmp_path_factory):
    return _build(FIXTURES / "deck.md", tmp_path_factory.mktemp("pptx") / "deck.pptx")


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    return _build(EXAMPLES / "images" / "slides.md", tmp_path_factory.mktemp("pptx") / "images.pptx")


def _title(slide):
    return slide.shapes.title.text_frame.text if slide.shapes.title is not None else None


def _rect_px(shape):
    return tuple(round(v / EMU_PER_PX) for v in (shape.left, shape.top, shape.width, shape.height))


def _background_rgb(slide):
    """The slide's background colour: its solid fill's, or its gradient's first stop's."""
    fill = slide.background.fill
    return fill.gradient_stops[0].color.rgb if fill.type == 3 else fill.fore_color.rgb


def _overlaps(slide):
    boxes = [(s.name, s.left, s.top, s.left + s.width, s.top + s.height) for s in slide.shapes
             if s.shape_type not in (1, 13)]     # pictures and boxes' fills lie behind the text by design
    found = []
    for i, (n1, l1, t1, r1, b1) in enumerate(boxes):
        for n2, l2, t2, r2, b2 in boxes[i + 1:]:
            if min(r1, r2) - max(l1, l2) > 25400 and min(b1, b2) - max(t1, t2) > 25400:
                found.append((n1, n2))
    return found


def _inside(presentation):
    return all(0 <= s.left and 0 <= s.top and s.left + s.width <= presentation.slide_width + 1
               and s.top + s.height <= presentation.slide_height + 1
               for slide in presentation.slides for s in slide.shapes)


def test_titles_bodies_notes(pptx):
    assert (pptx.slide_width, pptx.slide_height) == (12192000, 6858000)      # 16:9, 13.333 x 7.5 in
    assert [_title(s) for s in pptx.slides] == ["Opening", "Lists and code", None, "Last words"]
    notes = [s.notes_slide.notes_text_frame.text if s.has_notes_slide else "" for s in pptx.slides]
    assert notes == ["Say **hello** to everyone.", "Notes for the lists slide\n\nA second note block", "",
                     "Questions?"]
    texts = [(sh.name, sh.text_frame.text) for sh in pptx.slides[0].shapes if sh.has_text_frame]
    # in the document's order (the reading order in PowerPoint): the page number, `section::after`, last
    assert texts == [("Title", "Opening"), ("Heading 2", "First point"), ("Heading 3", "A detail"),
                     ("Heading 2", "Second point"), ("Page number", "1")]


def test_positions_are_the_pdf_layout(pptx):
    slide = pptx.slides[0]
    shapes = {}
    for sh in slide.shapes:
        shapes.setdefault(sh.name, sh)
    title, detail = slide.shapes.title, shapes["Heading 3"]
    # the default theme centres nothing: the title's left edge is the slide's padding, as in the PDF
    assert 60 <= _rect_px(title)[0] <= 100
    assert _rect_px(title)[1] < _rect_px(shapes["Heading 2"])[1] < _rect_px(detail)[1]
    assert title.text_frame.paragraphs[0].runs[0].font.size.pt == 35          # 2.9em of 16px... as computed
    for presentation in (pptx,):
        assert _inside(presentation)
        assert all(_overlaps(s) == [] for s in presentation.slides)


def test_list_levels_code_and_colours(pptx):
    slide = pptx.slides[1]
    shapes = {sh.name: sh for sh in slide.shapes}
    levels = [(p.level, "".join(r.text for r in p.runs)) for p in shapes["List"].text_frame.paragraphs]
    assert levels == [(0, "•\tone"), (0, "•\ttwo"), (1, "◦\ttwo and a half"), (0, "•\tthree")]
    margins = [int(p._p.pPr.get("marL")) for p in shapes["List"].text_frame.paragraphs]
    assert margins[2] > margins[1] > 0                      # the nested item is indented further
    runs = shapes["Code"].text_frame.paragraphs[0].runs
    assert "".join(r.text for r in runs) == 'print("hi")' and runs[0].font.name == "Courier New"
    assert len({str(r.font.color.rgb) for r in runs}) > 1     # the highlighter's colours
    assert str(slide.background.fill.fore_color.rgb) == "123456"
    # the colours the PDF computed: the `color` directive for the text, the theme's own for headings
    assert str(shapes["List"].text_frame.paragraphs[0].runs[-1].font.color.rgb) == "FFFFFF"
    assert str(slide.shapes.title.text_frame.paragraphs[0].runs[0].font.color.rgb) == "224466"


def test_background_rule_flat_or_picture(pptx):
    names = [[sh.name for sh in s.shapes] for s in pptx.slides]
    assert "Background" not in names[0] and "Background" not in names[3]     # flat colour: no picture
    assert names[1][0] == "Code block fill"  # the code block's fill is a rectangle behind its text
    assert names[2][0] == "Table fill" and "Table rule" in names[2]      # the table's fills and rules too
    flat = pptx.slides[0].background.fill.fore_color.rgb
    assert str(flat) == "FFFFFF"


def test_table_cells(pptx):
    frame = next(sh for sh in pptx.slides[2].shapes if sh.has_table)
    table = frame.table
    assert [[table.cell(r, c).text for c in range(2)] for r in range(3)] == [["Name", "Value"], ["a", "1"],
                                                                           ["b", "2"]]
    assert table._tbl.tblPr.find(A + "tableStyleId") is None         # no PowerPoint style over the drawing
    assert table.cell(1, 0)._tc.tcPr.find(A + "noFill") is not None


def test_inline_and_background_pictures(images):
    pictures = [[(sh.name, _rect_px(sh)) for sh in s.shapes if sh.shape_type == 13] for s in images.slides]
    inline = [p for p in pictures[0] if p[0] == "Picture"]
    assert [r[2:] for _, r in inline] == [(320, 180)] * 3                     # w:320 of a 16:9 photo
    assert pictures[1] == [("Background image", (0, 0, 1280, 720))]          # ![bg]: the full slide
    assert ("Background image", (0, 0, 512, 720)) in pictures[2]             # ![bg left:40%]
    assert [r for _, r in pictures[3]] == [(0, 0, 427, 720), (427, 0, 427, 720), (853, 0, 427, 720)]
    heading = next(sh for sh in images.slides[2].shapes if sh.name == "Title")
    assert _rect_px(heading)[0] > 512                         # the text sits beside the split image
    order = [sh.name for sh in images.slides[2].shapes]
    assert order.index("Background image") < order.index("Title")            # pictures behind the text
    assert _inside(images)


def test_qr_codes_are_pictures(tmp_path):
    deck = _build(EXAMPLES / "qr" / "slides.md", tmp_path / "qr.pptx")
    shapes = [sh for sh in deck.slides[0].shapes if sh.shape_type == 13 and sh.name == "Picture"]
    assert len(shapes) == 1 and shapes[0].width == shapes[0].height
    assert shapes[0].image.content_type in ("image/png", "image/jpeg")


def test_estimated_placement_without_layout(monkeypatch):
    """write_pptx with a PDF whose layout is not in memory still writes every slide, by estimate."""
    import io

    from slidekit.api import BuildOptions, build_file
    from slidekit.export import pdf as pdf_export
    from slidekit.export.pptx import write_pptx
    result = build_file(FIXTURES / "deck.md", BuildOptions(format="pdf"))
    monkeypatch.setattr(pdf_export, "_LAST_PAGES", [])
    deck = Presentation(io.BytesIO(write_pptx(result.deck, result.output)))
    assert [_title(s) for s in deck.slides] == ["Opening", "Lists and code", None, "Last words"]
    assert not any(sh.name == "Page number" for s in deck.slides for sh in s.shapes)


@pytest.mark.skipif(not SEED.exists(), reason="the shared seed deck is not here")
def test_seed_deck_every_slide_reads_back(tmp_path):
    deck = _build(SEED, tmp_path / "seed.pptx", "--offline")
    assert len(deck.slides) == 45
    assert _title(deck.slides[0]) == "A guide to MLOps"
    title = deck.slides[2].shapes.title.text_frame.paragraphs[0].runs[0]
    assert title.text == "ML code vs ML system"                   # as written; shown in capitals ...
    assert title._r.rPr.get("cap") == "all"                       # ... by the font, as the theme's CSS says
    assert str(title.font.color.rgb) == "4051B5"                   # the deck's --color-headings
    body = " ".join(sh.text_frame.text for sh in deck.slides[2].shapes if sh.has_text_frame)
    assert "Only a small fraction of real-world ML systems is composed of the ML code." in body
    assert sum(_background_rgb(deck.slides[2])) < 100      # the deck's dark background (gaia's gradient over it)
    quote = next(sh for sh in deck.slides[3].shapes if sh.name == "Quote" and len(sh.text_frame.text) > 5)
    assert quote.text_frame.paragraphs[0].runs[0].font.italic
    qr = [sh for sh in deck.slides[23].shapes if sh.shape_type == 13 and sh.name == "Background image"]
    assert len(qr) == 1 and _rect_px(qr[0])[0] == 768            # ![bg right:40%]: the QR code's side
    assert _inside(deck)


def test_pages_drawn_in_processes_give_the_same_file(tmp_path, monkeypatch):
    # The pages' pictures and backgrounds are drawn and encoded in forked processes while this one makes the
    # shapes: every part the same as drawn here, one slide after the other.
    import io
    import zipfile

    from image_helpers import random_photo

    from slidekit.api import BuildOptions, build_file
    from slidekit.export.pptx import write_pptx
    monkeypatch.setenv("SLIDEKIT_CACHE", "off")
    random_photo(tmp_path / "p.jpg", (1600, 1200), seed=4)
    deck = tmp_path / "talk.md"
    deck.write_text("---\nmarp: true\ntheme: gaia\n---\n\n![bg](p.jpg)\n\n# Photo\n\n---\n\n![bg left](p.jpg)\n\n"
                    "# Half\n\n- a\n- b\n\n---\n\n# Text\n\n```\ncode\n```\n\n---\n\n![w:300](p.jpg)\n",
                    encoding="utf-8")
    result = build_file(deck, BuildOptions(format="pdf", jobs=1, pdf_cache=False, image_density=1.5))
    files = [zipfile.ZipFile(io.BytesIO(write_pptx(result.deck, result.output, jobs=jobs))) for jobs in (1, 2, 3)]
    names = files[0].namelist()
    assert sum(name.startswith("ppt/media/") for name in names) >= 3
    for other in files[1:]:
        assert other.namelist() == names
        assert all(other.read(name) == files[0].read(name) for name in names if not name.startswith("docProps/"))


def test_a_long_decks_shapes_described_by_the_layout_processes_give_the_same_file(tmp_path, monkeypatch):
    # A deck of 16 slides or more is laid out in chunks, in parallel processes, which describe each slide's
    # shapes from its layout (plain data, kept in the cache with the chunk): the same file as a deck laid
    # out and read back in one process, and as a build whose chunks come from the cache.
    import zipfile

    from image_helpers import random_photo
    random_photo(tmp_path / "p.jpg", (800, 600), seed=6)
    slides = ["![bg left](p.jpg)\n\n# Photo\n\n- a\n- b", "# Table\n\n| a | b |\n|---|---|\n| 1 | **2** |",
              "# Code\n\n```python\nprint('x')\n```", "## Links\n\nSee [the docs](https://example.com), *then* `go()`."]
    deck = tmp_path / "talk.md"
    deck.write_text("---\nmarp: true\ntheme: gaia\npaginate: true\nfooter: Talk\n---\n\n"
                    + "\n\n---\n\n".join(slides[n % 4] for n in range(18)), encoding="utf-8")
    monkeypatch.setenv("SLIDEKIT_CACHE_DIR", str(tmp_path / "cache"))
    files = []
    for jobs in ("1", "2", "2"):     # the last one's chunks come from the cache
        out = tmp_path / f"talk-{len(files)}.pptx"
        assert main(["build", str(deck), "--pptx", "-j", jobs, "-o", str(out), "-q"]) == 0
        files.append(zipfile.ZipFile(out))
    names = files[0].namelist()
    assert sum(name.startswith("ppt/slides/slide") for name in names) == 18
    for other in files[1:]:
        assert other.namelist() == names
        assert all(other.read(name) == files[0].read(name) for name in names if not name.startswith("docProps/"))
    read = Presentation(tmp_path / "talk-1.pptx")
    assert [_title(read.slides[n]) for n in range(4)] == ["Photo", "Table", "Code", "Links"]


def _shown_pixels(picture, size):
    """The picture as PowerPoint draws it: its image cropped by the picture's crop, scaled to `size`."""
    import io

    from PIL import Image
    image = Image.open(io.BytesIO(picture.image.blob)).convert("RGB")
    w, h = image.size
    box = (picture.crop_left * w, picture.crop_top * h, w - picture.crop_right * w, h - picture.crop_bottom * h)
    return image.resize(size, Image.BILINEAR, box=box)


def test_a_photo_is_its_image_cropped_to_what_the_slide_shows(tmp_path, monkeypatch):
    # A picture that is one raster image drawn as it is goes into the PPTX as that image (the bytes the PDF
    # stores), cropped to the part the slide shows: what PowerPoint draws is what the PDF draws there.
    from image_helpers import random_photo
    from PIL import ImageChops, ImageStat

    import pypdfium2 as pdfium
    monkeypatch.setenv("SLIDEKIT_CACHE", "off")
    random_photo(tmp_path / "square.jpg", (500, 500), seed=11)       # shown larger: the PDF stores the file
    random_photo(tmp_path / "wide.jpg", (2400, 900), seed=12)
    deck = tmp_path / "talk.md"
    deck.write_text("---\nmarp: true\n---\n\n![bg](square.jpg)\n\n# Cover\n\n---\n\n![bg right:30%](wide.jpg)\n\n"
                    "# Split\n\n---\n\n![bg contain](wide.jpg)\n\n---\n\n# Inline\n\n![w:400](wide.jpg)\n\n---\n\n"
                    "![bg](square.jpg)\n\n> A quote, its rule drawn over the photo\n",
                    encoding="utf-8")
    presentation = _build(deck, tmp_path / "talk.pptx")
    assert main(["build", str(deck), "--pdf", "-o", str(tmp_path / "talk.pdf"), "-q"]) == 0
    pdf = pdfium.PdfDocument(tmp_path / "talk.pdf")
    cover = next(sh for sh in presentation.slides[0].shapes if sh.shape_type == 13)
    assert cover.image.blob == (tmp_path / "square.jpg").read_bytes()     # the file itself, not a drawing
    assert _rect_px(cover) == (0, 0, 1280, 720)
    assert cover.crop_top == pytest.approx(0.21875, abs=1e-3) == pytest.approx(cover.crop_bottom, abs=1e-3)
    quoted = next(sh for sh in presentation.slides[4].shapes if sh.shape_type == 13)
    assert quoted.image.blob == cover.image.blob        # the quote's rule is a rectangle over it
    rule = next(sh for sh in presentation.slides[4].shapes if sh.name == "Quote fill border")
    order = [sh.name for sh in presentation.slides[4].shapes]
    assert order.index("Background image") < order.index("Quote fill border") < order.index("Quote")
    assert 1 <= _rect_px(rule)[2] <= 10          # the theme's .25em rule, not the quote's width
    for number, slide in enumerate(presentation.slides):
        page = pdf[number].render(scale=0.5 / 0.75).to_pil().convert("RGB")     # half a pixel a CSS pixel
        pictures = [sh for sh in slide.shapes if sh.shape_type == 13]
        assert len(pictures) == 1 and pictures[0].image.content_type == "image/jpeg"
        x, y, w, h = (round(v / 2) for v in _rect_px(pictures[0]))
        drawn = page.crop((x, y, x + w, y + h))
        difference = ImageStat.Stat(ImageChops.difference(drawn, _shown_pixels(pictures[0], drawn.size))).mean
        assert max(difference) < 8, (number, difference)


def _pages_drawn(monkeypatch) -> list[int]:
    """The indexes of the pages pdfium draws for the PPTX from now on (in the PDF they are drawn from)."""
    from slidekit.export import pptx as pptx_export
    drawn = []
    real = pptx_export._Drawing.__init__

    def counted(self, document, index):
        drawn.append(index)
        real(self, document, index)
    monkeypatch.setattr(pptx_export._Drawing, "__init__", counted)
    return drawn


def test_a_slide_whose_layout_draws_only_text_is_flat_without_drawing_its_page(tmp_path, monkeypatch):
    # The flat rule answered from the layout: no box but the section paints (gaia's faint gradient allowed),
    # so its page is not drawn. A code block's fill and a table's rules are rectangles, so those slides' pages
    # are not drawn either; a shadow is not, and that slide's background is a picture.
    monkeypatch.setenv("SLIDEKIT_CACHE", "off")
    drawn = _pages_drawn(monkeypatch)
    deck = tmp_path / "talk.md"
    deck.write_text("---\nmarp: true\ntheme: gaia\npaginate: true\nfooter: Talk\n---\n\n# Title\n\nText, *more*.\n\n"
                    "---\n\n## List\n\n- a\n- [b](https://example.com)\n\n---\n\n## Code\n\n```\nx = 1\n```\n"
                    "\n---\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n---\n\n"
                    "<style scoped>\nh2 { box-shadow: 0 2px 4px black; }\n</style>\n\n## Shadow\n", encoding="utf-8")
    presentation = _build(deck, tmp_path / "talk.pptx", "-j", "1")
    assert drawn == [0]         # the shadow slide's page, the only page of the PDF it is drawn from
    names = [[sh.name for sh in slide.shapes] for slide in presentation.slides]
    assert "Background" not in names[0] + names[1] + names[2] + names[3] and names[4][0] == "Background"
    assert names[2][0] == "Code block fill" and "Table rule" in names[3]
    fills = [slide.background.fill for slide in list(presentation.slides)[:2]]
    assert all(str(fill.fore_color.rgb) == "FFF8E1" for fill in fills)       # gaia's background colour


def test_a_photo_over_a_gradient_is_its_image(tmp_path, monkeypatch):
    # A deck's gradient background is the slide's gradient fill (its stops, its direction), and the photo
    # over it is the file itself.
    from image_helpers import random_photo
    monkeypatch.setenv("SLIDEKIT_CACHE", "off")
    random_photo(tmp_path / "square.jpg", (500, 500), seed=13)
    deck = tmp_path / "talk.md"
    deck.write_text("---\nmarp: true\nbackgroundImage: 'linear-gradient(to right, #0f2027, #2c5364)'\n---\n\n"
                    "![bg right](square.jpg)\n\n# Over a gradient\n", encoding="utf-8")
    slide = _build(deck, tmp_path / "talk.pptx").slides[0]
    picture = next(sh for sh in slide.shapes if sh.shape_type == 13 and sh.name == "Background image")
    assert picture.image.blob == (tmp_path / "square.jpg").read_bytes()
    assert _rect_px(picture) == (640, 0, 640, 720)
    assert "Background" not in [sh.name for sh in slide.shapes]
    fill = slide.background.fill
    assert fill.type == 3          # MSO_FILL.GRADIENT
    assert [(round(stop.position, 3), str(stop.color.rgb)) for stop in fill.gradient_stops] == \
        [(0.0, "0F2027"), (1.0, "2C5364")]
    assert fill.gradient_angle == 0.0          # left to right


def _heading_over_a_photo(tmp_path, monkeypatch, heading_css: str):
    """The one slide of a deck whose heading, styled by `heading_css`, is placed over a full-slide photo;
    and the photo's bytes."""
    from image_helpers import random_photo
    monkeypatch.setenv("SLIDEKIT_CACHE", "off")
    random_photo(tmp_path / "square.jpg", (500, 500), seed=14)
    deck = tmp_path / "talk.md"
    deck.write_text("---\nmarp: true\n---\n\n<style scoped>\nh1 { position: absolute; bottom: 1rem; "
                    f"{heading_css} }}\n</style>\n\n# Boxed\n\n![bg](square.jpg)\n", encoding="utf-8")
    return _build(deck, tmp_path / "talk.pptx").slides[0], (tmp_path / "square.jpg").read_bytes()


def test_a_box_over_a_photo_is_a_rectangle_over_the_photo(tmp_path, monkeypatch):
    # A heading placed over a full-slide photo with a translucent background of its own: the photo is the
    # file, and the heading's band a rectangle of that colour and opacity between the photo and the text.
    slide, photo = _heading_over_a_photo(tmp_path, monkeypatch, "background: rgba(255, 255, 255, 0.8);")
    picture = next(sh for sh in slide.shapes if sh.shape_type == 13)
    assert picture.image.blob == photo
    names = [sh.name for sh in slide.shapes]
    assert names.index("Background image") < names.index("Box fill") < names.index("Title")
    band = next(sh for sh in slide.shapes if sh.name == "Box fill")
    colour = band.fill._xPr.find(f"{A}solidFill/{A}srgbClr")
    assert colour.get("val") == "FFFFFF" and colour.find(f"{A}alpha").get("val") == "80000"
    title = slide.shapes.title
    assert abs(_rect_px(band)[1] - _rect_px(title)[1]) <= 2 and _rect_px(band)[3] >= _rect_px(title)[3] - 2


def test_a_box_no_rectangle_can_draw_over_a_photo_keeps_the_photo_a_cut(tmp_path, monkeypatch):
    # A shadow is not a fill: the slide is left to the drawing, and the photo under the box is cut from it,
    # box and shadow included, as the PDF shows it.
    slide, photo = _heading_over_a_photo(tmp_path, monkeypatch, "background: white; box-shadow: 4px 4px 8px black;")
    picture = next(sh for sh in slide.shapes if sh.shape_type == 13)
    assert picture.image.blob != photo
    assert "Box fill" not in [sh.name for sh in slide.shapes]


def test_the_file_holds_no_build_time_and_stores_photos_as_they_are(tmp_path, monkeypatch):
    # The same deck gives the same bytes whenever it is built: every member is dated the zip format's first
    # day, not the build's time; a JPEG or PNG is stored, not deflated a second time.
    import zipfile

    from image_helpers import random_photo
    monkeypatch.setenv("SLIDEKIT_CACHE", "off")
    random_photo(tmp_path / "photo.jpg", (300, 200), seed=3)
    deck = tmp_path / "talk.md"
    deck.write_text("---\nmarp: true\nauthor: Ada\n---\n\n![bg](photo.jpg)\n\n# Photo\n", encoding="utf-8")
    _build(deck, tmp_path / "talk.pptx")
    members = zipfile.ZipFile(tmp_path / "talk.pptx").infolist()
    assert {m.date_time for m in members} == {(1980, 1, 1, 0, 0, 0)}
    media = [m for m in members if m.filename.startswith("ppt/media/")]
    assert media and all(m.compress_type == zipfile.ZIP_STORED for m in media)
    assert all(m.compress_type == zipfile.ZIP_DEFLATED for m in members if m.filename.endswith(".xml"))
    core = zipfile.ZipFile(tmp_path / "talk.pptx").read("docProps/core.xml").decode()
    assert "<dc:creator>Ada</dc:creator>" in core and "Steve Canny" not in core


def test_a_python_pptx_the_patch_was_not_made_for_still_gives_a_file_without_build_time():
    # export/pptx.py rewrites python-pptx's own zip, member by member, as the patch would have written it.
    import io
    import zipfile

    from slidekit.export.pptx import _dated_as_patched
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w", zipfile.ZIP_DEFLATED) as written:
        written.writestr("ppt/slides/slide1.xml", "<p:sld/>" * 100)
        written.writestr("ppt/media/image1.png", b"\x89PNG" + bytes(range(256)) * 10)
    again = zipfile.ZipFile(io.BytesIO(_dated_as_patched(plain.getvalue())))
    assert [(m.filename, m.date_time, m.compress_type) for m in again.infolist()] == [
        ("ppt/slides/slide1.xml", (1980, 1, 1, 0, 0, 0), zipfile.ZIP_DEFLATED),
        ("ppt/media/image1.png", (1980, 1, 1, 0, 0, 0), zipfile.ZIP_STORED)]
    assert again.read("ppt/slides/slide1.xml") == b"<p:sld/>" * 100


def test_a_background_image_that_cannot_be_read_is_no_picture(tmp_path, monkeypatch):
    # The page draws nothing for a missing background image (as Marp shows nothing): the PPTX has no picture
    # of the slide's background where it would have been, and the slide's page is not drawn for one.
    monkeypatch.setenv("SLIDEKIT_CACHE", "off")
    drawn = _pages_drawn(monkeypatch)
    deck = tmp_path / "talk.md"
    deck.write_text("---\nmarp: true\ntheme: gaia\n---\n\n![bg right:40%](gone.png)\n\n# Split\n\n---\n\n"
                    "![bg](a.png) ![bg](b.png)\n\n# Two\n", encoding="utf-8")
    assert main(["build", str(deck), "--pptx", "-o", str(tmp_path / "talk.pptx"), "-j", "1"]) == 0
    presentation = Presentation(tmp_path / "talk.pptx")
    assert [_title(slide) for slide in presentation.slides] == ["Split", "Two"]
    assert not [sh for slide in presentation.slides for sh in slide.shapes if sh.shape_type == 13]
    assert drawn == []


def test_a_cut_picture_is_that_part_of_the_page_as_drawn_whole(tmp_path):
    # A picture cut from the page (an SVG here) is drawn alone, at the scale and pixel grid of the whole page:
    # the same picture, within a level of rounding where pdfium resamples an image.
    import io

    import pypdfium2 as pdfium
    from PIL import Image, ImageChops

    from slidekit.export import pptx as pptx_export
    (tmp_path / "shape.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="200"><rect width="300" height="200" fill="#369"/>'
        '<circle cx="150" cy="100" r="80" fill="#fc3"/><text x="20" y="190" font-size="30">svg</text></svg>',
        encoding="utf-8")
    deck = tmp_path / "talk.md"
    deck.write_text("---\nmarp: true\n---\n\n# Shape\n\n![w:301](shape.svg)\n", encoding="utf-8")
    assert main(["build", str(deck), "--pdf", "-o", str(tmp_path / "talk.pdf"), "-q"]) == 0
    document = pdfium.PdfDocument(tmp_path / "talk.pdf")
    scale = pptx_export.RENDER_SCALE
    for rect in [(70.3, 200.6, 301.2, 200.4), (0, 0, 1280, 720), (33.3, 150.1, 500.6, 400.7)]:
        drawing = pptx_export._Drawing(document, 0)
        try:
            whole = drawing.page.render(scale=scale, draw_annots=False).to_pil().convert("RGB")
            cut = Image.open(io.BytesIO(drawing.crop(rect))).convert("RGB")
        finally:
            drawing.close()
        x, y, w, h = (v * 0.75 * scale for v in rect)
        expected = whole.crop((round(x), round(y), round(x + w), round(y + h)))
        assert cut.size == expected.size
        assert max(high for _, high in ImageChops.difference(cut, expected).getextrema()) <= 1


def test_slides_of_one_layout_each_have_their_own_title_and_unique_shape_ids(tmp_path):
    # The placeholders python-pptx clones for a layout's first slide are copied for its next slides (an
    # element moved rather than copied would leave an earlier slide without its title), and new shapes'
    # ids are counted on from the placeholders': no two shapes of a slide share one.
    deck = tmp_path / "talk.md"
    deck.write_text("---\nmarp: true\n---\n\n# One\n\nfirst\n\n---\n\nno title here\n\n---\n\n# Two\n\n- a\n- b\n"
                    "\n---\n\n# Three\n\nthird\n\n---\n\nagain none\n", encoding="utf-8")
    presentation = _build(deck, tmp_path / "talk.pptx")
    assert [_title(slide) for slide in presentation.slides] == ["One", None, "Two", "Three", None]
    for slide in presentation.slides:
        ids = [shape.shape_id for shape in slide.shapes]
        assert len(ids) == len(set(ids)) and min(ids) >= 2
