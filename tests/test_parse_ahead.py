"""A long deck's Markdown parsed in two parts, the second by a forked process (markdown/parse_ahead.py):
the same tokens as one parse, offsets included, or no split at all."""

from __future__ import annotations

import importlib.util
import os
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from slidekit import pipes
from slidekit.api import BuildOptions, build_text
from slidekit.markdown import create_markdown, parse_tokens
from slidekit.markdown import parse_ahead
from slidekit.markdown.parse_ahead import ParseAhead, Split, ends_at_boundary, find_split, parse_from
from slidekit.render.code_ahead import CodeAhead

REPO = Path(__file__).resolve().parents[1]


def _gen_deck(n: int) -> str:
    spec = importlib.util.spec_from_file_location("gen_deck", REPO / "bench" / "gen_deck.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.deck_text(n)


def whole(text: str) -> list[dict]:
    return parse_tokens(create_markdown(), text)[0]


def split_parse(text: str, split: Split) -> list[dict] | None:
    """The two parts put together as ParseAhead does, or None where it refuses the boundary."""
    head = parse_from(create_markdown(), text, {}, 0, split.end)
    if not ends_at_boundary(head, split):
        return None
    return head.tokens + parse_from(create_markdown(), text, {}, split.end).tokens


def boundaries(text: str) -> list[Split]:
    """Every candidate boundary (they may overlap: `## a` then `## b` after one blank line)."""
    found, pos = [], 0
    while (m := parse_ahead._BOUNDARY.search(text, pos)) is not None:
        found.append(Split(m.start(1), m.end(1)))
        pos = m.start(1)
    return found


def body(text: str) -> str:
    text = text if text.endswith("\n") else text + "\n"
    return text.split("\n---\n", 1)[1] if text.startswith("---\n") else text


# Pieces of Markdown, among them every construct that can run across a blank line and a heading.
FRAGMENTS = [
    "# Title", "## Heading", "###### Six", "#", "---", "***", "___", "Plain paragraph text",
    "setext heading\n---", "text\n## heading after text", "    ## indented: code",
    "- item\n- item", "1. one\n2. two", "- item\n\n  ## in the item", "- item\n\n## after the list",
    "> quote\n> more", "> quote\n\n## after the quote", "> ```\n> ## in a quoted fence",
    "```python\ncode\n\n## not a heading\n```", "```\nan unclosed fence", "~~~\n\n# in a tilde fence\n~~~",
    "<!--\ncomment\n\n## inside the comment\n-->", "<!-- one line -->", "<!-- _class: lead -->",
    "<div>\n\n## in html\n</div>", "<script>\n\n## x\n</script>", "<style>\n\n## x\n</style>", "<pre>",
    "$$\nx^2\n\n## in maths\n$$", "$$", "    indented code", "| a | b |\n|---|---|\n| 1 | 2 |",
    "Text with *emphasis*, `code` and **strong**", "[a link](https://example.com)", "![bg right](img.png)",
    "- [ ] a task\n- [x] done", "",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=12), st.sampled_from(["\n\n", "\n", "\n\n\n"]))
def test_a_split_taken_gives_the_tokens_of_one_parse(pieces, joiner):
    text = joiner.join(pieces) + "\n"
    expected = None
    for split in boundaries(text):
        tokens = split_parse(text, split)
        if tokens is not None:
            expected = expected or whole(text)
            assert tokens == expected, split


@pytest.mark.parametrize("trap", [
    "```python\ncode\n\n## x\n```", "~~~\n\n## x\n~~~", "<!--\nnote\n\n## x\n-->", "<script>\n\n## x\n</script>",
    "$$\nx^2\n\n## x\n$$", "<pre>\n\n## x\n</pre>", "<?php\n\n## x\n?>", "```\nunclosed\n\n## x",
])
def test_a_boundary_inside_a_block_is_refused_and_one_after_it_taken(trap):
    text = f"# Before\n\nSome text.\n\n{trap}\n\nAfter.\n\n## After\n\nMore text.\n"
    inside = next(s for s in boundaries(text) if text[s.start:s.end] == "## x\n")
    assert split_parse(text, inside) is None
    after = next(s for s in boundaries(text) if text[s.start:s.end] == "## After\n")
    if "unclosed" in trap:     # the fence runs to the end: nothing after it is a boundary
        assert split_parse(text, after) is None
    else:
        assert split_parse(text, after) == whole(text)


