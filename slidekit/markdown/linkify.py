"""Bare URLs linked as linkify-it (marp-core's `linkify`, fuzzyLink off) ends them: a URL runs to a space
or `<`; trailing punctuation is not part of it, nor a closing bracket without its opening one, so
`https://en.wikipedia.org/wiki/X_(y)` keeps its `)` and `(https://example.com/a)` does not.
mistune's url plugin cut every URL before a final `)`."""

from __future__ import annotations

import re

import mistune
from mistune.plugins.url import url as mistune_url
from mistune.util import escape_url

URL_LINK = r"https?://[^\s<]+"
_TRAILING = '.,:;!?"\'*_~'
_PAIRS = {")": "(", "]": "[", "}": "{"}


def url_end(text: str) -> int:
    """Where a bare URL that starts `text` ends."""
    end = len(text)
    while end > 0:
        last = text[end - 1]
        if last == '"' and text.count('"', 0, end) % 2 == 0:
            break   # a quoted part of the URL keeps its closing quote
        if last in _TRAILING:
            end -= 1
        elif last in _PAIRS and text.count(_PAIRS[last], 0, end) < text.count(last, 0, end):
            end -= 1
        else:
            break
    return end


def parse_url_link(inline, m: re.Match, state) -> int:
    text = m.group(0)
    if state.brackets:
        close = text.find("]")
        if close >= 0:
            text = text[:close]
    text = text[:url_end(text)]
    if len(text) <= len("https://") or text.endswith("://"):
        inline.process_text(m.group(0)[:1], state)
        return m.start() + 1
    pos = m.start() + len(text)
    if state.in_link or state.depth >= inline.max_nested_level:
        inline.process_text(text, state)
        return pos
    state.append_token({"type": "link", "children": [{"type": "text", "raw": text}],
                        "attrs": {"url": escape_url(text)}, "_autolink": text})
    return pos


# linkify-it's fuzzy e-mail (on in marp-core): a bare address is a mailto: link. markdown-it links it
# in its text tokens after the inline parse, outside links; the renderer does so as it writes text.
EMAIL = re.compile(r"(?<![\w.+%-])[A-Za-z0-9._%+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                   r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}(?![\w-])")


def linkify_plugin(md: mistune.Markdown) -> None:
    mistune_url(md)
    md.inline.register("url_link", URL_LINK, parse_url_link)
