"""Characters no installed font has (export/font_coverage.py): the font map's caches are cleared after the
layout of a PDF slide that holds one, so that no slide's boxes depend on such slides laid out before it in
the same process (one box a character, as in Chromium)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from slidekit.api import BuildOptions, build_text
from slidekit.export import font_coverage
from slidekit.export.font_coverage import FontCoverage

# Vai, a script of Liberia: no font scripts/setup installs has it (CJK and Thai fonts are installed)
UNCOVERED = "\ua500\ua501\ua502\ua503"


def _has_japanese_font() -> bool:
    return bool(subprocess.run(["fc-list", ":lang=ja"], capture_output=True, text=True).stdout.strip())


def _has_uncovered_font() -> bool:
    if shutil.which("fc-list") is None:
        pytest.skip("fc-list is needed to know the installed fonts")
    return bool(subprocess.run(["fc-list", ":charset=a500"], capture_output=True, text=True).stdout.strip())


@pytest.fixture
def coverage():
    from slidekit.export.weasy import load
    load()
    from weasyprint.text.fonts import FontConfiguration
    return FontCoverage(FontConfiguration())


def test_what_the_fonts_have_and_lack(coverage):
    assert not coverage.lacks_any("plain ASCII text")
    assert not coverage.lacks_any("café, naïve, “quotes” — and a dash")     # DejaVu and Liberation have these
    assert not coverage.lacks_any("a\u200db\u00a0c\u2009d")                # joiners and spaces draw nothing
    assert not coverage.lacks_any("拡張機能の舞台裏" if _has_japanese_font() else "plain")
    if _has_uncovered_font():
        pytest.skip("a font for Vai is installed here")
    assert coverage.lacks_any(f"Markdown {UNCOVERED}")


def test_unknown_coverage_treats_no_slide_apart(coverage, monkeypatch):
    monkeypatch.setattr(FontCoverage, "_read_charsets", lambda self: 1 / 0)
    assert not coverage.lacks_any(UNCOVERED)


def _resets(monkeypatch) -> list:
    calls = []
    reset = FontCoverage.reset_font_map

    def spy(self):
        calls.append(1)
        reset(self)
    monkeypatch.setattr(FontCoverage, "reset_font_map", spy)
    return calls


def test_only_a_slide_with_characters_no_font_has_is_laid_out_apart(monkeypatch, tmp_path):
    if _has_uncovered_font():
        pytest.skip("a font for Vai is installed here")
    monkeypatch.setenv("SLIDEKIT_CACHE", "off")
    calls = _resets(monkeypatch)
    deck = f"---\nmarp: true\n---\n\n# One\n\ncafé\n\n---\n\n# Markdown {UNCOVERED}\n\n---\n\n# Three\n"
    result = build_text(deck, BuildOptions(format="pdf", jobs=1), folder=tmp_path)
    assert result.ok
    assert len(calls) == 1                       # after slide 2 (laid out once: it fits)
    calls.clear()
    build_text(deck.replace(UNCOVERED, "plain"), BuildOptions(format="pdf", jobs=1), folder=tmp_path)
    assert calls == []


def test_the_fontconfig_functions_are_found():
    ffi, lib = font_coverage._fontconfig()
    assert lib is not None and lib.FcCharSetHasChar
