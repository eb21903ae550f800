"""A deck's last parse kept in the cache (markdown/parse_memo.py): after an edit, only the slides around it
are parsed again, and the tokens are those of a whole parse of the new text, offsets included; an edit it
cannot place between two boundaries means a whole parse. Builds with and without it give the same bytes."""

from __future__ import annotations

import marshal
import random
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from process_helpers import cache_env
from slidekit.markdown import create_markdown, parse_tokens
from slidekit.markdown.parse_memo import ParseMemo, _common_prefix, _common_suffix, merge_reparse
from slidekit.source import parse_source

from test_parse_ahead import FRAGMENTS, _repo_decks

REPO = Path(__file__).resolve().parents[1]


def whole(text: str, env: dict | None = None) -> list[dict]:
    return parse_tokens(create_markdown(), text, env)[0]


def reparsed(old_text: str, text: str, env: dict | None = None) -> list[dict] | None:
    """The tokens of `text` from the whole parse of `old_text` (a copy, as the cache gives it back), with
    the link definitions that parse found, as ParseMemo.reparse does."""
    tokens, state = parse_tokens(create_markdown(), old_text, env)
    old = marshal.loads(marshal.dumps(tokens))
    env = {**(env or {}), "ref_links": marshal.loads(marshal.dumps(state.env.get("ref_links") or {}))}
    return merge_reparse(create_markdown(), old_text, old, text, env)


def _body(path: Path) -> str:
    text = parse_source(path.read_text(encoding="utf-8")).body
    return text if text.endswith("\n") else text + "\n"


def test_common_prefix_and_suffix():
    assert _common_prefix("abcdef", "abcxef") == 3 and _common_prefix("", "a") == 0
    assert _common_prefix("same", "same") == 4 and _common_prefix("ab", "abc") == 2
    assert _common_suffix("abcdef", "abcxef", 3) == 2 and _common_suffix("xyz", "xyz", 1) == 1
    assert _common_suffix("aaa", "aaaa", 3 - _common_prefix("aaa", "aaaa")) == 0      # never overlapping


SEED = "# One\n\nText of one.\n\n---\n\n## Two\n\n- a\n- b\n\n---\n\n## Three\n\n```python\nx = 1\n```\n\n---\n\n## Four\n\nEnd.\n"


def test_an_edit_inside_one_slide_is_parsed_again_alone():
    text = SEED.replace("- b", "- b, edited")
    old = marshal.loads(marshal.dumps(whole(SEED)))
    seen = []
    md = create_markdown()
    from slidekit.markdown import parse_ahead
    real = parse_ahead.parse_from

    def spy(md, text, env, start, stop=None):
        seen.append(text[start:stop])
        return real(md, text, env, start, stop)
    parse_ahead.parse_from = spy
    try:
        tokens = merge_reparse(md, SEED, old, text, {})
    finally:
        parse_ahead.parse_from = real
    assert tokens == whole(text)
    assert seen == ["\n- a\n- b, edited\n\n---\n"]      # from the heading before the edit to the break after


@pytest.mark.parametrize("edit", [
    lambda t: t.replace("Text of one.", "Text of one, longer."),        # the first slide
    lambda t: t.replace("End.", "The end, edited."),                    # the last: parsed to the end
    lambda t: t.replace("## Three", "## Three and a half"),             # a boundary line itself
    lambda t: t.replace("\n\n---\n\n## Four", "\n\n## Four"),           # a break taken away
    lambda t: t.replace("- a\n", "- a\n\n---\n\n## Inserted\n\n"),      # a slide added
    lambda t: t.replace("x = 1\n```", "x = 1\n"),                       # an unclosed fence: runs to the end
    lambda t: t.replace("- b\n", "- b\n<!--\n"),                        # a comment left open
    lambda t: t.replace("- b\n", "- b\n\n```\n"),                       # a fence opened before a break
    lambda t: t.replace("Text of one.", "$$\nx\n"),                     # a maths block left open
    lambda t: t.replace("End.", "End.\n\n[a]: https://example.com"),    # a link definition: whole parse
    lambda t: t.replace("End.", "End.\n\n$$"),                         # closes the $$ opened below
    lambda t: t.replace("- b\n", "- b\n\n$$\nx\n$$\n"),                 # a maths block of its own
    lambda t: t + "\n## Five\n",
    lambda t: "",
    lambda t: t,
])
def test_edits_give_the_tokens_of_a_whole_parse(edit):
    text = edit(SEED)
    text = text if text.endswith("\n") else text + "\n"
    tokens = reparsed(SEED, text)
    if "]:" in text or "$$" in text:
        assert tokens is None       # a link definition or a maths block added
    if tokens is not None:
        assert tokens == whole(text)


