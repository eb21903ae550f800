"""Fenced code highlighted with Pygments at build time, so that the HTML and the PDF show the same colours.

The info string is the language, then options in any order:
- `{1,3-4}` highlights those lines (1-based, as Marp users write it for other tools);
- `linenos`, `line-numbers`, `showLineNumbers` or `numbers` numbers the lines; `start=N` starts at N.

Each line is a `<span class="sk-line">`; tokens carry Pygments' short class names (`k`, `s`, `c`…), coloured
by slidekit/render/assets/highlight.css with a light or dark palette that follows the slide's code panel.
"""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass, field


# Pygments is imported when a deck has code to colour: a deck without code never loads it.
_RANGES = re.compile(r"\{([^{}]*)\}")
_LINENO_WORDS = {"linenos", "line-numbers", "linenumbers", "showlinenumbers", "numbers", "numberlines"}
MAX_HIGHLIGHT_CHARS = 200_000     # beyond this, code is shown plain (Pygments is linear, but keep it cheap)


@dataclass
class CodeInfo:
    """What a fence's info string asks of its code block: language, lines to mark, line numbers."""

    lang: str = ""
    lines: set[int] = field(default_factory=set)
    linenos: bool = False
    start: int = 1


def parse_info(info: str | None) -> CodeInfo:
    """`python {1,3-4} linenos` -> CodeInfo(lang='python', lines={1, 3, 4}, linenos=True)."""
    result = CodeInfo()
    text = (info or "").strip()
    for m in _RANGES.finditer(text):
        for part in re.split(r"[,\s]+", m.group(1)):
            part = part.strip()
            if re.fullmatch(r"\d{1,6}", part):
                result.lines.add(int(part))
            elif (r := re.fullmatch(r"(\d{1,6})\s*-\s*(\d{1,6})", part)):
                a, b = int(r.group(1)), int(r.group(2))
                if a <= b and b - a < 100_000:
                    result.lines.update(range(a, b + 1))
            elif part.lower() in _LINENO_WORDS or part.lower() in ("linenos=true", "showlinenumbers=true"):
                result.linenos = True
    words = _RANGES.sub(" ", text).split()
    for i, word in enumerate(words):
        lower = word.lower()
        if i == 0 and lower not in _LINENO_WORDS and "=" not in lower:
            result.lang = word
        elif lower in _LINENO_WORDS or lower in ("linenos=true", "showlinenumbers=true"):
            result.linenos = True
        elif (m := re.fullmatch(r"(?:start|startfrom|linenostart)=(\d{1,6})", lower)):
            result.start = int(m.group(1))
            result.linenos = True
    return result


@functools.lru_cache(maxsize=64)
def lexer_for(lang: str):
    """The Pygments lexer for a fence's language (None if unknown). Kept: finding a lexer by name and
    making one costs milliseconds, and a lexer holds no state between uses."""
    if not lang:
        return None
    from pygments.lexers import get_lexer_by_name   # ~35 ms (plugin lookup): only for decks with code
    from pygments.util import ClassNotFound

    try:
        return get_lexer_by_name(lang.lower(), stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


@functools.lru_cache(maxsize=None)     # a few hundred token types at most
def _css_class(ttype) -> str:
    from pygments.token import STANDARD_TYPES
    while ttype not in STANDARD_TYPES and ttype.parent is not None:
        ttype = ttype.parent
    return STANDARD_TYPES.get(ttype, "")


def _token_lines(code: str, lexer) -> list[list[tuple[str, str]]]:
    """The code as lines of (css class, text) pieces."""
    lines: list[list[tuple[str, str]]] = [[]]
    tokens = lexer.get_tokens(code) if lexer is not None else [("", code)]
    for ttype, value in tokens:
        cls = _css_class(ttype) if lexer is not None else ""
        for i, piece in enumerate(value.split("\n")):
            if i:
                lines.append([])
            if piece:
                lines[-1].append((cls, piece))
    if lines and not lines[-1] and code.endswith("\n"):
        lines.pop()
    return lines


def highlight_code(code: str, info: str | None) -> str:
    """The `<pre>` for one fenced code block."""
    spec = parse_info(info)
    lexer = lexer_for(spec.lang) if len(code) <= MAX_HIGHLIGHT_CHARS else None
    plain = lexer is None and not spec.lines and not spec.linenos
    lang_cls = f' class="language-{html.escape(spec.lang)}"' if spec.lang else ""
    if plain:
        return f"<pre><code{lang_cls}>{html.escape(code, quote=False)}</code></pre>\n"
    lines = _token_lines(code, lexer)
    width = len(str(spec.start + len(lines) - 1))
    out = []
    for number, pieces in enumerate(lines, start=1):
        classes = "sk-line sk-hl" if number in spec.lines else "sk-line"
        body = "".join(f'<span class="{c}">{html.escape(t, quote=False)}</span>' if c
                       else html.escape(t, quote=False) for c, t in pieces)
        gutter = ""
        if spec.linenos:
            gutter = f'<span class="sk-ln" aria-hidden="true">{str(spec.start + number - 1).rjust(width)}</span>'
        out.append(f'<span class="{classes}">{gutter}{body}\n</span>')
    attrs = ' class="sk-code"'
    if spec.lang:
        attrs += f' data-lang="{html.escape(spec.lang)}"'
    if spec.linenos:
        attrs += " data-linenos"
    return f"<pre{attrs}><code{lang_cls}>{''.join(out)}</code></pre>\n"


def highlight_cached(code: str, info: str | None) -> str:
    """`highlight_code`, kept in the on-disk cache (slidekit/cache.py): a rebuild colours only the code
    it has not coloured before, and a deck whose code is all known never loads Pygments. A block without
    a language costs less to escape than to look up: it is not kept."""
    if not info or not info.strip() or len(code) > MAX_HIGHLIGHT_CHARS:
        return highlight_code(code, info)
    from .. import cache
    # this module and Pygments' version (in its __init__.py) shape the HTML
    key = cache.digest(cache.code_key(__name__, "pygments"), info, code)
    found = cache.get_text("code", key)
    if found is None:
        found = highlight_code(code, info)
        cache.put_text("code", key, found)
    return found


# Where a code block can sit: at the top level, in lists and in quotes. Inline children (most of a deck's
# tokens) hold none and are not walked; a block found nowhere else is coloured where the renderer meets it.
_BLOCK_CONTAINERS = frozenset({"list", "list_item", "block_quote"})


def code_blocks(tokens: list[dict]) -> list[tuple[str, str | None]]:
    """(code, info) of every code block in a token tree, in document order, as the renderer's
    `block_code(code, info)` receives them."""
    found: list[tuple[str, str | None]] = []

    def visit(level: list[dict]) -> None:
        for tok in level:
            kind = tok["type"]
            if kind == "block_code":
                found.append((tok.get("raw", ""), (tok.get("attrs") or {}).get("info")))
            elif kind in _BLOCK_CONTAINERS:
                visit(tok.get("children") or ())
    visit(tokens)
    return found
