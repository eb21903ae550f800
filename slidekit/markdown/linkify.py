"""Bare URLs linked as linkify-it (marp-core's `linkify`, fuzzyLink off) ends them: a URL runs to a space
or `<`; trailing punctuation is not part of it, nor a closing bracket without its opening one, so
`https://en.wikipedia.org/wiki/X_(y)` keeps its `)` and `(https://example.com/a)` does not.
mistune's url plugin cut every URL before a final `)`.

The text shown for a bare URL or an autolink (`<https://…>`) is the URL made readable, as markdown-it's
`normalizeLinkText` makes it: percent-encoded UTF-8 decoded (`%E6%97%A5` shows `日`), except the reserved
characters and `%` itself, and a punycode host (`xn--…`) in Unicode. The link's address is unchanged."""

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


# mdurl.decode's exclusions for link text: these stay percent-encoded
_KEPT_ENCODED = set(";/?:@&=+$,#%")
_PERCENT_RUN = re.compile(r"(?:%[0-9A-Fa-f]{2})+")


def _decoded_run(run: str) -> str:
    """A run of %XX escapes decoded as mdurl decodes it: valid UTF-8 sequences become their character,
    an excluded ASCII character stays escaped (upper case), broken bytes become U+FFFD."""
    data = [int(run[i + 1:i + 3], 16) for i in range(0, len(run), 3)]
    out, i = [], 0
    while i < len(data):
        b = data[i]
        if b < 0x80:
            out.append(f"%{b:02X}" if chr(b) in _KEPT_ENCODED else chr(b))
            i += 1
            continue
        length = 2 if b & 0xE0 == 0xC0 else 3 if b & 0xF0 == 0xE0 else 4 if b & 0xF8 == 0xF0 else 0
        chunk = bytes(data[i:i + length]) if length else b""
        try:
            if len(chunk) != length or not length:
                raise UnicodeDecodeError("utf-8", chunk, 0, 1, "short")
            out.append(chunk.decode("utf-8"))
            i += length
        except UnicodeDecodeError:
            out.append("\ufffd")
            i += 1
    return "".join(out)


def link_text(url: str) -> str:
    """The text markdown-it shows for a linked URL (its normalizeLinkText)."""
    host = re.match(r"(?i)([a-z][a-z0-9+.-]*://)([^/?#]*)", url)
    if host and "xn--" in host.group(2).lower():
        try:
            name = host.group(2).encode("ascii").decode("idna")
            url = host.group(1) + name + url[host.end():]
        except (UnicodeError, ValueError):
            pass
    return _PERCENT_RUN.sub(lambda m: _decoded_run(m.group(0)), url) if "%" in url else url


def parse_auto_link(inline, m: re.Match, state) -> int:
    """`<https://…>`: mistune's rule, with the link's text made readable as markdown-it makes it."""
    text = m.group(0)
    if state.in_link or state.depth >= inline.max_nested_level:
        inline.process_text(text, state)
        return m.end()
    url = text[1:-1]
    state.append_token({"type": "link", "children": [{"type": "text", "raw": link_text(url)}],
                        "attrs": {"url": escape_url(url)}, "_autolink": text})
    return m.end()


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
    state.append_token({"type": "link", "children": [{"type": "text", "raw": link_text(text)}],
                        "attrs": {"url": escape_url(text)}, "_autolink": text})
    return pos


# linkify-it's fuzzy e-mail (on in marp-core): a bare address is a mailto: link. markdown-it links it
# in its text tokens after the inline parse, outside links; the renderer does so as it writes text.
EMAIL = re.compile(r"(?<![\w.+%-])[A-Za-z0-9._%+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                   r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}(?![\w-])")


def linkify_plugin(md: mistune.Markdown) -> None:
    mistune_url(md)
    md.inline.register("url_link", URL_LINK, parse_url_link)
    md.inline.register("auto_link", md.inline.SPECIFICATION["auto_link"], parse_auto_link)
