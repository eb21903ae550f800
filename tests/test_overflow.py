"""Overflow (slidekit/export/overflow.py): the PDF layout knows where each slide's content ends; a slide whose
content runs past its bottom edge is an `overflow` warning naming the slide, and says that `fit` exists."""

import re

import pytest

from rich_helpers import build_md
from slidekit.cli import main

ITEMS = "".join(f"- item {n} of a list that is far too long for one slide\n" for n in range(1, 25))


def _overflows(text: str, fmt: str = "pdf", **options):
    result = build_md(text, fmt, **options)
    assert result.output is not None
    return [d for d in result.diagnostics if d.code == "overflow"]


@pytest.fixture(scope="module")
def deck_warnings():
    text = (f"# Fits\n\nshort\n\n---\n\n# Too long\n\n{ITEMS}\n---\n\n<!-- _fit: true -->\n\n# Fitted\n\n{ITEMS}"
            f"\n---\n\n<!-- header: 'a header' -->\n<!-- footer: 'a footer' -->\n\n![bg](examples/images/sunset.png)"
            f"\n\n# Layers aside\n\nshort\n\n---\n\n![bg left](examples/images/sunset.png)\n\n# Split\n\n{ITEMS}")
    return _overflows(text)


def test_overflowing_slides_are_named(deck_warnings):
    assert [d.slide for d in deck_warnings] == [2, 5]       # not the short, the fitted or the layered one
    first = deck_warnings[0]
    assert first.level == "warning" and first.line is not None
    assert "past the bottom" in first.message and "_fit: true" in first.message
    assert "slide 2: warning: content runs" in first.format()


def test_overflow_amount_is_measured():
    few = _overflows("# Title\n\n" + "".join(f"- item {n}\n" for n in range(1, 14)))
    many = _overflows("# Title\n\n" + "".join(f"- item {n}\n" for n in range(1, 20)))
    px = lambda d: int(d.message.split("runs ")[1].split("px")[0])  # noqa: E731
    assert len(few) == len(many) == 1 and px(many[0]) > px(few[0]) + 100


def test_what_fit_cannot_save_is_still_reported():
    deck = "<!-- _fit: true -->\n\n![h:3000px](examples/images/sunset.png)\n"   # a fixed height shrinks not
    found = _overflows(deck)
    assert len(found) == 1 and "even shrunk by `fit`" in found[0].message


def test_html_build_reports_no_overflow():
    assert _overflows(f"# Too long\n\n{ITEMS}", "html") == []


def test_check_reports_overflow_only_with_layout(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    deck = tmp_path / "long.md"
    deck.write_text(f"# Too long\n\n{ITEMS}", encoding="utf-8")
    assert main(["check", "--no-config", str(deck)]) == 0
    assert "overflow" not in capsys.readouterr().out and "past the bottom" not in capsys.readouterr().out
    assert main(["check", "--no-config", "--layout", str(deck)]) == 0
    out = capsys.readouterr().out
    assert "long.md:1: slide 1: warning: content runs" in out
    assert main(["check", "--no-config", "--layout", "--strict", str(deck)]) == 1


@pytest.mark.parametrize("split", ["", "![bg left](bg.png)\n\n"])
def test_a_slide_too_full_for_its_page_is_clipped_with_its_footer_and_page_number(tmp_path, split):
    # Slides that fit are laid out as blocks (quicker); one that does not would be broken onto a second page
    # that is never shown, or lose the end of its split column and its footer: it is laid out again, clipped.
    import io

    from PIL import Image
    from pypdf import PdfReader

    from slidekit.api import BuildOptions, build_file
    Image.new("RGB", (40, 30), (200, 50, 50)).save(tmp_path / "bg.png")
    items = "\n".join(f"- item number {i} with some words" for i in range(40))
    deck = tmp_path / "talk.md"
    deck.write_text(f"---\nmarp: true\ntheme: gaia\npaginate: true\nfooter: the footer\n---\n\n{split}# Long\n\n"
                    f"{items}\n\n---\n\n# Short\n", encoding="utf-8")
    pdf = build_file(deck, BuildOptions(format="pdf")).output
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) == 2
    first = pages[0].extract_text()
    assert "item number 39" in first                    # (clipped, as in Marp: drawn outside the page)
    assert re.search(r"the footer\s+1\b", first)       # and the page number

