"""HTML comments as Marpit reads them (markdown/comment.js): they are directives or notes, never output.

A block that starts with `<!--` is one comment token up to the line holding `-->`, and all of it is
hidden, text after the `-->` included. Inline, a comment runs from `<!--` to the first `-->` after it, so
`<!-->` and `<!--->` (whole comments for CommonMark) do not end there: `foo <!--> bar -->` shows `foo`.
"""

from __future__ import annotations

import re
from bisect import bisect_left

import mistune

_COMMENT_BLOCK = re.compile(r"[ \t]*<!--")


def is_comment_block(raw: str) -> bool:
    """An HTML block Marpit reads as a comment (all of it hidden)."""
    return _COMMENT_BLOCK.match(raw) is not None


def _comment_end(state, pos: int) -> int:
    """The first `-->` at or after `pos` in the state's text, or -1. The places are found once per text:
    a search from each `<!--` would rescan to the end for every unclosed one (quadratic)."""
    found = getattr(state, "_sk_comment_ends", None)
    if found is None or found[0] is not state.src:
        found = (state.src, [m.start() for m in re.finditer("-->", state.src)])
        state._sk_comment_ends = found
    ends = found[1]
    index = bisect_left(ends, pos)
    return ends[index] if index < len(ends) else -1


def _parse_inline_comment(inline, m: re.Match, state) -> int | None:
    end = _comment_end(state, m.start() + 4)
    if end < 0:           # not Marpit's comment: markdown-it's raw HTML reads it (`<!-->` alone, say)
        return inline.parse_inline_html(m, state)
    state.append_token({"type": "inline_html", "raw": state.src[m.start():end + 3]})
    return end + 3


def comments_plugin(md: mistune.Markdown) -> None:
    md.inline.register("marpit_comment", r"<!--", _parse_inline_comment, before="inline_html", start_chars="<")
