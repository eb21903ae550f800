"""Images in the PDF no larger than shown, photos as JPEG, stored once; big photos drawn, bombs refused."""

from __future__ import annotations

import io
import random
import struct
import zlib
from pathlib import Path

import pytest

from slidekit.api import BuildOptions, build_file

pytest.importorskip("pypdf")


def _photo(path, size=(3000, 2000)):
    from PIL import Image
    rng = random.Random(7)
    small = Image.new("RGB", (4, 3))
    small.putdata([tuple(rng.randrange(256) for _ in range(3)) for _ in range(12)])
    noise = Image.effect_noise(size, 40).convert("RGB")
    Image.blend(small.resize(size, Image.BICUBIC), noise, 0.3).save(path, "JPEG", quality=90)


def _images(pdf: bytes) -> list[dict]:
    """Every image XObject of the PDF (each object once), with its size and filter."""
    from pypdf import PdfReader
    reader = PdfReader(io.BytesIO(pdf))
    seen, found = set(), []
    for page in reader.pages:
        xobjects = page["/Resources"].get("/XObject") or {}
        stack = [xobjects]
        while stack:
            for ref in stack.pop().values():
                obj = ref.get_object()
                key = getattr(ref, "idnum", id(obj))
                if key in seen:
                    continue
                seen.add(key)
                if obj.get("/Subtype") == "/Image":
                    found.append({"w": int(obj["/Width"]), "h": int(obj["/Height"]), "filter": obj.get("/Filter")})
                elif "/Resources" in obj and "/XObject" in obj["/Resources"]:
                    stack.append(obj["/Resources"]["/XObject"])
    return found


def _image_refs(page) -> set[int]:
    """The object numbers of the images a page draws (through its form XObjects too)."""
    found, stack = set(), [page["/Resources"].get("/XObject") or {}]
    while stack:
        for ref in stack.pop().values():
            obj = ref.get_object()
            if obj.get("/Subtype") == "/Image":
                found.add(ref.idnum)
            elif "/Resources" in obj and "/XObject" in obj["/Resources"]:
                stack.append(obj["/Resources"]["/XObject"])
    return found


def _pdf(deck):
    result = build_file(deck, BuildOptions(format="pdf", offline=True))
    return result.output, list(result.diagnostics)


@pytest.fixture()
def no_cache(monkeypatch):
    monkeypatch.setenv("SLIDEKIT_CACHE", "off")


def test_an_image_is_stored_no_larger_than_twice_its_shown_size(tmp_path, no_cache):
    _photo(tmp_path / "p.jpg")
    deck = tmp_path / "d.md"
    deck.write_text("---\nmarp: true\n---\n\n![w:200](p.jpg)\n\n---\n\n![bg right:25% sepia](p.jpg)\n",
                    encoding="utf-8")
    pdf, _ = _pdf(deck)
    sizes = sorted((i["w"], i["h"], i["filter"]) for i in _images(pdf))
    # inline at 200 CSS px wide: 400 px; the split background (320x720 CSS px, covered: the photo's middle
    # 960x2000 shows) x2, rounded outwards
    assert sizes == [(400, 267, "/DCTDecode"), (641, 1440, "/DCTDecode")]



def _first_and_last_share_one_image(tmp_path, slides):
    """Build `slides` (long enough to span chunks); the first and last pages draw the same one image object."""
    deck = tmp_path / "d.md"
    deck.write_text("---\nmarp: true\n---\n\n" + "\n\n---\n\n".join(slides) + "\n", encoding="utf-8")
    pdf, _ = _pdf(deck)
    from pypdf import PdfReader
    reader = PdfReader(io.BytesIO(pdf))
    first, last = (_image_refs(reader.pages[n]) for n in (0, len(slides) - 1))
    assert len(first) == 1 and first == last
    return pdf

def test_an_image_used_twice_is_stored_once_even_across_chunks(tmp_path, no_cache):
    _photo(tmp_path / "p.jpg", (1600, 1200))
    slides = ["![bg blur:4px](p.jpg)\n\n# A"] + [f"# {i}" for i in range(20)] + ["![bg blur:4px](p.jpg)\n\n# B"]
    pdf = _first_and_last_share_one_image(tmp_path, slides)
    assert pdf.count(b"/Subtype /Image") + pdf.count(b"/Subtype/Image") == 1


