"""The element tree of a slide's document, built from the standard library's HTML tokenizer.

WeasyPrint parses each slide's document with tinyhtml5, an HTML5 parser in pure Python, several times slower
than the standard library's tokenizer. The markup slidekit writes is well formed (every element closed, in
order), and for such markup HTML5's tree is the plain nesting of its tags, with a few rules about where
whitespace goes. `parse_document` builds that tree from `html.parser`'s tokens, the same tree as
`tinyhtml5.parse(text, namespace_html_elements=False)`, and gives up (returns None) on anything where HTML5
would do more than nest: a missing or misplaced end tag, a paragraph or list item closed by another element, a
table without its row groups, foreign content (SVG, MathML), comments, legacy entities in attributes, and the
elements HTML5 parses in a mode of their own. The caller then parses with tinyhtml5.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
# Start tags that close an open <p> (HTML5 "in body": "close a p element")
CLOSES_P = frozenset(
    "address article aside blockquote center details dialog dir div dl fieldset figcaption figure footer form "
    "h1 h2 h3 h4 h5 h6 header hgroup hr main menu nav ol p pre search section summary table ul li dd dt "
    "listing plaintext xmp".split())
# Elements HTML5 parses or places in ways of their own: left to tinyhtml5
SPECIAL = frozenset(
    "svg math template textarea select option optgroup frameset frame image plaintext xmp iframe noembed "
    "noframes noscript listing button form nobr html head body isindex keygen input applet marquee object "
    "caption colgroup col script title".split())
# HTML5's "special" elements: where the search for an open list item to close stops (address, div, p aside)
STOPS_ITEM_SEARCH = frozenset(
    "applet area article aside base basefont bgsound blockquote body br button caption center col colgroup "
    "details dir dl embed fieldset figcaption figure footer form frame frameset h1 h2 h3 h4 h5 h6 head header "
    "hgroup hr html iframe img input keygen link listing main marquee menu meta nav noembed noframes noscript "
    "object ol param plaintext pre script search section select source style summary table tbody td template "
    "textarea tfoot th thead title tr track ul wbr xmp".split())
HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
HTML_SPACE = " \t\n\f\r"          # HTML's whitespace (a no-break space is text)
# What a table part may hold as it is (anything else moves or gets an implied parent in HTML5)
TABLE_CHILDREN = {"table": {"thead", "tbody", "tfoot"}, "thead": {"tr"}, "tbody": {"tr"}, "tfoot": {"tr"},
                  "tr": {"td", "th"}}
HEAD_CHILDREN = frozenset(("meta", "title", "style", "link", "base"))
_SAFE_REFERENCES = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_PROLOGUE = re.compile(r"\A<!DOCTYPE html>\s*<html(\s[^<>]*)?>\s*<head>", re.I)


class _GiveUp(Exception):
    pass


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root: ET.Element | None = None
        self.head: ET.Element | None = None
        self.body: ET.Element | None = None
        self.stack: list[ET.Element] = []
        self.state = "prologue"          # prologue, head, after head, body, after body
        self.drop_newline = False        # the first newline of a <pre> is not its text

    # Text goes where HTML5 inserts it: the open element's text, or its last child's tail.
    def _text(self, parent: ET.Element, text: str) -> None:
        if len(parent):
            last = parent[-1]
            last.tail = (last.tail or "") + text
        else:
            parent.text = (parent.text or "") + text

    def handle_decl(self, decl):
        if self.state != "prologue" or decl.lower() != "doctype html":
            raise _GiveUp

    def handle_starttag(self, tag, attrs):
        self.drop_newline = False
        raw = self.get_starttag_text() or ""
        if "&" in raw and _SAFE_REFERENCES.sub("", raw).count("&"):
            raise _GiveUp            # a legacy reference without ";": HTML5 reads it apart in attributes
        attributes: dict[str, str] = {}
        for name, value in attrs:
            attributes.setdefault(name, "" if value is None else value)
        state = self.state
        if state == "prologue":
            if tag == "html" and self.root is None:
                self.root = ET.Element("html", attributes)
                return
            if tag == "head" and self.root is not None and not attributes:
                self.head = ET.SubElement(self.root, "head")
                self.stack = [self.root, self.head]
                self.state = "head"
                return
            raise _GiveUp
        if state == "head":
            if tag not in HEAD_CHILDREN or len(self.stack) != 2:
                raise _GiveUp
            element = ET.SubElement(self.head, tag, attributes)
            if tag not in VOID:
                self.stack.append(element)
            return
        if state == "after head":
            if tag != "body":
                raise _GiveUp
            self.body = ET.SubElement(self.root, "body", attributes)
            self.stack = [self.root, self.body]
            self.state = "body"
            return
        if state != "body" or tag in SPECIAL or ":" in tag:
            raise _GiveUp
        parent = self.stack[-1]
        allowed = TABLE_CHILDREN.get(parent.tag)
        if allowed is not None and tag not in allowed:
            raise _GiveUp
        if tag in ("tr", "td", "th", "thead", "tbody", "tfoot") and allowed is None:
            raise _GiveUp            # a table part outside its table
        if tag in CLOSES_P and any(e.tag == "p" for e in self.stack):
            raise _GiveUp            # (HTML5 would close the paragraph)
        if tag in ("li", "dd", "dt"):
            closed = ("li",) if tag == "li" else ("dd", "dt")
            for open_element in reversed(self.stack):
                if open_element.tag in closed:
                    raise _GiveUp    # an open item HTML5 would close
                if open_element.tag in STOPS_ITEM_SEARCH:
                    break
        if tag in HEADINGS and parent.tag in HEADINGS:
            raise _GiveUp
        if tag == "a" and any(e.tag == "a" for e in self.stack):
            raise _GiveUp            # a link in a link: HTML5 closes the first
        element = ET.SubElement(parent, tag, attributes)
        if tag not in VOID:
            self.stack.append(element)
            self.drop_newline = tag == "pre"

    def handle_startendtag(self, tag, attrs):
        if tag not in VOID:
            raise _GiveUp            # HTML5 ignores the slash of <div/>: the element stays open
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        self.drop_newline = False
        state = self.state
        if state in ("head", "body"):
            if len(self.stack) > 2 and self.stack[-1].tag == tag:
                self.stack.pop()
            elif tag == state and len(self.stack) == 2:      # </head> or </body>, nothing left open
                if state == "head":
                    self.stack = [self.root]
                self.state = "after " + state
            else:
                raise _GiveUp
            return
        if state == "after body" and tag == "html":
            self.state = "after html"
            return
        raise _GiveUp

    def handle_data(self, data):
        if "\r" in data or "\0" in data:
            raise _GiveUp
        state = self.state
        if state == "body":
            if self.drop_newline and data.startswith("\n"):
                data = data[1:]
            self.drop_newline = False
            if not data:
                return
            parent = self.stack[-1]
            if parent.tag in TABLE_CHILDREN and data.strip(HTML_SPACE):
                raise _GiveUp        # text in a table is moved before it (foster parenting)
            self._text(parent, data)
            return
        if state == "head" and len(self.stack) > 2:
            self._text(self.stack[-1], data)        # a title's or a style's text
            return
        if data.strip(HTML_SPACE):
            raise _GiveUp
        if state == "head":
            self._text(self.stack[-1], data)
        elif state == "after head":
            self._text(self.root, data)
        elif state in ("after body", "after html"):
            self._text(self.body, data)       # whitespace after </body> is the body's
        # (whitespace before <head> is dropped)

    def handle_comment(self, data):
        raise _GiveUp

    def handle_pi(self, data):
        raise _GiveUp

    def unknown_decl(self, data):
        raise _GiveUp


def parse_document(text: str) -> ET.Element | None:
    """The `html` element of `text`'s tree as tinyhtml5 builds it (HTML elements without a namespace), or
    None when the markup is not of the plain kind this builds (see the module's docstring)."""
    if not _PROLOGUE.match(text):
        return None
    builder = _Builder()
    try:
        builder.feed(text)
        builder.close()
    except (_GiveUp, AssertionError):
        return None
    if builder.state not in ("after body", "after html") or builder.rawdata:
        return None
    return builder.root


def weasy_html(html_type, text: str, base_url: str, url_fetcher):
    """`html_type(string=text, base_url=..., url_fetcher=...)` (`weasyprint.HTML` or a subclass), its tree
    built by `parse_document` where it can be: what WeasyPrint's constructor sets once it has parsed, set
    from that tree (WeasyPrint and tinyhtml5 of the versions export/patches.py assumes, else theirs)."""
    from .patches import version_ok
    root = parse_document(text) if version_ok("weasyprint") and version_ok("tinyhtml5") else None
    if root is None:
        return html_type(string=text, base_url=base_url, url_fetcher=url_fetcher)
    import cssselect2
    from weasyprint import _find_base_url
    from weasyprint.urls import ensure_url
    document = object.__new__(html_type)
    document.base_url = _find_base_url(root, ensure_url(base_url))
    document.url_fetcher = url_fetcher
    document.media_type = "print"
    document.wrapper_element = cssselect2.ElementWrapper.from_html_root(root, content_language=None)
    document.etree_element = document.wrapper_element.etree_element
    return document