LINKED = ("# One\n\nSee [the guide][guide].\n\n---\n\n## Two\n\nText.\n\n---\n\n## Three\n\n"
          "[guide]: https://example.com/guide\n[Guide]: https://example.com/second\n")


@pytest.mark.parametrize("edit, parsed_in_part", [
    (lambda t: t.replace("Text.", "Text with [a link][guide] and [another][GUIDE]."), True),
    (lambda t: t.replace("See [the", "See now [the"), True),
    (lambda t: t.replace("https://example.com/guide", "https://example.com/moved"), False),
    (lambda t: t.replace("[guide]: https://example.com/guide\n", ""), False),
    (lambda t: t.replace("Text.", "Text.\n\n[text]: https://example.com/text"), False),
])
def test_link_definitions_elsewhere_reach_the_changed_slide(edit, parsed_in_part):
    text = edit(LINKED)
    tokens = reparsed(LINKED, text)
    assert (tokens is not None) == parsed_in_part
    if tokens is not None:
        assert tokens == whole(text)


def test_a_maths_block_left_open_before_the_change_and_closed_by_it():
    # found by Hypothesis: the old `$$` is a paragraph, and the `$$` typed at the end makes it a block that
    # runs across the boundary before the change
    old_text = "# Title\n\n# Title\n\n$$\n\n# Title\n"
    for text in (old_text + "$$\n", old_text + "\n$$\n", old_text.replace("# Title\n", "# Title\n$$\n", 1)):
        tokens = reparsed(old_text, text)
        assert tokens is None or tokens == whole(text)
    assert whole(old_text + "\n$$\n")[4]["type"] == "block_math"      # (what a part parsed alone missed)


FRAGMENT_TEXT = st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=10)
JOINER = st.sampled_from(["\n\n", "\n", "\n\n\n"])


@settings(max_examples=1000, deadline=None)
@given(FRAGMENT_TEXT, JOINER, st.data())
def test_random_edits_of_random_markdown(pieces, joiner, data):
    old_text = joiner.join(pieces) + "\n"
    # an edit: a fragment put in, taken out or replaced, or characters typed or deleted anywhere
    kind = data.draw(st.sampled_from(["insert", "delete", "replace", "type", "cut"]))
    new_pieces = list(pieces)
    if kind == "insert":
        new_pieces.insert(data.draw(st.integers(0, len(pieces))), data.draw(st.sampled_from(FRAGMENTS)))
    elif kind == "delete":
        del new_pieces[data.draw(st.integers(0, len(pieces) - 1))]
    elif kind == "replace":
        new_pieces[data.draw(st.integers(0, len(pieces) - 1))] = data.draw(st.sampled_from(FRAGMENTS))
    text = joiner.join(new_pieces) + "\n"
    if kind in ("type", "cut"):
        at = data.draw(st.integers(0, len(old_text)))
        typed = data.draw(st.sampled_from(["x", "\n", "\n\n", "#", "`", "```", "<!--", "-->", "$$", "- ", "---"]))
        length = data.draw(st.integers(0, 6))
        text = old_text[:at] + (typed if kind == "type" else "") + old_text[at + (length if kind == "cut" else 0):]
        text = text if text.endswith("\n") else text + "\n"
    tokens = reparsed(old_text, text)
    if tokens is not None:
        assert tokens == whole(text)


def _deck_edits(text: str, rng: random.Random, count: int) -> list[str]:
    """Edits a speaker makes: words typed, lines deleted, a slide added or taken away, a fence or a comment
    opened; anywhere in the text."""
    edits = []
    lines = text.split("\n")
    for _ in range(count):
        kind = rng.randrange(5)
        i = rng.randrange(len(lines))
        new = list(lines)
        if kind == 0:
            new[i] += rng.choice([" edited", "!", " **bold**", " `code`", " $x$"])
        elif kind == 1:
            del new[i]
        elif kind == 2:
            new[i:i] = ["", "---", "", "## Added", "", "A new slide."]
        elif kind == 3:
            new[i:i] = [rng.choice(["```", "<!--", "$$", "<div>", "- item", "> quote", "# Heading", "---"])]
        else:
            at = rng.randrange(len(text))
            edits.append(text[:at] + text[at + rng.randrange(1, 40):])
            continue
        edits.append("\n".join(new))
    return [e if e.endswith("\n") else e + "\n" for e in edits]