def test_same_bytes_with_and_without_the_cache(tmp_path, monkeypatch):
    _photo(tmp_path / "p.jpg", (2400, 1600))
    from PIL import Image
    Image.linear_gradient("L").resize((3000, 300)).convert("RGBA").save(tmp_path / "g.png")
    deck = tmp_path / "d.md"
    deck.write_text("---\nmarp: true\n---\n\n![bg left sepia opacity:.5](p.jpg)\n\n![w:300](g.png)\n\n---\n\n"
                    "![bg](p.jpg)\n", encoding="utf-8")
    monkeypatch.setenv("SLIDEKIT_CACHE", "off")
    without = _pdf(deck)[0]
    monkeypatch.setenv("SLIDEKIT_CACHE", "on")
    monkeypatch.setenv("SLIDEKIT_CACHE_DIR", str(tmp_path / "cache"))
    filling = _pdf(deck)[0]
    assert list((tmp_path / "cache" / "images").rglob("*"))        # the prepared images were kept
    from slidekit.export import image_prep
    image_prep._decoded.clear()
    from_cache = _pdf(deck)[0]
    assert without == filling == from_cache


def _big_png(path, width=12000, height=9000):
    """A real 108-megapixel PNG (a gradient: it compresses to a few hundred kilobytes)."""
    from PIL import Image
    gradient = Image.linear_gradient("L").resize((width, height))
    Image.merge("RGB", (gradient, gradient, gradient)).save(path, compress_level=1)


