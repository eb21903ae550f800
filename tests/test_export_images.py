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
