"""Slide HTML from mistune tokens: a renderer that dispatches on token type, as mistune's does,
with Marp's additions (heading ids, image keywords, fragmented lists, the raw-HTML allowlist)."""

from __future__ import annotations

import html
import html.entities
import re
from typing import Callable

from mistune import HTMLRenderer

from .highlight import highlight_cached
from ..diagrams import fence_engine, fence_html
from .comments import is_comment_block
from .html_filter import close_open, filter_html, is_safe_url, is_valid_link
from .images import ImageSpec, parse_image_alt
from .linkify import EMAIL
from .qr import qr_alt, with_qr
from .slug import SlugRegistry

# An entity reference as CommonMark (markdown-it) reads one: a name from HTML's list ending in `;`, or
# 1-7 decimal / 1-6 hex digits. `&copy` without `;`, or `&#87654321;`, stays text.
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def _entity(m: re.Match) -> str:
    ref = m.group(0)
    if ref[1] != "#" and ref[1:] not in html.entities.html5:
        return ref
    return html.unescape(ref)


def decode_entities(text: str) -> str:
    """`text` with its entity references replaced by their characters, as CommonMark reads them."""
    return _ENTITY.sub(_entity, text) if "&" in text else text


COMMENT = re.compile(r"<!--(.*?)-->", re.S)


def comment_spans(text: str):
    """(start, end, content) of each closed `<!-- … -->` in order, as COMMENT finds them, but in one
    pass: the regex rescans to the end from every unclosed `<!--` (quadratic on `<!--` repeated)."""
    pos = 0
    while (start := text.find("<!--", pos)) >= 0:
        end = text.find("-->", start + 4)
        if end < 0:
            return
        yield start, end + 3, text[start + 4:end]
        pos = end + 3


def strip_comments(text: str) -> str:
    """The text without its closed HTML comments (COMMENT.sub("", text) in linear time)."""
    parts, pos = [], 0
    for start, end, _ in comment_spans(text):
        parts.append(text[pos:start])
        pos = end
    parts.append(text[pos:])
    return "".join(parts)

# resolve(url, spec) -> the URL to write into the output (a data: URI, a checked path…)
ImageResolver = Callable[[str, ImageSpec], str]


def _identity(url: str, spec: ImageSpec) -> str:
    return url


def plain_text(tokens: list[dict]) -> str:
    """The text a reader sees in a token tree (for titles, slugs and labels)."""
    out = []
    for tok in tokens:
        kind = tok["type"]
        if kind == "text":
            out.append(decode_entities(tok.get("raw", "")))   # entity references, as in text()
        elif kind in ("codespan", "inline_math", "emoji", "markdoc_var"):
            out.append(tok.get("raw", ""))
        elif kind in ("linebreak", "softbreak"):
            out.append(" ")
        elif "children" in tok:
            out.append(plain_text(tok["children"]))
    return "".join(out)


def slug_text(tokens: list[dict]) -> str:
    """The text marp-core makes a heading's id of: text, code, image alt text, raw inline HTML and emoji;
    line breaks count for nothing (so `Foo\nBar` gives `foobar`)."""
    out = []
    for tok in tokens:
        kind = tok["type"]
        if kind == "text":
            out.append(decode_entities(tok.get("raw", "")))
        elif kind == "inline_html" and tok.get("raw", "").lstrip().startswith("<!--"):
            continue   # a comment is Marpit's (a directive or `fit`), not the heading's HTML
        elif kind in ("codespan", "inline_html", "inline_math", "emoji", "markdoc_var"):
            out.append(tok.get("raw", ""))
        elif "children" in tok:
            out.append(slug_text(tok["children"]))
    return "".join(out)


def _with_email_links(text: str) -> str:
    """Escaped text with each bare e-mail address a mailto: link (linkify-it's fuzzy e-mail)."""
    out, pos = [], 0
    for m in EMAIL.finditer(text):
        address = html.escape(m.group(0))
        out += [html.escape(text[pos:m.start()], quote=False), f'<a href="mailto:{address}">{address}</a>']
        pos = m.end()
    out.append(html.escape(text[pos:], quote=False))
    return "".join(out)


