"""Emoji shortcodes: `:smile:` becomes 😄 (the `emoji` package, GitHub's aliases included), outside code (an
inline rule, so code spans and fenced code keep their colons). The character is drawn in colour by the
machine's emoji font (Debian's fonts-noto-color-emoji) in the HTML and the PDF alike; never a CDN image."""

from __future__ import annotations

import html
from functools import lru_cache

EMOJI_SHORTCODE = r":(?P<emoji_name>[A-Za-z0-9_+\-][A-Za-z0-9_+\-&.'()!#*ô’çéãíåñ]*):"
EMOJI_FONTS = "'Noto Color Emoji', 'Apple Color Emoji', 'Segoe UI Emoji', 'Twemoji Mozilla', sans-serif"


@lru_cache(maxsize=2048)
def shortcode_emoji(name: str) -> str | None:
    """The emoji for a shortcode name (`smile`, `+1`, `thumbsup`), or None."""
    import emoji

    code = f":{name}:"
    for language in ("alias", "en"):
        out = emoji.emojize(code, language=language)
        if out != code:
            return out
    return None


def _parse(inline, m, state):
    char = shortcode_emoji(m.group("emoji_name"))
    if char is None:
        # not an emoji: give back the first colon only, so "a:b:smile:" still finds ":smile:"
        state.append_token({"type": "text", "raw": ":"})
        return m.start() + 1
    state.append_token({"type": "emoji", "raw": char, "attrs": {"name": m.group("emoji_name")}})
    return m.end()


def _render(renderer, text, name=""):
    return (f'<span class="sk-emoji" role="img" aria-label="{html.escape(name)}" '
            f'style="font-family:{html.escape(EMOJI_FONTS)}">{html.escape(text)}</span>')


def emoji_plugin(md) -> None:
    md.inline.register("emoji", EMOJI_SHORTCODE, _parse, before="codespan", start_chars=":")
    if md.renderer is not None:
        md.renderer.register("emoji", _render)
