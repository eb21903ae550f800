"""A deck's last parse, kept in the cache: a rebuild after an edit parses only the slides around it.

A speaker edits one slide and builds again; mistune's parse of the whole body was a sixth of what a fresh
`slidekit build` of the seed deck adds to Python's start. The tokens of the deck file's last parse are kept
(cache namespace "parse", one entry per deck file), with the text they came from. The next parse of that
file compares the two texts and parses again only from the last slide boundary before the first changed
character to the first boundary after the last one; the tokens before and after come from the entry.

A boundary is what parse_ahead.py splits a long deck at, with the same guarantees: a heading or `---` line
after a blank line, where the old parse had a top-level token of its own. There the block parser is at the
top level with nothing open, and what follows does not depend on what came before; what comes before does
not depend on what follows, since every construct that could run past the boundary (a fence, an HTML or
maths block) had ended before it. So:

- the tokens up to the boundary before the change are those of the old parse: the text up to the end of
  that boundary's line is the same;
- the changed part is parsed from the end of that line, with the same rules over the whole new text, up
  to the end of the first boundary line after the change, and kept only if its last token is that
  boundary, at the top level (an edit that opens a fence or a comment runs across it: the new text is
  then parsed whole);
- the tokens after that boundary are those of the old parse, their offsets moved by the change in length:
  the text from there on is the same;
- a link reference definition (`[label]: url`) reaches the whole document: the changed part is parsed
  with the old parse's definitions, and only if it holds none in either version (no "]:"), so that the
  definitions are the same as before;
- a maths block (`$$` lines) is the one construct that becomes something else when its closing line is
  added: a `$$` left open before the boundary is a paragraph, and a `$$` line typed after the boundary
  would make it a block running across it. A changed part that holds `$$` in either version is parsed
  whole. (An unclosed fence or HTML block runs to the end of the text: the old parse had no boundary
  after it.) A text with other front-matter is parsed whole too.

The tokens are those of a whole parse, offsets included (tests/test_parse_memo.py: random edits of random
Markdown and of every deck of the corpus). A damaged or missing entry, or the cache turned off, means a
whole parse.
"""

from __future__ import annotations

import marshal
import re

from . import parse_ahead
from .parse_ahead import BOUNDARY_LINE, Split, ends_at_boundary

_BOUNDARY_LINE = re.compile(BOUNDARY_LINE)      # (after a blank line: an ATX heading or a thematic break)
_BOUNDARY_TYPES = ("heading", "thematic_break")
# what makes a parse: the modules whose code shapes the tokens
_PARSER_MODULES = ("mistune", "slidekit.markdown", "slidekit.markdown.positions", "slidekit.markdown.math",
                   "slidekit.markdown.emoji", "slidekit.markdown.markdoc", "slidekit.markdown.parse_memo")
_FORMAT = 1
# What a changed part must not hold, in either version, to be parsed alone: a link definition, which reaches
# every slide, and a maths block's `$$`, which may close a block opened before the boundary.
_WHOLE_TEXT_MARKERS = ("]:", "$$")
# Hooks that run over a parse's tokens one by one, so over a part as over the whole (mistune's task lists
# turn a `[x]` item into a task item): any other hook means a whole parse.
_TOKEN_BY_TOKEN_HOOKS = {("mistune.plugins.task_lists", "task_lists_hook")}


