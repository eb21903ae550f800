"""--handout: the slides' own PDF pages drawn into pages laid out with their notes (or lines)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from slidekit.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "export"


def _build(tmp_path, *flags):
    out = tmp_path / "handout.pdf"
    assert main(["build", str(FIXTURES / "deck.md"), "--handout", "-o", str(out), "-q", *flags]) == 0
    return out


def _text(path, page):
    return subprocess.run(["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(path), "-"],
                          capture_output=True, text=True, check=True).stdout


def test_notes_layout_one_slide_a_page_with_its_notes(tmp_path):
    out = _build(tmp_path)
    reader = PdfReader(out)
    assert len(reader.pages) == 4
    assert [round(float(v)) for v in reader.pages[0].mediabox[2:]] == [595, 842]     # A4 by default
    first = _text(out, 1)
    assert "Say hello to everyone." in first            # notes rendered from Markdown (no asterisks)
    assert "**" not in first
    assert "Opening" in first and "First point" in first   # the slide itself is drawn on the page
    second = _text(out, 2)
    assert "Notes for the lists slide" in second and "A second note block" in second
    assert "print(\"hi\")" in second
    assert "No notes." in _text(out, 3)


def test_lines_layout_three_slides_a_page_on_letter(tmp_path):
    out = _build(tmp_path, "--handout-layout", "lines", "--handout-paper", "letter")
    reader = PdfReader(out)
    assert len(reader.pages) == 2
    assert [round(float(v)) for v in reader.pages[0].mediabox[2:]] == [612, 792]
    first = _text(out, 1)
    assert all(t in first for t in ("Opening", "Lists and code", "A slide with no heading"))
    assert "Last words" in _text(out, 2) and "Opening" not in _text(out, 2)
    assert "Say hello" not in first


def test_slide_is_drawn_upright_in_its_slot(tmp_path):
    """The slide's pixels land in the slot: the lists slide's dark background fills the box under its label."""
    from PIL import Image
    out = _build(tmp_path)
    subprocess.run(["pdftoppm", "-png", "-r", "36", "-f", "2", "-l", "2", str(out), str(tmp_path / "p")],
                   check=True)
    image = Image.open(next(tmp_path.glob("p*.png"))).convert("RGB")
    width, height = image.size
    # the slot spans the text width from just below the top margin
    inside = image.getpixel((width // 2, int(height * 0.2)))
    assert inside == pytest.approx((0x12, 0x34, 0x56), abs=12)
    below = image.getpixel((width // 2, int(height * 0.9)))
    assert below == (255, 255, 255)


def test_a_title_cannot_end_the_handouts_style(tmp_path):
    """The handout's title sits in a CSS string of its <style> (issue 19, item 1)."""
    out = _build(tmp_path, "--title", "</style><p>escaped ssss</p>")
    text = _text(out, 1)
    assert "escaped ssss" in text and "@page" not in text and "{" not in text   # in the running title only
