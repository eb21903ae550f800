"""Slide sizes are bounded (issue 19, item 7): a theme's `@size` or `section` size beyond 10,000px a side is
scaled down with a warning naming the theme's file and line; a side of 0 or less is refused; pictures of the
slides stay within a pixel budget."""
from __future__ import annotations

import io
import re

from PIL import Image

from slidekit.api import BuildOptions, build_text
from slidekit.render.themes import parse_theme

HUGE = ("/* @theme huge */\n/* @size huge 100000px 100000px */\n/* @size flat 0px 720px */\n"
        "/* @size wide 20000px 5000px */\n@import 'default';\nsection { width: 50000px; height: 20000px; }\n")


def _build(tmp_path, deck: str, fmt: str = "html"):
    theme = tmp_path / "huge.css"
    theme.write_text(HUGE, encoding="utf-8")
    return build_text(deck, BuildOptions(format=fmt, theme_set=[theme], offline=True), folder=tmp_path), theme


def _size(html: str) -> tuple[int, int]:
    m = re.search(r'data-width="(\d+)" data-height="(\d+)"', html)
    return int(m.group(1)), int(m.group(2))


def test_theme_sizes_are_bounded():
    theme = parse_theme(HUGE)
    assert theme.sizes == {"huge": (10000, 10000), "wide": (10000, 2500)}
    assert theme.default_size == (10000, 4000)
    assert [line for line, _ in theme.problems] == [2, 3, 4, 6]


def test_a_huge_size_directive_is_scaled_down_with_a_warning(tmp_path):
    result, theme = _build(tmp_path, "---\ntheme: huge\nsize: huge\n---\n\n# Big\n")
    assert _size(result.output) == (10000, 10000)
    assert "size: 10000px 10000px" in result.output         # the @page too
    warnings = [d for d in result.diagnostics if d.code == "slide-size"]
    assert warnings and all(d.file == str(theme) for d in warnings)
    assert any(d.line == 2 and "100000px" in d.message for d in warnings)


def test_a_huge_section_size_is_scaled_down(tmp_path):
    result, _ = _build(tmp_path, "---\ntheme: huge\n---\n\n# Big\n")
    assert _size(result.output) == (10000, 4000)


def test_a_size_of_zero_is_refused(tmp_path):
    result, _ = _build(tmp_path, "---\ntheme: huge\nsize: flat\n---\n\n# Flat\n")
    assert _size(result.output) == (10000, 4000)          # the theme's own size
    assert any(d.code == "unknown-size" for d in result.diagnostics)


def test_pictures_stay_within_their_pixel_budget(tmp_path, monkeypatch):
    from slidekit.export import images

    result, _ = _build(tmp_path, "---\ntheme: huge\nsize: wide\n---\n\n# Wide\n", fmt="pdf")
    monkeypatch.setattr(images, "MAX_PICTURE_PIXELS", 1_000_000)   # 10000x2500 at most 2000x500
    picture = Image.open(io.BytesIO(images.render_pages(result.output, "png")[0]))
    assert picture.size == (2000, 500)