class ParseMemo:
    """The cache entry of one deck file's last parse: `reparse` a new text from it, `keep` a new parse."""

    def __init__(self, slot: str) -> None:
        self.slot = slot            # which deck file (its path)
        self._entry = None          # (env, text, tokens as marshal bytes), once loaded
        self._loaded = False

    def _key(self) -> str:
        from .. import cache
        return cache.digest("parse-memo", cache.code_key(*_PARSER_MODULES), self.slot)

    def _load(self):
        if not self._loaded:
            self._loaded = True
            from .. import cache
            try:
                data = cache.get_bytes("parse", self._key())
                entry = marshal.loads(data) if data is not None else None
                if type(entry) is tuple and len(entry) == 4 and entry[0] == _FORMAT:
                    self._entry = entry[1:]
            except Exception:  # noqa: BLE001 - a damaged entry: a whole parse
                self._entry = None
        return self._entry

    def covers(self, env: dict) -> bool:
        """Whether a parse with this env may come from the entry (then a long deck is not split first:
        parse_ahead.py)."""
        entry = self._load()
        return entry is not None and entry[0] == repr(env)

    def reparse(self, md, text: str, env: dict):
        """The state of `text` parsed from the entry, or None (no entry, or the change is not between two
        boundaries: the caller parses it whole)."""
        if not self.covers(env) or md.before_parse_hooks or not all(
                (hook.__module__, hook.__name__) in _TOKEN_BY_TOKEN_HOOKS for hook in md.before_render_hooks):
            return None
        _, old_text, data = self._entry
        try:
            old, ref_links = marshal.loads(data)
        except Exception:  # noqa: BLE001
            return None
        if type(old) is not list or type(ref_links) is not dict:
            return None
        env = {**env, "ref_links": ref_links}
        tokens = merge_reparse(md, old_text, old, text, env)
        if tokens is None:
            return None
        state = md.block.state_cls()
        state.env.update(env)
        state.process(text)
        state.tokens = tokens
        state.cursor = state.cursor_max = len(text)
        return state

    def keep(self, text: str, env: dict, tokens: list, ref_links: dict) -> None:
        """Keep this parse for the next build (tokens as the parse left them: they are copied here), with
        the link reference definitions it found."""
        entry = self._entry if self._loaded else None
        if entry is not None and entry[1] == text and entry[0] == repr(env):
            return                          # the same text, parsed as before: the entry is this parse
        from .. import cache
        try:
            data = marshal.dumps((tokens, ref_links))
            cache.put_bytes("parse", self._key(), marshal.dumps((_FORMAT, repr(env), text, data)))
        except (ValueError, TypeError):     # a token holding a value marshal does not store: no entry
            return


def merge_reparse(md, old_text: str, old: list[dict], text: str, env: dict) -> list[dict] | None:
    """The tokens of `text`: the old parse's (of `old_text`) outside the changed slides, which are parsed
    again with `env` (holding the old parse's `ref_links`); None where the change is not between
    boundaries the old parse had, or where a link definition may have changed."""
    if text == old_text:
        return old
    if any(type(tok) is not dict or type(tok.get("_pos")) is not int for tok in old):
        return None
    same_start = _common_prefix(old_text, text)
    same_end = _common_suffix(old_text, text, min(len(old_text), len(text)) - same_start)
    shift = len(text) - len(old_text)
    first_changed_old = len(old_text) - same_end          # the unchanged end starts here in the old text
    # the last boundary whose line ends before the first change, and the first one after the last change
    head = 0               # old tokens kept before the changed part
    start = 0              # where the changed part's parse starts (the end of that boundary's line)
    tail = None            # index of the old boundary token after the change
    tail_end = None        # the end of its line, in the old text
    for index, tok in enumerate(old):
        pos = tok["_pos"]
        if tok["type"] not in _BOUNDARY_TYPES:
            continue
        line_end = _boundary_line_end(old_text, pos)
        if line_end is None:
            continue
        if line_end <= same_start:
            head, start = index + 1, line_end
        elif pos - 2 >= first_changed_old:
            tail, tail_end = index, line_end
            break
    # that boundary in the new text (None: the change is in the last slide, parsed to the end)
    split = None if tail is None else Split(old[tail]["_pos"] + shift, tail_end + shift)
    stop = None if split is None else split.end
    changed, was = text[start:stop], old_text[start:tail_end]
    if any(marker in changed or marker in was for marker in _WHOLE_TEXT_MARKERS):
        return None
    state = parse_ahead.parse_from(md, text, env, start, stop)
    if split is not None:
        if not ends_at_boundary(state, split):
            return None
        moved = old[tail + 1:]
        for tok in moved:
            tok["_pos"] += shift
    else:
        moved = []
    return old[:head] + state.tokens + moved


def _boundary_line_end(text: str, pos: int) -> int | None:
    """The end of the boundary line at `pos` (after its newline), or None if `pos` is not a boundary."""
    if pos < 2 or text[pos - 2:pos] != "\n\n":
        return None
    m = _BOUNDARY_LINE.match(text, pos)
    return m.end() if m else None


def _common_prefix(a: str, b: str) -> int:
    """The length of the longest common prefix (compared by halves, at C speed)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[low:middle] == b[low:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _common_suffix(a: str, b: str, limit: int) -> int:
    """The length of the longest common suffix, at most `limit`."""
    low, high = 0, max(0, limit)
    while low < high:
        middle = (low + high + 1) // 2
        if a[len(a) - middle:len(a) - low] == b[len(b) - middle:len(b) - low]:
            low = middle
        else:
            high = middle - 1
    return low