_SPECIALS: dict[tuple[type, str], Callable | None] = {}   # (renderer class, token type) -> render_<type> or None


class SlideRenderer(HTMLRenderer):
    """Renders one slide's tokens at a time; `begin_slide` resets what is counted per slide."""

    in_link = 0   # links being rendered (no e-mail links inside them)

    def __init__(self, allow_html: bool = False, target: str = "html",
                 resolve_image: ImageResolver | None = None) -> None:
        super().__init__(escape=False)
        self.allow_html = allow_html
        self.target = target
        self.resolve_image = with_qr(resolve_image or _identity)   # QR codes are drawn here
        self.natural_widths = getattr(resolve_image, "natural_widths", {})
        self.stored_widths = getattr(resolve_image, "stored_widths", {})
        self.slugs = SlugRegistry()
        self.fragments = 0
        self.open_tags: list[str] = []

    def begin_slide(self) -> None:
        self.fragments = 0
        self.open_tags = []

    def close_open_tags(self) -> str:
        """End tags for raw HTML the slide (or header, footer, notes) left open."""
        return close_open(self.open_tags)

    # Dispatch ---------------------------------------------------------------------------------
    def render_token(self, token, state):
        # (a slide has hundreds of tokens: the `render_<type>` method of each type is looked up once)
        kind = token["type"]
        try:
            special = _SPECIALS[type(self), kind]
        except KeyError:
            special = _SPECIALS[type(self), kind] = getattr(type(self), "render_" + kind, None)
        if special is not None:
            return special(self, token, state)
        return HTMLRenderer.render_token(self, token, state)

    # Headings: slug ids, and Marp's `<!-- fit -->` marker ---------------------------------------
    def render_heading(self, token, state):
        children = token.get("children", [])
        fit = any(c["type"] == "inline_html" and COMMENT.fullmatch(c["raw"].strip())
                  and COMMENT.fullmatch(c["raw"].strip()).group(1).strip() == "fit" for c in children)
        level = token["attrs"]["level"]
        text = self.render_tokens(children, state)
        slug = self.slugs.make(slug_text(children))
        fit_attr = " data-sk-fit" if fit else ""
        return f'<h{level} id="{html.escape(slug)}"{fit_attr}>{text.strip()}</h{level}>\n'

    # Lists: `*` bullets and `1)` numbers are fragmented, as in Marp -----------------------------
    def render_list(self, token, state):
        attrs = token["attrs"]
        ordered = attrs.get("ordered")
        fragmented = token.get("bullet") in ("*", ")")
        items = []
        for item in token["children"]:
            if fragmented:
                self.fragments += 1
                open_tag = f'<li data-marpit-fragment="{self.fragments}">'
            else:
                open_tag = "<li>"
            items.append(open_tag + self._list_item_body(item, token, state) + "</li>\n")
        body = "".join(items)
        if ordered:
            start = attrs.get("start")
            start_attr = f' start="{int(start)}"' if start not in (None, 1) else ""
            return f"<ol{start_attr}>\n{body}</ol>\n"
        return f"<ul>\n{body}</ul>\n"

    def _list_item_body(self, item, parent, state):
        if item["type"] == "task_list_item":
            checked = " checked" if item["attrs"].get("checked") else ""
            box = f'<input type="checkbox" disabled{checked} /> '
        else:
            box = ""
        parts = []
        for child in item["children"]:
            if child["type"] == "blank_line":
                continue
            if child["type"] == "block_text" or (parent.get("tight") and child["type"] == "paragraph"):
                parts.append(self.render_tokens(child.get("children", []), state))
            else:
                parts.append(("\n" if not parts else "") + self.render_token(child, state))
        return box + "".join(parts)

    # Images -----------------------------------------------------------------------------------
    def render_image(self, token, state):
        spec: ImageSpec = token.get("spec") or parse_image_alt(plain_text(token.get("children", [])))
        url = token["attrs"]["url"]
        title = token["attrs"].get("title")
        # file: URLs go to the resolver too: inside the deck's folder they are read, outside refused with a warning
        local = url.strip()[:5].lower() == "file:"
        src = self.resolve_image(url, spec) if local or is_safe_url(url, image=True) else ""
        styles = []
        if spec.width:
            styles.append(f"width:{spec.width}")
        if spec.height:
            styles.append(f"height:{spec.height}")
        if spec.filters and self.target == "html":
            styles.append(f"filter:{spec.css_filter}")
        elif spec.filters and spec.opacity < 1:           # the PDF's other filters are in the pixels
            styles.append(f"opacity:{spec.opacity:g}")
        natural = self.natural_widths.get(src) if not (spec.width or spec.height) else None
        stored = self.stored_widths.get(src)
        if natural and stored and self.target == "pdf":
            # downscaled for the output: its intrinsic size stays its file's, so that the deck's CSS sizes
            # it as it would the file (a `width` of the file's width beat a deck's `max-width: 100%` in a
            # flex slide: the slide showed a part of the image, twice as large, issue 23)
            styles.append(f"image-resolution:{stored / natural:.6g}dppx")
        elif natural:                     # (browsers do not know image-resolution)
            styles.append(f"width:{natural}px")
        alt = spec.alt or qr_alt(url, spec)
        attrs = f' src="{html.escape(src)}" alt="{html.escape(alt)}"'
        if title:
            attrs += f' title="{html.escape(decode_entities(title))}"'
        if styles:
            attrs += f' style="{html.escape(";".join(styles))}"'
        return f"<img{attrs} />"

    def render_link(self, token, state):
        url = token["attrs"]["url"]
        href = url if is_valid_link(url) else "#"   # markdown-it's rule, as marp-core
        title = token["attrs"].get("title")
        title_attr = f' title="{html.escape(decode_entities(title))}"' if title else ""
        self.in_link += 1
        try:
            text = self.render_tokens(token.get("children", []), state)
        finally:
            self.in_link -= 1
        return f'<a href="{html.escape(href)}"{title_attr}>{text}</a>'

    # Code: highlighted with Pygments (highlight.py) ---------------------------------------------
    def block_code(self, code, info=None):
        if fence_engine(info):     # ```mermaid / ```dot: drawn as SVG (slidekit/diagrams); shown as code if it can't be
            drawn = fence_html(code, info, self)
            if drawn is not None:
                return drawn
            info = info.split(None, 1)[0]
        # (the info string's entity references are read, as markdown-it reads them: `f&ouml;` is `fö`)
        return highlight_cached(code, decode_entities(info) if info else info)

    def codespan(self, text):
        return "<code>" + html.escape(text, quote=False) + "</code>"

    def text(self, text):
        # mistune leaves entity references (`&nbsp;`, `&emsp;`) in text as written: decode, then escape.
        text = decode_entities(text)
        if "@" in text and not self.in_link:
            return _with_email_links(text)
        return html.escape(text, quote=False)

    # Raw HTML: comments never reach the output (they are directives or notes) ------------------
    def inline_html(self, html_text):
        if html_text.lstrip().startswith("<!--"):
            return ""
        return filter_html(html_text, allow_all=self.allow_html, stack=self.open_tags)

    def block_html(self, html_text):
        if is_comment_block(html_text):     # Marpit's comment block: hidden whole (comments.py)
            return ""
        without_comments = strip_comments(html_text)
        if not without_comments.strip():
            return ""
        # written as markdown-it writes an HTML block: its lines as they are, no newline added (inside a
        # `<pre>` one more would be a blank line)
        out = filter_html(without_comments, allow_all=self.allow_html, stack=self.open_tags)
        return out if out.endswith("\n") else out + "\n"

    def strikethrough(self, text):
        return "<s>" + text + "</s>"   # markdown-it's (marp-core's) element for ~~text~~

    def linebreak(self):
        return "<br />\n"

    def thematic_break(self):
        return "<hr />\n"
