"""Fixture tests of the compiler: Markdown in (tests/fixtures/core/NAME.md), expectations out (NAME.yaml)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from slidekit.api import BuildOptions, build_file
from deckparse import parse_deck

FIXTURES = Path(__file__).parent / "fixtures" / "core"
CASES = sorted(p.stem for p in FIXTURES.glob("*.md"))


def _style_parts(style: str) -> list[str]:
    return [p.strip() for p in style.split(";") if p.strip()]


@pytest.mark.parametrize("name", CASES)
def test_fixture(name):
    expect = yaml.safe_load((FIXTURES / f"{name}.yaml").read_text(encoding="utf-8")) or {}
    result = build_file(FIXTURES / f"{name}.md", BuildOptions(format="html"))
    assert result.output is not None
    sections, notes = parse_deck(result.output)

    assert len(sections) == expect["slides"], [s.text[:40] for s in sections]
    for number, want in (expect.get("sections") or {}).items():
        section = sections[int(number) - 1]
        for key, value in (want.get("attrs") or {}).items():
            assert section.attrs.get(key) == value, (number, key, section.attrs)
        for key in want.get("absent_attrs", []):
            assert key not in section.attrs, (number, key)
        for part in want.get("style", []):
            assert part in _style_parts(section.attrs.get("style", "")), (number, part, section.attrs.get("style"))
        for snippet in want.get("contains", []):
            assert snippet in section.html, (number, snippet, section.html)
        for snippet in want.get("not_contains", []):
            assert snippet not in section.html, (number, snippet)
        if "text" in want:
            assert section.text.strip() == want["text"]
        if "children_first" in want:
            assert section.children[0] == want["children_first"]
        if "children_last" in want:
            assert section.children[-1] == want["children_last"]
    for number, text in (expect.get("notes") or {}).items():
        assert notes.get(int(number)) == text, notes
    for key, value in (expect.get("globals") or {}).items():
        assert result.deck.globals.get(key) == value

    stylesheet = re.search(r'<style id="sk-slides">(.*?)</style>', result.output, re.S).group(1)
    for snippet in expect.get("stylesheet", []):
        assert snippet in stylesheet, snippet

    wanted = expect.get("diagnostics", [])
    for diag in wanted:
        matches = [d for d in result.diagnostics if d.code == diag["code"]
                   and all(getattr(d, k) == v for k, v in diag.items() if k in ("slide", "line", "level"))
                   and diag.get("message_has", "") in d.message]
        assert matches, (diag, [d.format() for d in result.diagnostics])
    if not wanted:
        assert not result.diagnostics, [d.format() for d in result.diagnostics]


def test_front_matter_and_crlf_and_bom_read_alike(tmp_path):
    text = "---\ntheme: gaia\npaginate: true\n---\n\n# A\n\n---\n\n# B\n"
    plain = tmp_path / "plain.md"
    plain.write_text(text, encoding="utf-8")
    crlf = tmp_path / "crlf.md"
    crlf.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    a = build_file(plain, BuildOptions())
    b = build_file(crlf, BuildOptions())
    assert parse_deck(a.output)[0] == parse_deck(b.output)[0]
    assert a.deck.globals["theme"] == b.deck.globals["theme"] == "gaia"


def test_size_directive_is_text_not_base_60(tmp_path):
    deck = tmp_path / "d.md"
    deck.write_text("---\nsize: 4:3\n---\n\n# A\n", encoding="utf-8")
    result = build_file(deck, BuildOptions())
    assert 'data-width="960"' in result.output and 'data-height="720"' in result.output
    assert not result.diagnostics


def test_unknown_theme_falls_back_to_default_with_a_warning(tmp_path):
    deck = tmp_path / "d.md"
    deck.write_text("---\ntheme: nosuchtheme\n---\n\n# A\n", encoding="utf-8")
    result = build_file(deck, BuildOptions())
    assert [d.code for d in result.diagnostics] == ["unknown-theme"]
    assert 'data-theme="default"' in result.output


def test_custom_theme_from_theme_set(tmp_path):
    theme = tmp_path / "mine.css"
    theme.write_text("/* @theme mine */\n@import 'default';\nsection { background: #abcdef; }\n", encoding="utf-8")
    deck = tmp_path / "d.md"
    deck.write_text("---\ntheme: mine\n---\n\n# A\n", encoding="utf-8")
    result = build_file(deck, BuildOptions(theme_set=[theme]))
    assert not result.diagnostics
    assert ".sk-deck > section {background: #abcdef;}" in result.output
    # the imported default theme came along, scoped
    assert result.output.count(".sk-deck > section h1") >= 1


def test_missing_images_warn_at_each_use_on_its_line_and_the_build_goes_on(tmp_path):
    deck = tmp_path / "d.md"
    deck.write_text("![](missing.png)\n\n---\n\n![bg](missing.png)\n![bg](other.svg)\n", encoding="utf-8")
    result = build_file(deck, BuildOptions())
    codes = [(d.code, d.slide, d.line, d.message.split()[3]) for d in result.diagnostics]
    assert codes == [("missing-image", 1, 1, "missing.png;"), ("missing-image", 2, 5, "missing.png;"),
                     ("missing-image", 2, 6, "other.svg;")]
    assert all(d.level == "warning" for d in result.diagnostics)
    assert result.output.count("<section") == 2


def test_local_images_are_embedded_in_the_html(tmp_path):
    from PIL import Image
    Image.new("RGB", (4, 4), "red").save(tmp_path / "red.png")
    deck = tmp_path / "d.md"
    deck.write_text("![w:10](red.png)\n", encoding="utf-8")
    result = build_file(deck, BuildOptions())
    assert 'src="data:image/png;base64,' in result.output
    assert not result.diagnostics
