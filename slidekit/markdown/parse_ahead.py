"""A long deck's Markdown parsed in two parts at once: the second in a forked process (HTML builds).

mistune's parse is half of a long deck's HTML build (a 1,000-slide deck: ~0.2 s of ~0.4 s) and it runs on
one CPU. A slide boundary near the middle of the body splits it in two parts that parse independently:

- the boundary is a heading or a `---` line after a blank line: there, the block parser is at the top level
  with nothing open, and what follows does not depend on what came before (a rule looks back only for a
  paragraph, to continue it);
- this process parses up to the end of that line. Its rules read the whole text, so they decide as the
  whole parse would; the boundary is taken only if the last token is that heading or break, at that very
  offset, at the top level (a fence, an HTML block or a maths block that runs across it takes it in:
  then the whole body is parsed here, as without a split);
- the forked process parses from there to the end, with the same rules, and sends its tokens back;
- link reference definitions (`[label]: url`) reach the whole document: a body that may hold one is not
  split.

The tokens are the same as those of one parse (tests/test_parse_ahead.py), offsets included.

The forked process is the one that then colours the deck's code (render/code_ahead.py): the second CPU
first parses, then loads Pygments' lexers. Two helpers running at once would take CPU time from this
process's own half.
"""

from __future__ import annotations

import os
import re
from typing import Callable

from ..pipes import can_fork, read_message, write_message

# Below this (~370 generated slides), half a parse saves little more than the fork and the transfer cost
# with the code's colouring (bench: the 200-slide deck was slower split, the 1,000-slide one faster).
MIN_SPLIT_CHARS = 100_000
# A slide boundary: a line that is an ATX heading or a thematic break, after a blank line (the line's pattern
# is also parse_memo.py's).
BOUNDARY_LINE = r"(?:#{1,6}[ \t][^\n]*|#{1,6}|(?:---|\*\*\*|___)[ \t]*)\n"
_BOUNDARY = re.compile(r"\n\n(" + BOUNDARY_LINE + ")")
# The forked process also sends its tokens: it takes a little less than half.
SPLIT_AT = 0.53


class Split:
    """Where a text is cut. (A plain class: a dataclass costs this module a millisecond of import, paid
    by every HTML build.)"""

    __slots__ = ("start", "end")

    def __init__(self, start: int, end: int) -> None:
        self.start = start      # the boundary line's first character
        self.end = end          # after its newline: where the forked process starts

    def __repr__(self) -> str:
        return f"Split(start={self.start}, end={self.end})"


def find_split(text: str) -> Split | None:
    """The first boundary after SPLIT_AT of `text`, or None (a short text, or one with link definitions)."""
    if len(text) < MIN_SPLIT_CHARS or "]:" in text:
        return None
    m = _BOUNDARY.search(text, int(len(text) * SPLIT_AT))
    return Split(m.start(1), m.end(1)) if m else None


def parse_from(md, text: str, env: dict, start: int, stop: int | None = None):
    """The block state of `text` parsed from offset `start` to `stop` (the end by default), with its
    inline children parsed. The rules see the whole text either way."""
    from . import inline_pass
    state = md.block.state_cls()
    state.env.update(env)
    state.process(text)
    state.cursor = start
    if stop is not None:
        state.cursor_max = stop
    for hook in md.before_parse_hooks:
        hook(md, state)
    md.block.parse(state)
    state.tokens = inline_pass(md, state)
    return state


def ends_at_boundary(state, split: Split) -> bool:
    """Whether the first part's parse ended with a top-level token of its own at the boundary (only
    top-level tokens have `_pos`; a line that starts one there is a heading or a break), and stopped
    right after it."""
    last = state.tokens[-1] if state.tokens else None
    return last is not None and last.get("_pos") == split.start and state.cursor == split.end


class ParseAhead:
    """The second part of a text, parsed by a forked process while this one parses the first."""

    def __init__(self) -> None:
        self.text: str | None = None
        self.split: Split | None = None
        self._read_end: int | None = None
        self._write_end: int | None = None

    def plan(self, text: str, env: dict, make_markdown: Callable):
        """The job for the process about to be forked: parse the second part of `text` with
        `make_markdown()` and send its tokens. None if a split does not pay."""
        if not text.endswith("\n"):
            text += "\n"       # (as parse_tokens has it)
        split = find_split(text)
        if split is None or not can_fork():
            return None
        try:
            read_end, write_end = os.pipe()
        except OSError:
            return None
        self.text, self.split, self._read_end, self._write_end = text, split, read_end, write_end

        def job() -> None:
            os.close(read_end)
            try:
                write_message(write_end, parse_from(make_markdown(), text, env, split.end).tokens)
            except Exception:   # noqa: BLE001 - the parent parses it all if no answer comes
                pass
            finally:
                os.close(write_end)
        return job

    def forked(self, started: bool) -> None:
        """In this process, once the job's process is forked (or could not be)."""
        fd, self._write_end = self._write_end, None
        if fd is not None:
            os.close(fd)
        if not started:
            self.close()

    def tokens_for(self, md, text: str, env: dict):
        """The state of the whole `text` parsed in two parts, or None if no forked process is parsing this
        text or the boundary turns out not to be one (the caller then parses it all)."""
        if self._read_end is None or text != self.text:
            return None
        state = parse_from(md, text, env, 0, self.split.end)
        tail = self._receive() if ends_at_boundary(state, self.split) else None
        self.close()
        if tail is None:
            return None
        state.tokens += tail
        state.cursor = state.cursor_max = len(text)
        return state

    def _receive(self):
        import pickle
        try:
            return read_message(self._read_end)
        except (OSError, EOFError, pickle.UnpicklingError):
            return None

    def close(self) -> None:
        """Close this end of the pipe (the process is the code colourer's, which waits for it)."""
        self.text = None
        for name in ("_read_end", "_write_end"):
            fd = getattr(self, name)
            if fd is not None:
                setattr(self, name, None)
                os.close(fd)