def _repo_decks() -> list[Path]:
    found = [p for folder in ("decks", "examples", "tests/fixtures") for p in (REPO / folder).rglob("*.md")]
    return sorted(p for p in found if p.stat().st_size > 200)


@pytest.mark.parametrize("path", _repo_decks(), ids=lambda p: str(p.relative_to(REPO)))
def test_every_boundary_of_the_repositorys_decks(path):
    text = body(path.read_text(encoding="utf-8"))
    if "]:" in text:    # link definitions reach the whole document: such a deck is never split
        assert find_split(text + "x" * parse_ahead.MIN_SPLIT_CHARS) is None
        return
    taken = 0
    for split in boundaries(text):
        tokens = split_parse(text, split)
        if tokens is not None:
            taken += 1
            assert tokens == whole(text), split
    if len(boundaries(text)) >= 3:
        assert taken, "no boundary taken in a deck that has several"


def test_where_a_text_is_split():
    long_text = _gen_deck(400)
    split = find_split(long_text)
    assert split is not None and split.start > len(long_text) // 2
    assert long_text[split.start - 2:split.start] == "\n\n" and long_text[split.start:split.start + 3] == "## "
    assert find_split(long_text[:50_000]) is None                                # short: not worth a fork
    assert find_split(long_text + "\n[ref]: https://example.com\n") is None     # a link definition
    assert find_split("x\n" * 60_000) is None                                   # no boundary


@pytest.fixture
def two_cpus(monkeypatch):
    monkeypatch.setattr(pipes, "usable_cpus", lambda: 2)
    monkeypatch.setattr(threading, "active_count", lambda: 1)


def _forked_parse(text: str) -> tuple[list[dict] | None, CodeAhead]:
    """As api.build_source does it: the job runs first in the code's forked process."""
    ahead = ParseAhead()
    job = ahead.plan(text, {}, create_markdown)
    assert job is not None
    code = CodeAhead()
    ahead.forked(code.prepare(text, first=job))
    state = ahead.tokens_for(create_markdown(), text, {})
    return (state.tokens if state is not None else None), code


def test_the_forked_process_parses_the_second_part(two_cpus):
    text = _gen_deck(400)
    tokens, code = _forked_parse(text)
    try:
        assert code._pid is not None
        assert tokens == whole(text)
    finally:
        code.close()
    assert code._pid is None


def test_a_forked_process_that_dies_leaves_the_parse_here(two_cpus, monkeypatch, tmp_path):
    text = _gen_deck(400)
    monkeypatch.setattr(parse_ahead, "write_message", lambda fd, obj: os._exit(3))
    tokens, code = _forked_parse(text)
    code.close()
    assert tokens is None                     # parse_tokens then parses it all
    assert parse_tokens(create_markdown(), text, ahead=ParseAhead())[0] == whole(text)


def test_a_build_split_or_not_writes_the_same_bytes(two_cpus, monkeypatch, tmp_path):
    text = _gen_deck(400)
    seen = []
    tokens_for = ParseAhead.tokens_for

    def spy(self, *args):
        state = tokens_for(self, *args)
        seen.append(state is not None)
        return state
    monkeypatch.setattr(ParseAhead, "tokens_for", spy)
    (tmp_path / "images").mkdir()
    split = build_text(text, BuildOptions(format="html"), folder=tmp_path)
    assert seen == [True]
    monkeypatch.setattr(parse_ahead, "MIN_SPLIT_CHARS", 10**9)
    whole_build = build_text(text, BuildOptions(format="html"), folder=tmp_path)
    assert seen == [True, False]
    assert split.output == whole_build.output
    assert [str(d) for d in split.diagnostics] == [str(d) for d in whole_build.diagnostics]
