"""--pptx: an editable PowerPoint file, read back with python-pptx."""

from __future__ import annotations

from pathlib import Path

import pytest
from pptx import Presentation

from slidekit.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "export"
SEED = Path("/work/shared/corpus/seeds/mlops-guide-presentation.md")


@pytest.fixture(scope="module")
def pptx(tmp_path_factory):
    out = tmp_path_factory.mktemp("pptx") / "deck.pptx"
    assert main(["build", str(FIXTURES / "deck.md"), "--pptx", "-o", str(out), "-q"]) == 0
    return Presentation(out)


def _title(slide):
    return slide.shapes.title.text_frame.text if slide.shapes.title is not None else None


def test_titles_bodies_notes(pptx):
    assert (pptx.slide_width, pptx.slide_height) == (12192000, 6858000)      # 16:9, 13.333 x 7.5 in
    assert [_title(s) for s in pptx.slides] == ["Opening", "Lists and code", None, "Last words"]
    notes = [s.notes_slide.notes_text_frame.text if s.has_notes_slide else "" for s in pptx.slides]
    assert notes == ["Say **hello** to everyone.", "Notes for the lists slide\n\nA second note block", "",
                     "Questions?"]
    texts = [sh.text_frame.text for sh in pptx.slides[0].shapes if sh.has_text_frame]
    assert texts == ["Opening", "First point", "A detail", "Second point"]


def test_list_levels_code_and_colours(pptx):
    slide = pptx.slides[1]
    shapes = {sh.name: sh for sh in slide.shapes}
    levels = [(p.level, "".join(r.text for r in p.runs).strip()) for p in shapes["List"].text_frame.paragraphs]
    assert levels == [(0, "• one"), (0, "• two"), (1, "• two and a half"), (0, "• three")]
    code = shapes["Code"].text_frame.paragraphs[0].runs[0]
    assert code.text == 'print("hi")' and code.font.name == "Courier New"
    assert str(slide.background.fill.fore_color.rgb) == "123456"
    assert str(slide.shapes.title.text_frame.paragraphs[0].runs[0].font.color.rgb) == "FFFFFF"


def test_table_cells(pptx):
    table = next(sh for sh in pptx.slides[2].shapes if sh.has_table).table
    assert [[table.cell(r, c).text for c in range(2)] for r in range(3)] == [["Name", "Value"], ["a", "1"],
                                                                           ["b", "2"]]


@pytest.mark.skipif(not SEED.exists(), reason="the shared seed deck is not here")
def test_seed_deck_every_slide_reads_back(tmp_path):
    out = tmp_path / "seed.pptx"
    assert main(["build", str(SEED), "--pptx", "-o", str(out), "-q", "--offline"]) == 0
    deck = Presentation(out)
    assert len(deck.slides) == 45
    assert _title(deck.slides[0]) == "A guide to MLOps"
    assert _title(deck.slides[2]) == "ML code vs ML system"
    body = " ".join(sh.text_frame.text for sh in deck.slides[2].shapes if sh.has_text_frame)
    assert "Only a small fraction of real-world ML systems" in body
    dark = deck.slides[2].background.fill.fore_color.rgb          # the gaia theme drawn dark by the deck's style
    assert sum(dark) < 100
