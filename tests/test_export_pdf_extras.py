"""--pdf-outlines, --pdf-notes and the tagged PDF, read back with pypdf."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from outline_helpers import outline_tree
from slidekit.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "export"


@pytest.fixture(scope="module")
def pdf(tmp_path_factory):
    out = tmp_path_factory.mktemp("pdf") / "deck.pdf"
    assert main(["build", str(FIXTURES / "deck.md"), "-o", str(out), "--pdf-outlines", "--pdf-notes", "-q"]) == 0
    return PdfReader(out)


def test_outline_one_bookmark_a_slide_with_headings_nested(pdf):
    assert outline_tree(pdf) == [
        ("Opening", 0, [("First point", 0, [("A detail", 0, [])]), ("Second point", 0, [])]),
        ("Lists and code", 1, []),
        ("Slide 3", 2, []),
        ("Last words", 3, []),
    ]


def test_notes_are_text_annotations_on_their_pages(pdf):
    found = []
    for page in pdf.pages:
        notes = [a.get_object() for a in page.get("/Annots", []) if a.get_object()["/Subtype"] == "/Text"]
        found.append([n["/Contents"] for n in notes])
    assert found == [["Say **hello** to everyone."], ["Notes for the lists slide\n\nA second note block"], [],
                     ["Questions?"]]


def test_pdf_is_tagged_in_the_decks_language(pdf):
    root = pdf.trailer["/Root"]
    assert root["/Lang"] == "fr"
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"]


def test_without_flags_no_annotations(tmp_path):
    out = tmp_path / "plain.pdf"
    assert main(["build", str(FIXTURES / "deck.md"), "-o", str(out), "-q"]) == 0
    reader = PdfReader(out)
    assert len(reader.pages) == 4
    assert all("/Annots" not in p or not any(a.get_object()["/Subtype"] == "/Text" for a in p["/Annots"])
               for p in reader.pages)
