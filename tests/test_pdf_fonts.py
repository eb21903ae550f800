"""A long deck's chunks share one file for each font (slidekit/export/pdf_fonts.py)."""

from __future__ import annotations

import io

import pypdf
import pytest

from slidekit.api import BuildOptions, build_file
from slidekit.export import pdf_fonts, pdf_merge

WORDS = ["café", "naïve", "Zürich", "señor", "façade", "smörgåsbord", "crème brûlée", "Øresund", "Łódź",
         "déjà vu", "Ångström", "piñata", "jalapeño", "über", "résumé", "coöperate", "Ærø", "Škoda"]


@pytest.fixture
def deck(tmp_path, monkeypatch):
    # 18 slides: four chunks, each using other accented letters (composite glyphs in Lato), bold, italic
    # and code (DejaVu Sans Mono)
    monkeypatch.setenv("SLIDEKIT_CACHE", "off")
    slides = [f"# {word.title()}\n\n- **{word}** and *{word}*\n- `{word}()`" for word in WORDS]
    path = tmp_path / "talk.md"
    path.write_text("---\nmarp: true\ntheme: gaia\n---\n\n" + "\n\n---\n\n".join(slides), encoding="utf-8")
    return path


def _font_files(pdf: bytes) -> dict[str, set]:
    files: dict[str, set] = {}
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            files.setdefault(str(font["/BaseFont"]), set()).add(descriptor.raw_get("/FontFile2").idnum)
    return files


def test_each_font_is_embedded_once_and_every_page_is_drawn_as_with_the_chunks_own_fonts(deck, monkeypatch):
    import pypdfium2 as pdfium
    joined = build_file(deck, BuildOptions(format="pdf")).output
    monkeypatch.setattr(pdf_merge, "join_fonts", lambda chunks: ([{} for _ in chunks], {}))
    apart = build_file(deck, BuildOptions(format="pdf")).output

    assert max(len(files) for files in _font_files(apart).values()) >= 4      # a copy a chunk, before
    assert all(len(files) == 1 for files in _font_files(joined).values())
    assert len(joined) < len(apart)
    one, other = pdfium.PdfDocument(joined), pdfium.PdfDocument(apart)
    assert len(one) == len(other) == len(WORDS)
    for index in range(len(one)):
        assert one[index].render(scale=2).to_pil().tobytes() == other[index].render(scale=2).to_pil().tobytes()
    text = [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(joined)).pages]
    assert text == [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(apart)).pages]
    assert "smörgåsbord" in text[5]


def test_the_joined_font_holds_each_glyph_of_each_subset_with_its_parts(deck, monkeypatch):
    # The subsets number the parts of composite glyphs (an accent) anew past their last used glyph: the
    # joined font has every used glyph where the subsets have it, with the same outline and metrics.
    from fontTools.pens.recordingPen import DecomposingRecordingPen
    from fontTools.ttLib import TTFont
    chunks = []
    original = pdf_merge.join_fonts
    monkeypatch.setattr(pdf_merge, "join_fonts", lambda found: chunks.extend(found) or original(found))
    build_file(deck, BuildOptions(format="pdf"))
    fonts = [pdf_fonts.embedded_fonts(chunk.bodies) for chunk in chunks]

    def outline(font: TTFont, gid: int):
        pen = DecomposingRecordingPen(font.getGlyphSet())
        font.getGlyphSet()[font.getGlyphOrder()[gid]].draw(pen)
        return pen.value

    with_parts = 0
    for name in fonts[0]:
        parts = [(chunk, found[name]) for chunk, found in zip(chunks, fonts) if name in found]
        subsets = [pdf_fonts._stream_data(chunk.bodies[font.file]) for chunk, font in parts]
        used = [pdf_fonts._to_unicode(chunk.bodies[font.to_unicode]) for chunk, font in parts]
        joined = pdf_fonts.join_truetype(subsets, [set(u) for u in used])
        assert joined is not None and len(joined) < sum(map(len, subsets))
        with_parts += any(TTFont(io.BytesIO(s))["maxp"].numGlyphs > max(u) + 1 for s, u in zip(subsets, used))
        whole = TTFont(io.BytesIO(joined))
        for subset, glyphs in zip(subsets, used):
            font = TTFont(io.BytesIO(subset))
            for gid in glyphs:
                assert outline(whole, gid) == outline(font, gid)
                assert whole["hmtx"][whole.getGlyphOrder()[gid]] == font["hmtx"][font.getGlyphOrder()[gid]]
    assert with_parts >= 2

def test_subsets_whose_glyph_differs_at_one_place_or_with_glyph_tables_of_their_own_are_not_joined():
    import struct
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    def font(width: int, extra: str | None = None) -> bytes:
        from fontTools.ttLib.tables.DefaultTable import DefaultTable
        builder = FontBuilder(1000, isTTF=True)
        builder.setupGlyphOrder([".notdef", "a"])
        builder.setupCharacterMap({ord("a"): "a"})
        pen = TTGlyphPen(None)
        pen.moveTo((0, 0)), pen.lineTo((width, 0)), pen.lineTo((width, 500)), pen.closePath()
        builder.setupGlyf({".notdef": TTGlyphPen(None).glyph(), "a": pen.glyph()})
        builder.setupHorizontalMetrics({".notdef": (500, 0), "a": (width, 0)})
        builder.setupHorizontalHeader(ascent=800, descent=-200)
        builder.setupMaxp()
        if extra:
            builder.font[extra] = DefaultTable(extra)        # (its bytes as they are)
            builder.font[extra].data = b"\0" * 8
        buffer = io.BytesIO()
        builder.save(buffer)
        return buffer.getvalue()

    assert pdf_fonts.join_truetype([font(400), font(400)], [{1}, {1}]) is not None
    assert pdf_fonts.join_truetype([font(400), font(300)], [{1}, {1}]) is None
    # a table about glyphs that joining does not rebuild (variations, colour layers): not joined
    assert pdf_fonts.join_truetype([font(400, "gvar"), font(400, "gvar")], [{1}, {1}]) is None
    assert pdf_fonts.join_truetype([font(400, "COLR"), font(400, "COLR")], [{1}, {1}]) is None
    assert struct.unpack(">I", font(400)[:4])[0] == 0x00010000
