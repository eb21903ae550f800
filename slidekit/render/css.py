"""Scoping theme and deck CSS to the slides, as Marp does, with tinycss2 (WeasyPrint's CSS parser)."""

from __future__ import annotations

import re

DECK = ".sk-deck"
SECTION = f"{DECK} > section"
# At-rules whose blocks hold style rules to scope; others (font-face, keyframes, page…) stay as they are.
_NESTED = {"media", "supports", "container", "layer", "document"}
_ROOT = re.compile(r"^(?:section)?(:root)(?![\w-])|^(?:html|body)(?![\w-])", re.I)
# Marpit's root replace and increasing specificity (postcss/root/replace.js, increasing_specificity.js):
# `:root` is the slide with one class's worth more specificity than `section`, as an attribute no HTML
# element can have, so a deck's `:root { --color-background: … }` wins over a theme's `section.invert`.
ROOT_SPECIFICITY = r":not([\20 root])"
_SECTION = re.compile(r"^section(?![\w-])", re.I)


def split_selectors(prelude: str, keep_empty: bool = False) -> list[str]:
    """Split a selector list on top-level commas (not inside :is(), :not() or strings); empty members are
    left out unless `keep_empty`."""
    parts, depth, quote, current = [], 0, "", []
    for ch in prelude:
        if quote:
            current.append(ch)
            if ch == quote:
                quote = ""
            continue
        if ch in "\"'":
            quote = ch
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif ch == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
            continue
        current.append(ch)
    parts.append("".join(current).strip())
    return parts if keep_empty else [p for p in parts if p]


# Marp draws a slide with backgrounds as layered sections marked "background" and "content"; slidekit's
# one section holds both layers, so deck CSS aimed at either layer reaches it.
_MARP_LAYER = re.compile(r"""\[data-marpit-advanced-background=(["']?)(?:background|content)\1\]""")


def scope_selector(selector: str, section: str = SECTION) -> str:
    """`:root`/`section` at the start become the slide; anything else is looked for inside a slide."""
    selector = _MARP_LAYER.sub("[data-marpit-advanced-background]", selector.strip())
    m = _ROOT.match(selector)
    if m:
        return section + (ROOT_SPECIFICITY if m.group(1) else "") + selector[m.end():]
    m = _SECTION.match(selector)
    if m:
        return section + selector[m.end():]
    if selector.startswith(DECK):
        return selector
    return f"{section} {selector}"


def scope_css(css: str, section: str = SECTION) -> str:
    """Rewrite every style rule of a stylesheet so that it reaches only slides. Kept in the on-disk cache
    (slidekit/cache.py) by a hash of the CSS, the section selector and this module's code: parsing a theme
    with tinycss2 was a quarter of an HTML build."""
    from .. import cache

    key = cache.digest(cache.code_key(__name__, "tinycss2"), css, section)
    return cache.memo_text("scoped-css", key, lambda: _scope_css(css, section))


def _scope_css(css: str, section: str) -> str:
    import tinycss2

    rules = tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True)
    return "\n".join(_scope_rule(rule, section) for rule in rules if rule.type != "error").strip() + "\n"


def _scope_rule(rule, section: str) -> str:
    import tinycss2

    if rule.type == "qualified-rule":
        prelude = serialize(rule.prelude).strip()
        # As Marpit scopes a selector list read by postcss: an empty member (`}, section img {`, a stray
        # comma after the rule before) is the slide itself.
        scoped = dict.fromkeys(scope_selector(s, section).rstrip() for s in split_selectors(prelude, keep_empty=True))
        selectors = ", ".join(scoped)
        return f"{selectors} {{{serialize(rule.content).strip()}}}"
    if rule.type == "at-rule":
        head = "@" + _name(rule.at_keyword) + serialize(rule.prelude)
        if rule.content is None:
            # @import and @charset: a slide deck loads nothing from elsewhere (themes import each
            # other by name before scoping), and they would be invalid after other rules anyway.
            return ""
        if rule.lower_at_keyword in _NESTED:
            inner = tinycss2.parse_rule_list(rule.content, skip_whitespace=True, skip_comments=True)
            body = "\n".join(_scope_rule(r, section) for r in inner if r.type != "error")
            return f"{head.strip()} {{\n{body}\n}}"
        return f"{head.strip()} {{{serialize(rule.content)}}}"
    return ""


# Serialising for a <style> element ----------------------------------------------------------------
# The stylesheet is raw text inside the page's <style>: the HTML parser ends it at the first `</style`,
# whatever CSS token holds it. tinycss2 writes a string's or url's `<` as it is (so `"\3c/style>"` comes
# out as `"</style>"`), an identifier's as `\<`, and comments as written. This serialiser writes the
# same tokens, but `<` in a string, url or name as the escape `\3c `, no comments, and a space between a
# `<` delim and a `/` or `!` (never valid CSS): no `</` and no `<!` ever leaves it.
def _name(value: str) -> str:
    from tinycss2.serializer import serialize_identifier
    return serialize_identifier(value).replace("\\<", "\\3c ")


def _text(value: str) -> str:
    from tinycss2.serializer import serialize_string_value
    return serialize_string_value(value).replace("<", "\\3c ")


def serialize(nodes) -> str:
    """CSS text for tinycss2 component values, safe as the text of a <style> element (see above)."""
    chunks: list[str] = []
    _serialize_to(nodes, chunks.append)
    return "".join(chunks)


