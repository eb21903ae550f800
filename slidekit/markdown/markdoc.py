"""Markdoc variables: `{% $markdoc.frontmatter.KEY %}` and `{% $KEY %}` take their value from the front-matter,
outside code (an inline rule, so code spans and fenced code never see it). Nested keys use dots
(`{% $author.name %}`). An unknown variable stays visible as written and is reported by `unknown_variables`."""

from __future__ import annotations

import html

from .tokens import walk_tokens

MARKDOC_VAR = r"\{%\s*\$(?P<markdoc_name>[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*)\s*/?%\}"
_PREFIX = "markdoc.frontmatter."


def lookup(front_matter, name: str):
    """The value of a variable, or None when the front-matter has no such key."""
    if name.startswith(_PREFIX):
        name = name[len(_PREFIX):]
    value = front_matter
    for part in name.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    if value is None or isinstance(value, (dict, list)):
        return None
    if value is True or value is False:
        return "true" if value else "false"
    return str(value)


def _parse(inline, m, state):
    name = m.group("markdoc_name")
    value = lookup(state.env.get("front_matter") or {}, name)
    # its own token type: mistune merges neighbouring text tokens, which would lose the mark
    state.append_token({"type": "markdoc_var", "raw": m.group(0) if value is None else value,
                        "markdoc_unknown": name if value is None else None})
    return m.end()


def _render(renderer, text):
    return html.escape(text, quote=False)


def markdoc_plugin(md) -> None:
    md.inline.register("markdoc_var", MARKDOC_VAR, _parse, before="codespan", start_chars="{")
    if md.renderer is not None:
        md.renderer.register("markdoc_var", _render)


def unknown_variables(tokens):
    """Names of the variables left unresolved in a token tree."""
    for tok in walk_tokens(tokens):
        if tok.get("markdoc_unknown"):
            yield tok["markdoc_unknown"]
