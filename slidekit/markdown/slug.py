"""Heading ids as Marp makes them: lower case, words joined by hyphens, unique in the deck."""

from __future__ import annotations

import re

_DROP = re.compile(r"[^\w\- ]+", re.UNICODE)


def slugify(text: str) -> str:
    slug = _DROP.sub("", text.strip().lower())
    slug = re.sub(r"\s+", "-", slug).strip("-")
    return slug or "section"


class SlugRegistry:
    """Hands out ids, adding -1, -2… to repeats."""

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    def make(self, text: str) -> str:
        base = slugify(text)
        count = self.seen.get(base)
        if count is None:
            self.seen[base] = 0
            return base
        count += 1
        self.seen[base] = count
        return f"{base}-{count}"