def _serialize_to(nodes, write) -> None:
    from tinycss2.serializer import BAD_PAIRS, serialize_name, serialize_url

    previous = None
    for node in nodes:
        kind = node.type
        if kind == "comment":
            continue
        pair_type = node.value if kind == "literal" else kind
        if previous == "<" and pair_type[:1] in ("/", "!"):
            write(" ")
        elif (previous, pair_type) in BAD_PAIRS:
            write("/**/")
        elif previous == "\\" and not (kind == "whitespace" and node.value.startswith("\n")):
            write("\n")
        if kind == "string":
            write(f'"{_text(node.value)}"')
        elif kind == "url":
            write("url(" + serialize_url(node.value).replace("<", "\\3c ") + ")")
        elif kind == "ident":
            write(_name(node.value))
        elif kind == "at-keyword":
            write("@" + _name(node.value))
        elif kind == "hash":
            write("#" + (_name(node.value) if node.is_identifier
                         else serialize_name(node.value).replace("\\<", "\\3c ")))
        elif kind == "dimension":
            write(node.serialize().replace("\\<", "\\3c "))
        elif kind == "literal" and node.value == "<!--":   # a CDO inside a block: no meaning there
            write("< !--")
        elif kind == "function":
            write(_name(node.name) + "(")
            _serialize_to(node.arguments, write)
            write(")")
        elif kind in ("() block", "[] block", "{} block"):
            write(kind[0])
            _serialize_to(node.content, write)
            write(kind[1])
        elif kind == "error" and node.kind in ("eof-in-string", "eof-in-url"):
            pass
        else:   # whitespace, numbers, other literals, unicode ranges: no `<` but a delim
            node._serialize_to(write)
        previous = pair_type


def style_element_text(css: str) -> str:
    """CSS as the text of a <style> element: the serialiser above writes no `</`; this keeps any CSS put
    together elsewhere from ending the element (`\\/` is `/` in a CSS string, and nowhere else valid)."""
    return css.replace("</", "<\\/") if "</" in css else css


def css_string(value: str) -> str:
    """A value safe inside a CSS string or declaration: no quotes, braces or tag ends break out."""
    return re.sub(r"[\"'\\<>{};\n\r]", "", value)


_REM = re.compile(r"(?<![\w.-])(\d*\.?\d+)rem\b")
_ROOT_FONT = re.compile(r"(?:^|[}\s,])(?::root|section)\s*\{[^}]*?(?<![-\w])font-size\s*:\s*(\d*\.?\d+)px", re.S)


def root_font_px(*stylesheets: str, default: float = 16.0) -> float:
    """The slide's own font size: in Marp, `rem` means the section's font size, not the page's."""
    size = default
    for css in stylesheets:
        for m in _ROOT_FONT.finditer(css):
            size = float(m.group(1))
    return size


def rem_to_px(css: str, root_px: float) -> str:
    return _REM.sub(lambda m: f"{float(m.group(1)) * root_px:g}px", css)


# `<img width="30" height="30">`: a browser maps the attributes to `width`/`height` as presentational hints,
# below every author rule; WeasyPrint does so only with all its presentational hints on, which would change
# tables, fonts and more. So each size written on an img is one rule of zero specificity (`:where()`), put
# before every other rule of the slides: any theme or deck rule still wins, as over a hint.
_IMG_TAG = re.compile(r"<img\b[^>]*>", re.I)
_SIZE_ATTR = re.compile(r"""\s(width|height)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_DIMENSION = re.compile(r"\s*(\d+(?:\.\d+)?)(%?)")


def img_size_hints(*htmls: str) -> str:
    """The rules that size `img` elements by their width and height attributes, as hints do (HTML's rules
    for dimension values: a number is pixels, a number then `%` a percentage; 0 or no number: no hint)."""
    sizes: dict[tuple[str, str], str] = {}
    for text in htmls:
        if "<img" not in text:
            continue
        for tag in _IMG_TAG.finditer(text):
            for m in _SIZE_ATTR.finditer(tag.group(0)):
                raw = next(v for v in m.group(2, 3, 4) if v is not None)
                value = _DIMENSION.match(raw)
                if value and float(value.group(1)) > 0:
                    sizes[(m.group(1).lower(), raw)] = f"{value.group(1)}{value.group(2) or 'px'}"
    return "".join(f':where({DECK} img[{name}="{css_string(raw)}"]) {{ {name}: {size}; }}\n'
                   for (name, raw), size in sizes.items() if css_string(raw) == raw)


# `<ol start="7">` (markdown-it writes it for a list whose first number is not 1): a browser numbers from 7;
# WeasyPrint maps `start` to the list-item counter only among all its presentational hints (see above), so
# the mapping of CSS Lists 3's UA stylesheet is one zero-specificity rule per start value.
_OL_START = re.compile(r"""<ol\b[^>]*?\sstart\s*=\s*(?:"(-?\d+)"|'(-?\d+)'|(-?\d+)(?=[\s>]))""", re.I)


def list_start_hints(*htmls: str) -> str:
    """The rules that number an `ol` from its `start` attribute, as a browser does."""
    starts: set[int] = set()
    for text in htmls:
        if "<ol" in text:
            starts.update(int(next(v for v in m.groups() if v is not None)) for m in _OL_START.finditer(text))
    return "".join(f':where({DECK} ol[start="{n}"]) {{ counter-reset: list-item {n - 1}; }}\n'
                   for n in sorted(starts))