def _bomb_png(path, width=100_000, height=100_000):
    """A tiny PNG whose header claims width x height pixels."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))


def test_a_108_megapixel_photo_is_drawn_scaled_and_a_bomb_refused_on_each_line(tmp_path, no_cache):
    _big_png(tmp_path / "big.png")
    _bomb_png(tmp_path / "bomb.png")
    deck = tmp_path / "d.md"
    deck.write_text("---\nmarp: true\n---\n\n# Big\n\n![bg](big.png)\n\n---\n\n"   # lines 5-7
                    "Bomb\n\n![](bomb.png)\n\ntext\n\n![bg](bomb.png)\n", encoding="utf-8")  # lines 11, 13, 17
    pdf, diagnostics = _pdf(deck)
    bombs = [d for d in diagnostics if d.code == "image-too-large"]
    assert [(d.line, d.slide) for d in bombs] == [(13, 2), (17, 2)]
    assert all("bomb.png" in d.message and "decompression bomb" in d.message for d in bombs)
    assert not [d for d in diagnostics if "big.png" in d.message]
    images = _images(pdf)
    assert [(i["w"], i["h"]) for i in images] == [(2560, 1440)]     # its middle 12000x6750 shows: twice the slide's size
    html = build_file(deck, BuildOptions(format="html", offline=True)).output
    assert html.count("data:image/") == 1         # the big photo is in the HTML too (downscaled), the bomb not


def test_backgrounds_side_by_side_are_each_stored_for_their_share_of_the_slide(tmp_path, no_cache):
    # Marp divides the slide between several backgrounds: three side by side are each 426.7x720 CSS px
    # (of a 3000x2000 photo covering that, its middle 1778x3000 shows: stored 854x1440), two one above the
    # other each 1280x360 (2560x720, plus a pixel rounded outwards)
    _photo(tmp_path / "a.jpg")
    _photo(tmp_path / "b.jpg", size=(3000, 2001))
    deck = tmp_path / "d.md"
    deck.write_text("---\nmarp: true\n---\n\n![bg](a.jpg) ![bg](a.jpg) ![bg](a.jpg)\n\n---\n\n"
                    "![bg vertical](b.jpg) ![bg](b.jpg)\n", encoding="utf-8")
    pdf, _ = _pdf(deck)
    assert sorted((i["w"], i["h"]) for i in _images(pdf)) == [(854, 1440), (2560, 721)]


def test_images_prepared_ahead_in_threads_are_the_ones_rendering_uses(tmp_path, no_cache, monkeypatch):
    from slidekit.export import image_prep
    for name in "abc":
        _photo(tmp_path / f"{name}.jpg")
    deck = tmp_path / "d.md"
    deck.write_text("---\nmarp: true\n---\n\n![bg sepia](a.jpg)\n\n---\n\n![bg right](b.jpg)\n\n![w:300](c.jpg)\n\n"
                    "---\n\n![bg blur:4px](a.jpg)\n", encoding="utf-8")
    import slidekit.api as api
    monkeypatch.setattr("slidekit.export.pdf_chunks.usable_cpus", lambda: 1)
    serial, _ = _pdf(deck)

    made = []
    original = image_prep._prepare
    monkeypatch.setattr(image_prep, "_prepare", lambda *args: made.append(args[1]) or original(*args))
    monkeypatch.setattr("slidekit.export.pdf_chunks.usable_cpus", lambda: 2)
    rendered = api.render_slides
    during_render = []

    def render_slides(deck, options):
        made.clear()
        rendered(deck, options)
        during_render.extend(made)
    monkeypatch.setattr(api, "render_slides", render_slides)
    ahead, _ = _pdf(deck)
    assert during_render == []          # every image was made before the slides were rendered
    assert ahead == serial


def test_a_covering_background_stored_as_the_part_that_shows_draws_the_same_slide(tmp_path, no_cache, monkeypatch):
    # A portrait photo behind a landscape slide and a landscape one on a narrow split side: only their
    # middles show, and only those are stored; the slide looks as with the whole photo.
    from PIL import Image, ImageChops, ImageStat

    from slidekit.export import image_prep
    from slidekit.export.images import render_pages

    for name, size in (("tall.jpg", (1500, 2400)), ("wide.jpg", (3000, 1400))):
        ramp = Image.linear_gradient("L").resize(size)
        Image.merge("RGB", (ramp, ramp.transpose(Image.Transpose.ROTATE_90).resize(size), ramp)).save(
            tmp_path / name, "JPEG", quality=95)
    deck = tmp_path / "d.md"
    deck.write_text("---\nmarp: true\n---\n\n![bg sepia](tall.jpg)\n\n---\n\n# Split\n\n"
                    "![bg left:30% blur:1px](wide.jpg)\n", encoding="utf-8")
    cropped, _ = _pdf(deck)
    assert sorted((i["w"], i["h"]) for i in _images(cropped)) == [(748, 1400), (1500, 844)]
    monkeypatch.setattr(image_prep, "cover_crop", lambda *args: None)
    whole, _ = _pdf(deck)
    assert sorted((i["w"], i["h"]) for i in _images(whole)) == [(1500, 2400), (3000, 1400)]
    for a, b in zip(render_pages(cropped, scale=0.5), render_pages(whole, scale=0.5)):
        difference = ImageChops.difference(Image.open(io.BytesIO(a)).convert("RGB"),
                                           Image.open(io.BytesIO(b)).convert("RGB"))
        assert max(ImageStat.Stat(difference).mean) < 1.0


def test_a_transparent_image_used_twice_is_stored_once_even_across_chunks(tmp_path, no_cache):
    # A PNG with an alpha channel is stored as an image and its mask; the image refers to the mask, and the
    # pair drawn by two chunks was stored twice (a speaker's logo on the first and the last slide).
    from PIL import Image
    logo = Image.new("RGBA", (300, 200), (200, 30, 90, 0))
    logo.paste((200, 30, 90, 255), (50, 50, 250, 150))
    logo.save(tmp_path / "logo.png")
    slides = ["# A ![h:80](logo.png)"] + [f"# {i}" for i in range(20)] + ["# B ![h:80](logo.png)"]
    pdf = _first_and_last_share_one_image(tmp_path, slides)
    assert pdf.count(b"/Subtype /Image") + pdf.count(b"/Subtype/Image") == 2     # the image and its mask


def _idat(png: bytes) -> bytes:
    parts, at = [], 8
    while at < len(png):
        length, kind = struct.unpack(">I4s", png[at:at + 8])
        if kind == b"IDAT":
            parts.append(png[at + 8:at + 8 + length])
        at += 12 + length
    return b"".join(parts)


def test_an_opaque_png_goes_into_the_pdf_as_its_file_holds_it(tmp_path, no_cache):
    # WeasyPrint decoded every PNG and deflated its pixels again: for a deck of exported slides (full-slide
    # PNGs) most of the PDF's time. An opaque 8-bit PNG's image data is now stored as it is.
    from PIL import Image
    picture = Image.linear_gradient("L").resize((640, 360)).convert("RGB")
    picture.save(tmp_path / "slide.png", compress_level=1)     # not WeasyPrint's level: its copy would differ
    deck = tmp_path / "d.md"
    deck.write_text("---\nmarp: true\n---\n\n![bg](slide.png)\n\n---\n\n![w:300](slide.png)\n", encoding="utf-8")
    pdf, _ = _pdf(deck)
    assert _idat((tmp_path / "slide.png").read_bytes()) in pdf
    assert [(i["w"], i["h"], i["filter"]) for i in _images(pdf)] == [(640, 360, "/FlateDecode")]


def test_an_upright_photo_with_exif_data_goes_into_the_pdf_as_its_file(tmp_path, no_cache):
    # WeasyPrint turned every image with EXIF data upright through a copy, and encoded the copy again: a
    # camera's JPEG lost quality (re-encoded at quality 75) and time. An upright one is stored as it is; one
    # that the EXIF turns is still drawn turned.
    from PIL import Image
    _photo(tmp_path / "plain.jpg", (800, 600))
    image = Image.open(tmp_path / "plain.jpg")
    for name, turn in (("upright.jpg", 1), ("turned.jpg", 6)):
        exif = Image.Exif()
        exif[0x0112] = turn
        image.save(tmp_path / name, "JPEG", quality=90, exif=exif.tobytes())
    deck = tmp_path / "d.md"
    deck.write_text("---\nmarp: true\n---\n\n![w:400](upright.jpg)\n\n---\n\n![w:300](turned.jpg)\n",
                    encoding="utf-8")
    pdf, _ = _pdf(deck)
    assert (tmp_path / "upright.jpg").read_bytes() in pdf
    assert sorted((i["w"], i["h"]) for i in _images(pdf)) == [(600, 800), (800, 600)]


def test_a_prepared_image_reaches_the_pdf_as_a_file_not_in_its_html(tmp_path, monkeypatch):
    # A prepared photo went into the page's HTML as a data: URI of megabytes, which WeasyPrint's HTML and CSS
    # parsers scan character by character: a third of a real photo deck's time. It is a file named by its
    # content now, in the cache (or a temporary folder), and the PDF's image is named by that name.
    from urllib.parse import urlsplit
    from urllib.request import url2pathname

    from slidekit.diagnostics import Diagnostics
    from slidekit.export.assets import AssetResolver
    from slidekit.markdown.images import ImageSpec
    _photo(tmp_path / "p.jpg", (2400, 1600))
    monkeypatch.setenv("SLIDEKIT_CACHE_DIR", str(tmp_path / "cache"))
    resolver = AssetResolver(tmp_path, "pdf", Diagnostics())
    url = resolver("p.jpg", ImageSpec(bg=True, filters=[("sepia", "1")]))
    assert url.startswith("file:")
    stored = Path(url2pathname(urlsplit(url).path))
    assert stored.parent == tmp_path / "cache" / "slidekit-prepared-images"
    from PIL import Image
    with Image.open(stored) as image:
        assert image.format == "JPEG" and image.size == (2400, 1350)     # the part that shows


def test_the_temporary_folder_of_prepared_images_is_removed_by_the_workers_that_made_it(tmp_path):
    # With the cache off, the prepared images are files of a temporary folder. Two decks built side by side
    # (-j 2) are built by forked workers, which end with os._exit: the folder each made was left in /tmp.
    import subprocess
    import sys

    from slidekit.export.image_prep import PREPARED_FOLDER
    from tests.process_helpers import cache_env
    decks = tmp_path / "decks"
    decks.mkdir()
    _photo(decks / "p.jpg", (1600, 1200))
    for name in ("one", "two"):
        (decks / f"{name}.md").write_text(f"# {name}\n\n![bg sepia](p.jpg)\n", encoding="utf-8")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = dict(cache_env(None), TMPDIR=str(temporary))
    run = subprocess.run([sys.executable, "-m", "slidekit", "build", str(decks), "--pdf", "-j", "2", "-q",
                          "-o", str(tmp_path / "out")], env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "out" / "one.pdf").exists() and (tmp_path / "out" / "two.pdf").exists()
    assert not list(temporary.glob(PREPARED_FOLDER + "-*"))
    # A forked process whose work fails removes its own folder too, and not its parent's.
    script = """if True:
        import multiprocessing, sys
        from slidekit.export import image_prep
        def fail():
            image_prep._temporary.clear()
            (image_prep.prepared_folder() / "x.jpg").write_bytes(b"x")
            raise RuntimeError("the build failed")
        parent = image_prep.prepared_folder()
        child = multiprocessing.get_context("fork").Process(target=fail)
        child.start()
        child.join()
        assert child.exitcode == 1 and parent.is_dir(), (child.exitcode, parent)
        print(len(list(parent.parent.glob(image_prep.PREPARED_FOLDER + "-*"))))
        raise SystemExit("and so did the parent's")
    """
    run = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert run.stdout.strip() == "1" and "so did the parent's" in run.stderr, run.stderr
    assert not list(temporary.glob(PREPARED_FOLDER + "-*"))


def test_a_downscaled_inline_image_is_laid_out_as_its_file_would_be(tmp_path, no_cache):
    # An inline image downscaled for the output (here for the pictures of --images, one pixel a CSS pixel)
    # got a `width` of its file's width, which beat the deck's `max-width: 100%` in a flex slide: the
    # picture showed a part of the image, twice as large. Its intrinsic size is the file's now.
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw
    from PIL import Image, ImageDraw
    image = Image.new("RGB", (2560, 1440), (40, 40, 60))
    draw = ImageDraw.Draw(image)
    for x in range(0, 2560, 160):
        draw.rectangle((x, 0, x + 80, 1440), fill=(200, 180, 40))
    image.save(tmp_path / "shot.png")
    deck = tmp_path / "deck.md"
    deck.write_text("---\nmarp: true\nstyle: |\n  section { display: flex; justify-content: center; "
                    "align-items: center; }\n  img { max-width: 100%; max-height: 100%; }\n---\n\n"
                    "![shot](shot.png)\n", encoding="utf-8")
    bounds = []
    for density in (None, 1.0):
        pdf = build_file(deck, BuildOptions(format="pdf", offline=True, image_density=density)).output
        document = pdfium.PdfDocument(pdf)
        found = list(document[0].get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE], max_depth=4))
        assert len(found) == 1
        bounds.append(tuple(round(v, 1) for v in found[0].get_bounds()))
        document.close()
    assert bounds[0] == bounds[1]
    left, bottom, right, top = bounds[0]
    assert right - left <= 960 and top - bottom <= 540          # inside the 960x540 pt page


def test_a_pngs_size_is_read_from_its_header_without_decoding_its_pixels(tmp_path, monkeypatch):
    # Pillow decodes a whole PNG to look for an EXIF chunk after its pixels: a 108-megapixel screenshot was
    # decoded once for its size and once more for its orientation before being prepared.
    from PIL import Image, ImageFile

    from slidekit.export.image_prep import image_header
    Image.new("RGB", (3000, 2000), (10, 20, 30)).save(tmp_path / "wide.png")
    exif = Image.Exif()
    exif[0x0112] = 6                                   # turned a quarter: shown 2000 wide, 3000 high
    Image.new("RGB", (3000, 2000), (10, 20, 30)).save(tmp_path / "turned.png", exif=exif)
    loads = []
    real = ImageFile.ImageFile.load

    def counted(self):
        loads.append(self.format)
        return real(self)
    monkeypatch.setattr(ImageFile.ImageFile, "load", counted)
    assert image_header(tmp_path / "wide.png") == (3000, 2000, "PNG")
    assert image_header(tmp_path / "turned.png") == (2000, 3000, "PNG")   # its eXIf chunk precedes the pixels
    assert loads == []
