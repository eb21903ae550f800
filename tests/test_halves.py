"""A long deck's Markdown parsed in two processes (slidekit/markdown/halves.py) gives the tokens of one
parse, or is parsed in one piece: never anything else."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from slidekit import pipes
from slidekit.markdown import block_pass, create_markdown, halves, inline_pass, parse_tokens
from slidekit.diagnostics import Diagnostics
from slidekit.source import read_source

ROOT = Path(__file__).resolve().parents[1]
DECKS = sorted([ROOT / "decks" / "mlops-guide" / "slides.md", *ROOT.glob("examples/**/*.md"),
                *ROOT.glob("tests/fixtures/**/*.md"), *ROOT.glob("tests/adversarial/*.md")])


@pytest.fixture
def forking(monkeypatch):
    """Halves for any length, on any machine, whatever threads pytest runs."""
    monkeypatch.setattr(halves, "MIN_CHARS", 0)
    monkeypatch.setattr(pipes, "usable_cpus", lambda: 2)
    monkeypatch.setattr(pipes.threading, "active_count", lambda: 1)


def _parse(text: str, use_halves: bool, seen=None):
    tokens, state = parse_tokens(create_markdown(), text, {"front_matter": {}}, halves=use_halves,
                                 on_blocks=seen.extend if seen is not None else None)
    # (mistune keeps a cache of blank lines in env, keyed by the text it was parsed from: not part of the result)
    return tokens, {k: v for k, v in state.env.items() if k != "__blank_line_starts__"}


@pytest.mark.parametrize("deck", DECKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_halves_give_the_tokens_of_one_parse(deck, forking):
    body = read_source(deck, Diagnostics()).body
    assert _parse(body, True) == _parse(body, False)


def test_the_bench_shaped_deck_is_cut_and_references_cross_the_cut(forking, monkeypatch):
    used = []
    parse = halves.parse_in_halves

    def spy(*args):
        result = parse(*args)
        used.append(result is not None)
        return result
    monkeypatch.setattr(halves, "parse_in_halves", spy)
    slides = [f"## Slide {i}\n\nSee [the guide][g{i % 3}] and [later][late].\n\n```python\nx = {i}\n```\n"
              for i in range(40)]
    body = ("[g0]: https://a.example/0\n[g1]: https://a.example/1\n\n" + "\n".join(slides)
            + "\n[late]: https://late.example\n[g0]: https://not-the-first.example\n")
    seen_halves, seen_one = [], []
    assert _parse(body, True, seen_halves) == _parse(body, False, seen_one)
    assert used == [True]
    tokens, env = _parse(body, True)
    assert env["ref_links"]["G0"]["url"] == "https://a.example/0"             # the first definition wins
    assert "LATE" in env["ref_links"] and "G2" not in env["ref_links"]
    assert sorted(t["raw"] for t in seen_halves if t["type"] == "block_code") == \
        sorted(t["raw"] for t in seen_one if t["type"] == "block_code")        # every code block is seen


def test_a_cut_inside_an_unclosed_construct_is_refused(forking):
    md = create_markdown()
    text = "# One\n\n```\ncode\n\n## Not a heading\n\nstill code\n```\n\n## Two\n\ntext\n"
    p = text.index("## Not")
    cut = (p, len("## Not a heading\n"))
    assert halves.parse_in_halves(md, text, {}, cut, block_pass, inline_pass, None) is None
    q = text.index("## Two")
    result = halves.parse_in_halves(md, text, {}, (q, len("## Two\n")), block_pass, inline_pass, None)
    assert result is not None and result[0] == parse_tokens(md, text)[0]


def test_a_failed_second_process_leaves_the_parse_here(forking, monkeypatch):
    monkeypatch.setattr(halves, "_second_half", lambda *args: os._exit(3))
    body = "\n".join(f"## Slide {i}\n\ntext {i}\n" for i in range(30))
    assert _parse(body, True) == _parse(body, False)


def test_find_cut_skips_lines_inside_fences_and_comments():
    text = "a\n\n```\n\n## in code\n```\n\n<!--\n\n## in comment\n-->\n\n## real\n\nb\n"
    p, length = halves.find_cut("x" * 3 + text)
    assert ("x" * 3 + text)[p:p + length] == "## real\n"
    assert halves.find_cut("no slide start at all\n" * 10) is None


@pytest.mark.parametrize("deck", DECKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_any_cut_gives_the_tokens_of_one_parse_or_is_refused(deck, forking):
    # every line that looks like a slide start, wherever it is (in code, comments, lists, quotes...)
    import re
    text = read_source(deck, Diagnostics()).body
    text += "" if text.endswith("\n") else "\n"
    md = create_markdown()
    whole = parse_tokens(md, text, {})[0]
    starts = [m.start(1) for m in re.finditer(r"(?:^|\n)(\s*(?:---|#{1,6} )[^\n]*\n)", text)][:12]
    for p in starts:
        length = text.index("\n", p) + 1 - p
        result = halves.parse_in_halves(md, text, {}, (p, length), block_pass, inline_pass, None)
        assert result is None or result[0] == whole, (p, text[p:p + length])
