"""Walking mistune's token trees."""

from __future__ import annotations

from typing import Iterator


def walk_tokens(tokens: list[dict]) -> Iterator[dict]:
    """Every token of the trees, depth first in document order (with a stack: a slide's tree can be deep,
    and a generator per token would cost more than the walk)."""
    stack = list(reversed(tokens))
    while stack:
        tok = stack.pop()
        yield tok
        children = tok.get("children")
        if children:
            stack.extend(reversed(children))
