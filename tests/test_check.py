"""`slidekit check`: fixture decks in tests/fixtures/check/NAME.md, the expected report in NAME.expected."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from slidekit.api import build_text
from slidekit.cli import main
from slidekit.deck.lint import lint_deck, mis_decoded_text, repair_mojibake, setext_slide_breaks

FIXTURES = Path(__file__).parent / "fixtures" / "check"
CASES = sorted(p.stem for p in FIXTURES.glob("*.md"))


def _head(line: str) -> str:
    """A report line up to the end of its first clause (the explanation after `; ` may be reworded)."""
    return line.split("; ")[0]


@pytest.fixture
def in_fixtures(monkeypatch):
    monkeypatch.chdir(FIXTURES)
    monkeypatch.setenv("HOME", str(FIXTURES))   # no config file from above is picked up


@pytest.mark.parametrize("name", CASES)
def test_fixture_report(name, in_fixtures, capsys):
    status = main(["check", "--no-config", f"{name}.md"])
    out = capsys.readouterr().out
    expected = (FIXTURES / f"{name}.expected").read_text(encoding="utf-8").splitlines()
    assert [_head(line) for line in out.splitlines()] == [_head(line) for line in expected]
    assert "\033[" not in out                        # no colour when not on a terminal
    assert status == (1 if any(": error: " in line for line in expected) else 0)


def test_clean_deck_passes_strict(in_fixtures, capsys):
    assert main(["check", "--strict", "clean.md"]) == 0


def test_strict_makes_warnings_fail(in_fixtures, capsys):
    assert main(["check", "setext.md"]) == 0
    assert main(["check", "--strict", "setext.md"]) == 1


def test_json_has_the_same_text(in_fixtures, capsys):
    main(["check", "--format", "json", "directives.md", "theme.md"])
    report = json.loads(capsys.readouterr().out)
    assert [d["code"] for d in report] == ["unknown-directive", "directive-value", "unknown-directive",
                                          "unknown-theme", "unknown-size"]
    assert report[0]["line"] == 3 and report[0]["slide"] == 1 and report[0]["level"] == "warning"
    assert report[0]["text"].startswith("directives.md:3: slide 1: warning: unknown directive 'pagnate' "
                                        "(did you mean 'paginate'?)")


def test_folder_and_missing_input(in_fixtures, capsys):
    assert main(["check", "."]) == 0                      # yaml.md's front-matter: a warning, as Marp ignores it
    assert main(["check", "--strict", "."]) == 1
    assert main(["check", "nope.md"]) == 2


def test_nothing_is_written(tmp_path, capsys):
    deck = tmp_path / "deck.md"
    deck.write_text("# Hi\n", encoding="utf-8")
    assert main(["check", str(deck)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deck.md"]


@pytest.mark.parametrize("word, repaired", [
    ("didn‚Äôt", "didn’t"),               # UTF-8 read as Mac Roman (the seed deck)
    ("naÃ¯ve", "naïve"),                # UTF-8 read as Windows-1252
    ("Ã©tÃ©", "été"),
    ("‚Ä¶", "…"),
])
def test_repair_mojibake(word, repaired):
    assert repair_mojibake(word)[0] == repaired


@pytest.mark.parametrize("word", ["café", "naïve", "日本語", "plain", "×", "Ü"])
def test_genuine_text_is_not_mis_decoded(word):
    assert repair_mojibake(word) is None


def test_setext_only_right_under_a_paragraph():
    text = "# One\n\ntext\n\n---\n\n```\ncode\n---\n```\n\nA *line*\n-----\n"
    deck = build_text(text).deck
    found = setext_slide_breaks(deck, text)
    assert [(d.line, d.slide) for d in found] == [(13, 2)]
    assert "'A *line*'" in found[0].message


def test_lints_are_pure_and_ordered():
    text = "Para\n---\n\ndidn‚Äôt\n"
    deck = build_text(text).deck
    found = lint_deck(deck, text)
    assert [d.code for d in found] == ["setext-heading", "mis-decoded"]
    assert lint_deck(deck, text) == found
    assert mis_decoded_text(deck, "all ascii\n") == []
