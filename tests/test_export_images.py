"""--images / --image / --image-scale: pictures drawn from slidekit's own PDF with pypdfium2."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from slidekit.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "export"


def _deck(tmp_path):
    deck = tmp_path / "talk.md"
    deck.write_text((FIXTURES / "deck.md").read_text(encoding="utf-8"), encoding="utf-8")
    return deck


def test_one_png_a_slide_at_css_pixel_size(tmp_path):
    assert main(["build", str(_deck(tmp_path)), "--images", "png", "-q"]) == 0
    files = sorted(p.name for p in tmp_path.glob("talk.*.png"))
    assert files == ["talk.001.png", "talk.002.png", "talk.003.png", "talk.004.png"]
    image = Image.open(tmp_path / "talk.002.png")
    assert image.format == "PNG" and image.size == (1280, 720)
    assert image.convert("RGB").getpixel((5, 5)) == (0x12, 0x34, 0x56)   # the slide's background colour


def test_title_image_jpeg_scaled(tmp_path):
    out = tmp_path / "preview.jpg"
    assert main(["build", str(_deck(tmp_path)), "--image", "jpeg", "--image-scale", "0.5", "-o", str(out),
                 "-q"]) == 0
    image = Image.open(out)
    assert image.format == "JPEG" and image.size == (640, 360)
    assert not list(tmp_path.glob("preview.0*"))


def test_scale_two(tmp_path):
    assert main(["build", str(_deck(tmp_path)), "--image", "png", "--image-scale", "2", "-q"]) == 0
    assert Image.open(tmp_path / "talk.png").size == (2560, 1440)


def test_the_pictures_pdf_stores_photos_at_the_pictures_scale(tmp_path, monkeypatch):
    # The PDF drawn into pictures at scale 1 needs its photos at one pixel a CSS pixel, not the PDF's two:
    # a quarter of the pixels to decode, resize and encode. The PPTX's pictures are cut at 1.5.
    from image_helpers import random_photo

    from slidekit.export import image_prep
    monkeypatch.setenv("SLIDEKIT_CACHE", "off")
    random_photo(tmp_path / "p.jpg", (3000, 2000), seed=3)
    deck = tmp_path / "talk.md"
    deck.write_text("---\nmarp: true\n---\n\n![bg](p.jpg)\n\n# Photo\n", encoding="utf-8")
    sizes = []
    original = image_prep._prepare
    monkeypatch.setattr(image_prep, "_prepare", lambda *args: sizes.append(args[1]) or original(*args))
    assert main(["build", str(deck), "-o", str(tmp_path / "talk.pdf"), "-q"]) == 0
    assert main(["build", str(deck), "--images", "png", "-q", "-j", "1"]) == 0
    assert main(["build", str(deck), "--image", "png", "--image-scale", "0.5", "-q", "-j", "1"]) == 0
    assert main(["build", str(deck), "--pptx", "-q"]) == 0
    # the photo covers the 1280x720 slide: stored 2560, 1280, 640 and 1920 pixels wide
    assert [size[0] for size in sizes] == [2560, 1280, 640, 1920]
    assert Image.open(tmp_path / "talk.001.png").size == (1280, 720)


def test_pictures_encoded_in_threads_are_exact_and_no_larger_than_pillows(tmp_path, monkeypatch):
    # The pictures are encoded in threads while pdfium draws the next pages: the same bytes as one after the
    # other, in slide order, every pixel the page as drawn, photos or text about the size of Pillow's PNG at
    # the same zlib level (export/png.py filters every row alike where Pillow picks a filter a row).
    import io
    import random

    import pypdfium2 as pdfium

    from slidekit.api import BuildOptions, build_file
    from slidekit.export import images
    monkeypatch.setenv("SLIDEKIT_CACHE", "off")
    rng = random.Random(5)
    photo = Image.new("RGB", (16, 9))
    photo.putdata([tuple(rng.randrange(256) for _ in range(3)) for _ in range(144)])
    noise = Image.effect_noise((1280, 720), 30).convert("RGB")
    Image.blend(photo.resize((1280, 720), Image.BICUBIC), noise, 0.3).save(tmp_path / "p.jpg", "JPEG", quality=90)
    deck = tmp_path / "talk.md"
    deck.write_text("---\nmarp: true\n---\n\n![bg](p.jpg)\n\n---\n\n# Text\n\n- one\n- two\n\n---\n\n# More\n",
                    encoding="utf-8")
    pdf = build_file(deck, BuildOptions(format="pdf", image_density=1.0)).output
    one = images.render_pages(pdf, "png", 1.0, threads=1)
    assert len(one) == 3
    assert images.render_pages(pdf, "png", 1.0, threads=2) == one
    document = pdfium.PdfDocument(pdf)
    for index, data in enumerate(one):
        drawn = document[index].render(scale=images.CSS_PX_PER_PT, draw_annots=False).to_pil()
        assert Image.open(io.BytesIO(data)).convert("RGB").tobytes() == drawn.tobytes()
        pillows = io.BytesIO()
        drawn.save(pillows, "PNG", compress_level=3)
        assert len(data) <= 1.1 * pillows.tell()
    document.close()


def test_pictures_drawn_by_the_layout_processes_are_the_pictures_of_the_whole_pdf(tmp_path, monkeypatch):
    # A long deck's pictures are drawn chunk by chunk in the processes that lay the chunks out (no joined
    # PDF): the same bytes, in slide order, as the pictures of the deck's PDF at the pictures' scale.
    from slidekit.api import BuildOptions, build_file
    from slidekit.export import images
    monkeypatch.setenv("SLIDEKIT_CACHE", "off")
    slides = [f"# Slide {n}\n\n- point {n}\n- {'long ' * n}line\n\n`code_{n}()`" for n in range(1, 19)]
    deck = tmp_path / "talk.md"
    deck.write_text("---\nmarp: true\ntheme: gaia\npaginate: true\n---\n\n" + "\n\n---\n\n".join(slides),
                    encoding="utf-8")
    assert main(["build", str(deck), "--images", "png", "-j", "2", "-q"]) == 0
    drawn = [path.read_bytes() for path in sorted(tmp_path.glob("talk.*.png"))]
    pdf = build_file(deck, BuildOptions(format="pdf", image_density=1.0)).output
    assert len(drawn) == 18 and drawn == images.render_pages(pdf, "png", 1.0)


def test_png_pictures_of_a_photo_like_png_are_drawn_from_its_pixels_not_a_jpeg(tmp_path, monkeypatch):
    # The PDF stores a PNG that looks like a photo as a JPEG; the PDF drawn into PNG pictures keeps it
    # lossless, so a screenshot is as sharp in the picture as in a browser's.
    from PIL import ImageChops
    monkeypatch.setenv("SLIDEKIT_CACHE", "off")
    from PIL import ImageFilter
    noise = Image.merge("RGB", [Image.effect_noise((2560, 1440), 80) for _ in range(3)])
    noise.filter(ImageFilter.GaussianBlur(2)).save(tmp_path / "shot.png")      # a photo's smooth detail
    deck = tmp_path / "talk.md"
    deck.write_text("---\nmarp: true\n---\n\n![bg](shot.png)\n", encoding="utf-8")
    assert main(["build", str(deck), "--images", "png", "-q"]) == 0
    drawn = Image.open(tmp_path / "talk.001.png").convert("RGB")
    expected = Image.open(tmp_path / "shot.png").resize((1280, 720), Image.LANCZOS, reducing_gap=3.0)
    worst = max(high for _, high in ImageChops.difference(drawn, expected).getextrema())
    assert worst <= 3


def test_png_pictures_take_a_png_up_to_twice_its_shown_size_as_its_file(tmp_path, monkeypatch):
    # For PNG pictures the PDF they are drawn from stores a PNG shown at up to twice its size as the file
    # itself (pdfium scales it down as it draws): decoding, resizing and encoding it again cost more. A PNG
    # larger than that is stored at the pictures' scale, as every image of the PDF is bounded by its shown size.
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    from slidekit.api import BuildOptions, build_file
    monkeypatch.setenv("SLIDEKIT_CACHE", "off")
    for name, size in (("double.png", (2560, 1440)), ("triple.png", (3840, 2160))):
        # (a screenshot's worth of detail: a PNG of a few kilobytes is kept as it is whatever its size)
        Image.merge("RGB", [Image.effect_noise(size, 60) for _ in range(3)]).save(tmp_path / name, compress_level=1)
    deck = tmp_path / "talk.md"
    deck.write_text("---\nmarp: true\n---\n\n![bg](double.png)\n\n---\n\n![bg](triple.png)\n", encoding="utf-8")
    pdf = build_file(deck, BuildOptions(format="pdf", image_density=1.0, lossless_images=True)).output
    document = pdfium.PdfDocument(pdf)
    stored = []
    for page in document:
        found = list(page.get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE], max_depth=4))
        stored.append(tuple(found[0].get_px_size()))
    document.close()
    assert stored == [(2560, 1440), (1280, 720)]


def test_a_backdrop_pages_share_is_drawn_once_and_the_pictures_are_the_same_pixels(tmp_path, monkeypatch):
    # gaia's background (a colour and a faint gradient over the whole page) is drawn once, the second time
    # it is met, and each page's own objects over a copy; the backdrop is kept from one chunk's pictures to
    # the next. A page whose backdrop differs, even one the same shape (another gradient), is not drawn over
    # it: every picture is the same pixels as the page drawn by itself.
    import pypdfium2 as pdfium
    from PIL import ImageChops

    from slidekit.export import images
    monkeypatch.setenv("SLIDEKIT_CACHE", "off")
    slides = ["# One\n\n- a\n- b", "# Two\n\n> quote", "<!-- _backgroundImage: linear-gradient(red, blue) -->\n\n# Red",
              "<!-- _backgroundImage: linear-gradient(90deg, red, blue) -->\n\n# Turned",
              "<!-- _backgroundColor: #234 -->\n\n# Dark", "<!-- _class: invert -->\n\n# Invert", "# Three\n\n`code`",
              "<!-- _backgroundImage: linear-gradient(red, blue) -->\n\n# Red again"]
    deck = tmp_path / "talk.md"
    deck.write_text("---\nmarp: true\ntheme: gaia\npaginate: true\n---\n\n" + "\n\n---\n\n".join(slides),
                    encoding="utf-8")
    assert main(["build", str(deck), "--pdf", "-o", str(tmp_path / "talk.pdf"), "-q"]) == 0
    document = pdfium.PdfDocument(tmp_path / "talk.pdf")
    drawn = []          # (page, drawn over a backdrop, the backdrop drawn for it)
    real = images.Backdrops.render

    def counted(self, index, page, scale):
        before = len(self.store.kept)
        bitmap = real(self, index, page, scale)
        drawn.append((index, bitmap is not None, len(self.store.kept) != before))
        return bitmap
    monkeypatch.setattr(images.Backdrops, "render", counted)
    store = images.BackdropStore()
    for first, last in ((0, 4), (4, len(slides))):          # two chunks, one process
        backdrops = images.Backdrops(document, store)
        for index in range(first, last):
            shared = images._draw(document, index, 1.0, backdrops)
            alone = images._draw(document, index, 1.0)
            assert shared.size == alone.size == (1280, 720)
            assert ImageChops.difference(shared.convert("RGB"), alone.convert("RGB")).getbbox() is None, index
    over_a_backdrop = {index for index, used, _ in drawn if used}
    assert over_a_backdrop == {1, 6, 7}         # gaia's met again on page 1 (and 6), the red one on page 7
    assert {index for index, _, new in drawn if new} == {1, 7}      # each drawn alone once
    large = images.Backdrops(document, images.BackdropStore())  # past BACKDROP_PIXELS_AT_MOST: no copy kept
    assert images._draw(document, 0, 3.0, large).size == (3840, 2160)
    assert images._draw(document, 1, 3.0, large).size == (3840, 2160) and not large.store.kept