@pytest.mark.parametrize("path", _repo_decks(), ids=lambda p: str(p.relative_to(REPO)))
def test_edits_of_every_deck_of_the_repository(path):
    text = _body(path)
    env = {"front_matter": parse_source(path.read_text(encoding="utf-8")).front_matter or {}}
    old, state = parse_tokens(create_markdown(), text, env)
    data = marshal.dumps((old, state.env.get("ref_links") or {}))
    used = 0
    for new in _deck_edits(text, random.Random(str(path.name)), 12):
        old, ref_links = marshal.loads(data)
        tokens = merge_reparse(create_markdown(), text, old, new, {**env, "ref_links": ref_links})
        if tokens is not None:
            used += 1
            assert tokens == whole(new, env)
    if text.count("\n\n---\n") >= 4:
        assert used, "no edit parsed in part in a deck of several slides"


def test_the_entry_is_used_only_for_its_deck_front_matter_and_text(tmp_path, monkeypatch):
    monkeypatch.setenv("SLIDEKIT_CACHE_DIR", str(tmp_path / "cache"))
    md = create_markdown()
    env = {"front_matter": {"title": "x"}}
    first = ParseMemo("/decks/a.md")
    tokens, _ = parse_tokens(md, SEED, env, memo=first)
    edited = SEED.replace("End.", "The end.")
    assert ParseMemo("/decks/a.md").reparse(md, edited, env) is not None
    assert ParseMemo("/decks/a.md").reparse(md, edited, {"front_matter": {"title": "y"}}) is None
    assert ParseMemo("/decks/b.md").reparse(md, edited, env) is None
    assert ParseMemo("/decks/a.md").reparse(md, edited + "\n[l]: https://example.com\n", env) is None
    # what parse_tokens gives through the entry is a whole parse's, and the entry follows the last parse
    memo = ParseMemo("/decks/a.md")
    assert parse_tokens(md, edited, env, memo=memo)[0] == whole(edited, env)
    assert ParseMemo("/decks/a.md").reparse(md, edited, env).tokens == whole(edited, env)


def test_a_damaged_entry_means_a_whole_parse(tmp_path, monkeypatch):
    from slidekit import cache
    monkeypatch.setenv("SLIDEKIT_CACHE_DIR", str(tmp_path / "cache"))
    md = create_markdown()
    memo = ParseMemo("/decks/a.md")
    parse_tokens(md, SEED, {}, memo=memo)
    key = memo._key()
    cache.put_bytes("parse", key, b"not marshal data")
    assert ParseMemo("/decks/a.md").reparse(md, SEED + "x\n", {}) is None
    cache.put_bytes("parse", key, marshal.dumps((1, repr({}), SEED, b"\x00broken")))
    assert ParseMemo("/decks/a.md").reparse(md, SEED + "x\n", {}) is None
    cache.put_bytes("parse", key, marshal.dumps((1, repr({}), SEED, marshal.dumps(([], "not a dict")))))
    assert ParseMemo("/decks/a.md").reparse(md, SEED + "x\n", {}) is None
    edited = SEED + "x\n"
    assert parse_tokens(md, edited, {}, memo=ParseMemo("/decks/a.md"))[0] == whole(edited)


def _build(deck: Path, out: Path, cache: Path | None) -> bytes:
    subprocess.run([sys.executable, "-m", "slidekit", "build", str(deck), "-o", str(out), "-q"],
                   cwd=REPO, env=cache_env(cache), check=True)
    return out.read_bytes()


def test_rebuilds_after_edits_give_the_bytes_of_a_build_without_cache(tmp_path):
    folder = tmp_path / "deck"
    import shutil
    shutil.copytree(REPO / "decks" / "mlops-guide", folder)
    deck = folder / "slides.md"
    text = deck.read_text(encoding="utf-8")
    cache = tmp_path / "cache"
    _build(deck, tmp_path / "first.html", cache)
    assert list((cache / "parse").rglob("*")), "no parse kept"
    for number, new in enumerate(_deck_edits(text, random.Random(7), 4)):
        deck.write_text(new, encoding="utf-8")
        cached = _build(deck, tmp_path / f"cached{number}.html", cache)
        assert cached == _build(deck, tmp_path / f"plain{number}.html", None), number


def test_the_same_text_again_is_not_written_again(tmp_path, monkeypatch):
    from slidekit import cache
    monkeypatch.setenv("SLIDEKIT_CACHE_DIR", str(tmp_path / "cache"))
    md = create_markdown()
    parse_tokens(md, SEED, {}, memo=ParseMemo("/decks/a.md"))
    written = []
    real = cache.put_bytes
    monkeypatch.setattr(cache, "put_bytes", lambda *args: written.append(args[:2]) or real(*args))
    assert parse_tokens(md, SEED, {}, memo=ParseMemo("/decks/a.md"))[0] == whole(SEED)
    assert written == []
    edited = SEED.replace("End.", "The end.")
    assert parse_tokens(md, edited, {}, memo=ParseMemo("/decks/a.md"))[0] == whole(edited)
    assert [namespace for namespace, _ in written] == ["parse"]
