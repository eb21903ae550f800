"""A line break as marp-core reads it (markdown-it with `breaks: true`): every newline inside a paragraph
is a break, and a backslash or two spaces before it mark a hard break, which the backslash is part of.
mistune's `hard_wrap` swaps its hard-break rule for the soft one, so `foo\\` kept its backslash."""

from __future__ import annotations

import mistune

# CommonMark's hard break (backslash or 2+ spaces, then newline) or, with `breaks`, any newline
LINEBREAK = r"(?:\\| *)\n\s*"


def breaks_plugin(md: mistune.Markdown) -> None:
    md.inline.specification["linebreak"] = LINEBREAK
