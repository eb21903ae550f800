"""Heading ids as marp-core makes them (its `slug` option, on by default): the heading's text trimmed and
lower-cased, whitespace runs turned into `-`, ASCII and CJK punctuation dropped, one run of leading (or
else trailing) hyphens dropped, then percent-encoded as JavaScript's encodeURI does. A repeated id gets
-1, -2…; an empty one stays empty."""

from __future__ import annotations

import re
from urllib.parse import quote

_PUNCTUATION = re.compile("[\\][!/'\"#$%&()*+,./:;<=>?@\\\\^{|}~`。，、；：？！…—·ˉ¨‘’“”々～‖∶＂＇｀｜〃〔〕〈〉《》「」『』．〖〗【】（）［］｛｝]")
_EDGE_HYPHENS = re.compile(r"^-+|-+$")
_ENCODE_URI_SAFE = ";,/?:@&=+$-_.!~*'()#"


def slugify(text: str) -> str:
    slug = re.sub(r"\s+", "-", text.strip().lower())
    slug = _EDGE_HYPHENS.sub("", _PUNCTUATION.sub("", slug), count=1)   # (marp-core's regex has no g flag)
    return quote(slug, safe=_ENCODE_URI_SAFE)


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
