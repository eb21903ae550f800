"""Markdown as marp-core reads it, on mistune: CommonMark, GFM tables, strikethrough, task lists,
autolinks, a single newline as a line break; plus slidekit's plugins, registered by name."""

from __future__ import annotations

from typing import Callable

import mistune

from .breaks import breaks_plugin
from .comments import comments_plugin
from .emoji import emoji_plugin
from .linkify import linkify_plugin
from .markdoc import markdoc_plugin
from .math import math_plugin
from .tables import tables_plugin
from .positions import TrackingBlockParser
from .renderer import SlideRenderer

# name -> plugin(md). mistune's own plugins are named as mistune names them.
PLUGINS: dict[str, Callable | str] = {
    "table": tables_plugin,     # GFM tables as markdown-it reads them (tables.py)
    "strikethrough": "strikethrough",
    "task_lists": "task_lists",
    "url": linkify_plugin,      # bare URLs ended as linkify-it ends them (linkify.py)
    "breaks": breaks_plugin,    # a backslash before a newline is part of the break (breaks.py)
    "comments": comments_plugin,   # an inline comment ends at the first `-->` after `<!--` (comments.py)
    "markdoc": markdoc_plugin,  # {% $markdoc.frontmatter.KEY %} / {% $KEY %} (markdoc.py)
    "emoji": emoji_plugin,      # :smile: shortcodes (emoji.py)
    "math": math_plugin,        # $...$ and $$...$$ drawn to SVG at build time (math.py)
}
DEFAULT_PLUGINS = ("table", "strikethrough", "url", "breaks", "comments", "markdoc", "math", "emoji")   # no task lists: marp-core has none


def register_plugin(name: str, plugin: Callable) -> None:
    """Make a plugin available by name (for example math or emoji)."""
    PLUGINS[name] = plugin


def create_markdown(renderer: SlideRenderer | None = None, plugins=DEFAULT_PLUGINS) -> mistune.Markdown:
    md = _markdown(renderer or SlideRenderer(), plugins)
    if "url" in plugins:
        # mistune scans plain text at speed up to the next character an inline rule may start with. A bare
        # URL (the `url` plugin) starts with "h", so every "h" of the text stopped that scan: a fifth of a
        # long deck's inline parse. A text without "http" holds no bare URL, and is parsed without that
        # rule: the same tokens (tests/test_markdown_inline.py).
        md.inline_without_url = _markdown(SlideRenderer(), [name for name in plugins if name != "url"]).inline
    return md


def _markdown(renderer: SlideRenderer, plugins) -> mistune.Markdown:
    inline = mistune.InlineParser(hard_wrap=True)  # marp-core sets `breaks: true`
    md = mistune.Markdown(renderer=renderer, block=TrackingBlockParser(), inline=inline)
    for name in plugins:
        plugin = PLUGINS[name]
        md.use(mistune.plugins.import_plugin(plugin) if isinstance(plugin, str) else plugin)
    return md


def inline_parser(md: mistune.Markdown, text: str):
    """The inline parser for `text`: without the bare-URL rule where the text cannot hold a bare URL."""
    return md.inline if "http" in text else getattr(md, "inline_without_url", md.inline)


def parse_tokens(md: mistune.Markdown, text: str, env: dict | None = None) -> tuple[list[dict], TrackingState]:
    """Block and inline parse of the whole document into mistune's token tree.

    The document is parsed as a whole, so reference definitions reach every slide, as in Marp.
    Top-level tokens carry `_pos` (offset in `text`). `env` seeds mistune's env (`front_matter`).
    """
    if not text.endswith("\n"):
        text += "\n"
    state = block_pass(md, text, env)
    return inline_pass(md, state), state


def block_pass(md: mistune.Markdown, text: str, env: dict | None) -> TrackingState:
    """The block tokens of `text` (a new state, its env seeded with `env`)."""
    state = md.block.state_cls()
    state.env.update(env or {})      # front_matter: for Markdoc variables
    state.process(text)
    for hook in md.before_parse_hooks:
        hook(md, state)
    md.block.parse(state)
    return state


def inline_pass(md: mistune.Markdown, state) -> list[dict]:
    """The state's block tokens with their inline children parsed."""
    for hook in md.before_render_hooks:
        hook(md, state)
    return [_inline(md, tok, state) for tok in state.tokens]


def _inline(md: mistune.Markdown, tok: dict, state) -> dict:
    if "children" in tok:
        tok["children"] = [_inline(md, child, state) for child in tok["children"]]
    elif "text" in tok:
        text = tok.pop("text").strip(" \r\n\t\f")
        tok["children"] = inline_parser(md, text)(text, state.env)
    return tok
