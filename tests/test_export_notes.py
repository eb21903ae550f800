"""--notes: speaker notes as text, byte for byte as marp-cli 4.5.1's `--notes` .txt (references made with it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from slidekit.api import BuildOptions, build_file
from slidekit.cli import main
from slidekit.export.notes import notes_text

FIXTURES = Path(__file__).parent / "fixtures" / "export"


@pytest.mark.parametrize("name", ["notes", "deck"])
def test_same_text_as_marp_cli(name):
    result = build_file(FIXTURES / f"{name}.md", BuildOptions(format="html"))
    expected = (FIXTURES / f"{name}.marp.txt").read_text(encoding="utf-8")
    assert notes_text(result.deck) == expected


def test_cli_writes_txt_beside_the_deck(tmp_path):
    deck = tmp_path / "talk.md"
    deck.write_text((FIXTURES / "deck.md").read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["build", str(deck), "--notes", "-q"]) == 0
    text = (tmp_path / "talk.txt").read_text(encoding="utf-8")
    blocks = text.split("\n\n---\n\n")
    assert blocks == ["Say **hello** to everyone.", "Notes for the lists slide\n\nA second note block", "",
                      "Questions?"]


def test_cli_refuses_a_wrong_extension(tmp_path, capsys):
    deck = tmp_path / "talk.md"
    deck.write_text("# Hi\n", encoding="utf-8")
    assert main(["build", str(deck), "--notes", "-o", str(tmp_path / "x.pdf")]) == 2
    assert "--notes writes .txt" in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists()
