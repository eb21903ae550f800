"""Raw HTML in a deck: only an allowlist of tags and attributes passes, unless the user trusts the deck.

Marp's default allows a small set of inline tags; we do the same with Python's tolerant HTML tokenizer,
rebuilding every tag we keep from its parsed name and attributes, so nothing unparsed reaches the output.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

# Tag -> attributes kept besides the global ones. The tag set follows marp-core's documented default
# allowlist; `style` and event handlers are never kept. `header` and `footer` are left out, as in Marp,
# because the directives make them.
GLOBAL_ATTRS = frozenset({"class", "dir", "lang", "title"})
_TABLE_CELL = {"width", "rowspan", "colspan", "align", "valign"}
_MEDIA = {"autoplay", "controls", "loop", "muted", "preload", "src"}
_EXTRA: dict[str, set[str]] = {
    "a": {"href", "name", "rel", "target"},
    "audio": _MEDIA, "blockquote": {"cite"}, "q": {"cite"},
    "col": {"align", "valign", "span", "width"}, "colgroup": {"align", "valign", "span", "width"},
    "del": {"cite", "datetime"}, "ins": {"cite", "datetime"}, "details": {"open"}, "time": {"datetime"},
    "img": {"align", "alt", "decoding", "height", "loading", "src", "srcset", "width"},
    "li": {"type", "value"}, "ol": {"reversed", "start", "type"},
    "source": {"height", "media", "sizes", "src", "srcset", "type", "width"},
    "table": {"width", "border", "align", "valign"},
    "tbody": {"align", "valign"}, "tfoot": {"align", "valign"}, "thead": {"align", "valign"},
    "td": _TABLE_CELL, "th": _TABLE_CELL, "tr": {"rowspan", "align", "valign"},
    "video": _MEDIA | {"playsinline", "poster", "height", "width"},
}
_PLAIN = """abbr address article aside b bdi bdo big br caption center cite code dd div dl dt em figcaption
    figure h1 h2 h3 h4 h5 h6 hr i kbd mark nav p picture pre rp rt ruby s section small span sub summary
    sup strong strike u ul wbr"""
ALLOWED: dict[str, frozenset[str]] = {
    tag: frozenset(GLOBAL_ATTRS | _EXTRA.get(tag, set())) for tag in set(_PLAIN.split()) | set(_EXTRA)
}
ALLOWED["source"] = frozenset(_EXTRA["source"])
VOID = frozenset({"br", "wbr", "img", "hr", "meta", "link", "input", "source", "area", "col", "embed",
                  "param", "track"})
# Elements raw HTML may hold open at once in a slide. A deck of unclosed `<div>`s nests them hundreds deep,
# and WeasyPrint lays nesting out recursively (its stack ran out at about 240 levels): deeper start tags are
# left out, their content kept. Chromium's own parser stops nesting at 512.
MAX_OPEN = 64
URL_ATTRS = frozenset({"href", "src", "srcset", "cite", "action", "formaction", "poster", "xlink:href", "background"})
_SAFE_SCHEMES = ("http:", "https:", "mailto:", "tel:", "ftp:", "#", "/", "./", "../")
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):")
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")


def is_safe_url(url: str, image: bool = False) -> bool:
    """http(s), mailto, tel, relative paths and fragments; data: only for raster images."""
    cleaned = _CONTROL.sub("", html.unescape(url))
    m = _SCHEME.match(cleaned)
    if not m:
        return True
    scheme = m.group(1).lower()
    if scheme in ("http", "https", "mailto", "tel", "ftp", "ftps"):
        return True
    if scheme == "data" and image:
        return bool(re.match(r"data:image/(png|jpe?g|gif|webp|svg\+xml)[;,]", cleaned, re.I))
    return False


_BAD_PROTOCOL = re.compile(r"^(?:vbscript|javascript|file|data):", re.I)
_GOOD_DATA = re.compile(r"^data:image/(?:gif|png|jpeg|webp);", re.I)


def is_valid_link(url: str) -> bool:
    """markdown-it's validateLink, which marp-core keeps: any URL but a javascript:, vbscript:, file: or
    data: one (data: images of four raster types pass). `irc:`, `localhost:5001/x` and made-up schemes
    are links."""
    cleaned = _CONTROL.sub("", html.unescape(url)).lower()
    return not _BAD_PROTOCOL.match(cleaned) or bool(_GOOD_DATA.match(cleaned))


_SRCSET_DESCRIPTOR = re.compile(r"^(?:\d+w|\d+h|(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?x)$", re.I)
_SRCSET_ATTR = re.compile(r"""(<(?:img|source)\b[^>]*?\ssrcset=")([^"]*)(")""")


def parse_srcset(value: str) -> list[tuple[str, str]]:
    """The candidates of a `srcset` as (URL, descriptors), split as HTML's algorithm does: a URL is a run
    of non-space characters (a data: URL keeps its comma), trailing commas end it; the descriptors run to
    the next comma outside parentheses. A candidate with a descriptor that is not `Nw`, `Nx` or `Nh` is
    left out, as a browser leaves it out."""
    out: list[tuple[str, str]] = []
    pos, n = 0, len(value)
    while pos < n:
        while pos < n and (value[pos] in ", " or value[pos] in "\t\n\r\f"):
            pos += 1
        start = pos
        while pos < n and value[pos] not in " \t\n\r\f":
            pos += 1
        url = value[start:pos]
        if not url:
            break
        descriptors = ""
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            start, depth = pos, 0
            while pos < n and (value[pos] != "," or depth):
                depth = depth + 1 if value[pos] == "(" else max(0, depth - 1) if value[pos] == ")" else depth
                pos += 1
            descriptors = " ".join(value[start:pos].split())
            pos += 1
        if url and all(_SRCSET_DESCRIPTOR.match(d) for d in descriptors.split()):
            out.append((url, descriptors))
    return out


def join_srcset(candidates: list[tuple[str, str]]) -> str:
    return ", ".join(f"{url} {d}" if d else url for url, d in candidates)


def safe_srcset(value: str) -> str:
    """A `srcset` with only the candidates whose URL passes `is_safe_url` as an image ("" if none)."""
    return join_srcset([(url, d) for url, d in parse_srcset(html.unescape(value)) if is_safe_url(url, image=True)])


def check_srcsets(fragment: str, check) -> str:
    """The `srcset` of each img/source in filtered HTML with each local URL put to `check` (the image
    resolver's `css_url`: "" when refused, with a warning), as `src` is: refused candidates are left
    out, and the attribute when none is left."""
    def one(m: re.Match) -> str:
        kept = [(url, d) for url, d in parse_srcset(html.unescape(m.group(2)))
                if url.lower().startswith("data:") or check(url) == url.strip()]
        if not kept:
            return m.group(1)[:m.group(1).rfind("srcset=")].rstrip()
        return m.group(1) + html.escape(join_srcset(kept), quote=True) + m.group(3)
    return _SRCSET_ATTR.sub(one, fragment) if "srcset=" in fragment else fragment


_END_TAG_NAME = re.compile(r"</[A-Za-z]")


class _Filter(HTMLParser):
    def __init__(self, allow_all: bool, stack: list[str]):
        super().__init__(convert_charrefs=False)
        self.allow_all = allow_all
        self.out: list[str] = []
        self._as_written: int | None = None   # the place of an end tag to show as written (parse_endtag)
        self.stack = stack   # elements raw HTML opened in this slide, innermost last

    # Tags -------------------------------------------------------------------------------------
    def _tag(self, tag: str, attrs, closing: str) -> str | None:
        allowed = ALLOWED.get(tag)
        if allowed is None and not self.allow_all:
            return None
        kept = []
        for name, value in attrs:
            name = name.lower()
            if not self.allow_all and name not in allowed:
                continue
            if name.startswith("on") and not self.allow_all:
                continue
            if value is None:
                kept.append(f" {name}")
                continue
            if name == "srcset":    # a list of URLs: each one checked, the unsafe ones left out
                value = safe_srcset(value)
                if not value:
                    continue
            elif name in URL_ATTRS and not is_safe_url(value, image=(name in ("src", "poster") and tag in ("img", "source", "video"))):
                continue
            kept.append(f' {name}="{html.escape(html.unescape(value), quote=True)}"')
        return f"<{tag}{''.join(kept)}{closing}>"

    def handle_starttag(self, tag, attrs):
        rebuilt = self._tag(tag, attrs, "")
        if rebuilt is not None and tag not in VOID:
            if len(self.stack) >= MAX_OPEN:
                return
            self.stack.append(tag)
        self.out.append(rebuilt if rebuilt is not None else html.escape(self.get_starttag_text() or ""))

    def handle_startendtag(self, tag, attrs):
        rebuilt = self._tag(tag, attrs, " /")
        self.out.append(rebuilt if rebuilt is not None else html.escape(self.get_starttag_text() or ""))

    def parse_endtag(self, i):
        # An end tag off the allowlist is shown as written (`</Warning>`, `</foo >`), as marp-core's
        # sanitizer (js-xss) shows it: handle_endtag marks its place, filled here with the source text.
        if not self.allow_all and self.cdata_elem is None and not _END_TAG_NAME.match(self.rawdata, i):
            # `</ b>`, `</>`: no tag (a browser drops them); js-xss shows them as written
            end = self.rawdata.find(">", i + 2)
            if end < 0:
                return -1
            self.out.append(html.escape(self.rawdata[i:end + 1]))
            return end + 1
        self._as_written = None
        end = super().parse_endtag(i)
        if self._as_written is not None and end > i:
            self.out[self._as_written] = html.escape(self.rawdata[i:end])
        self._as_written = None
        return end

    def handle_endtag(self, tag):
        if not (tag in ALLOWED or self.allow_all):
            self._as_written = len(self.out)
            self.out.append(html.escape(f"</{tag}>"))
        elif tag in self.stack:
            # Close what the deck opened, innermost first. An end tag it never opened is dropped: it
            # would close the slide itself (a public deck ends a slide with a stray `</div>`).
            while self.stack:
                open_tag = self.stack.pop()
                self.out.append(f"</{open_tag}>")
                if open_tag == tag:
                    break

    # Content ----------------------------------------------------------------------------------
    def handle_data(self, data):
        if self.allow_all and self.cdata_elem:   # a trusted deck's <script> or <style> text stays as written
            self.out.append(data)
        else:
            self.out.append(html.escape(data, quote=False))

    def handle_entityref(self, name):
        self.out.append(f"&{name};")

    def handle_charref(self, name):
        self.out.append(f"&#{name};")

    def handle_comment(self, data):
        pass  # comments are directives or notes, read elsewhere

    # Processing instructions, declarations and CDATA are not on marp-core's allowlist: it shows them as
    # text (escaped); a trusted deck's pass as written.
    def _markup(self, text: str) -> None:
        self.out.append(text if self.allow_all else html.escape(text, quote=False))

    def handle_pi(self, data):
        self._markup(f"<?{data}>")

    def handle_decl(self, decl):
        self._markup(f"<!{decl}>")

    def unknown_decl(self, data):
        self._markup(f"<![{data}]]>" if data.startswith("CDATA[") else f"<![{data}]>")

    def parse_bogus_comment(self, i, report=1):
        # `<!ELEMENT br EMPTY>` and the like: HTMLParser reports them as comments; they are declarations
        # marp-core shows as text
        end = super().parse_bogus_comment(i, report=0)
        if end > 0 and report:
            self._markup(self.rawdata[i:end])
        return end


def filter_html(fragment: str, allow_all: bool = False, stack: list[str] | None = None) -> str:
    """Keep allowlisted tags and attributes (all of them with allow_all), escape the rest as text.

    `stack` carries the elements left open across the fragments of one slide, so that end tags match
    what the deck opened; `close_open` ends the slide's leftovers."""
    stack = stack if stack is not None else []
    if not allow_all and "<" in fragment:
        fragment = _text_lts_marked(fragment.replace(_TEXT_LT, "\ufffd"))
    # No tag can end after the last `>`: that tail is text but for an unfinished tag at its very end
    # (unfinished_tag). Handing it to the parser as text keeps the work linear; HTMLParser rescans to
    # the end from every unfinished `<a ` or `<!--` (quadratic).
    cut = fragment.rfind(">") + 1
    f = _Filter(allow_all=allow_all, stack=stack)
    f.feed(fragment[:cut])
    tail = fragment[cut:]
    start = unfinished_tag(tail, allow_all)
    f.feed(tail[:start].replace("<", "&lt;"))
    if start < len(tail):
        f.feed(tail[start:].rstrip() + ">")
    f.close()
    out = "".join(f.out)
    return out.replace(_TEXT_LT, "&lt;") if _TEXT_LT in out else out


# marp-core's sanitizer (js-xss) reads a tag from `<` to the next `>` outside a quoted value; a `<` before
# that `>` starts the tag again and leaves the first `<` as text: `<span <em>x</em>` is `&lt;span <em>x</em>`
# there (a browser would read a span). Such a `<` is marked with NUL (the source has none: CommonMark makes
# it U+FFFD) before the fragment is parsed, and written `&lt;` after. Comments are skipped, as js-xss strips
# them first.
_TEXT_LT = "\x00"
_TAG_SCAN = re.compile(r"""<!--|[<>"']""")


def _text_lts_marked(fragment: str) -> str:
    marks: list[int] = []
    start: int | None = None      # the `<` of the tag being read
    quote = ""
    pos = 0
    while (m := _TAG_SCAN.search(fragment, pos)) is not None:
        token, pos = m.group(), m.end()
        if quote:
            quote = "" if token == quote else quote
        elif token == ">":
            start = None
        elif token in "\"'":
            if start is None:                    # text
                continue
            before = m.start() - 1               # a quote opens a value after `=` (spaces between)
            while before > start and fragment[before] in " \t\n\r\f":
                before -= 1
            quote = token if fragment[before] == "=" else ""
        else:                                    # `<` or `<!--`
            if start is not None:
                marks.append(start)
            start = m.start()
            if token == "<!--":
                end = fragment.find("-->", m.start() + 4)
                if end < 0:
                    break
                start, pos = None, end + 3
    if not marks:
        return fragment
    chars = list(fragment)
    for at in marks:
        chars[at] = _TEXT_LT
    return "".join(chars)


_UNFINISHED_TAG = re.compile(r"</?([A-Za-z][^\s/>]*)/?\s")


def unfinished_tag(tail: str, allow_all: bool = False) -> int:
    """Where a tag left unfinished at the end of a raw HTML block starts in `tail` (the text after the
    block's last `>`), or len(tail). marp-core's sanitizer (js-xss) reads a `<` to the end of its input
    as a tag when no `>` follows: `<div id="foo"\n*hi*\n` is `<div>` there. Only the last `<` can
    start one; its name ends at a space (the block's final newline); a quote opened after `=` and
    never closed leaves it text, and so does a tag off the allowlist (shown as written)."""
    start = tail.rfind("<")
    m = _UNFINISHED_TAG.match(tail, start) if start >= 0 else None
    if m is None or not (allow_all or m.group(1).lower() in ALLOWED):
        return len(tail)
    quote = last = ""
    for ch in tail[m.end(1):]:
        if quote:
            quote, last = ("", ch) if ch == quote else (quote, last)
        elif ch in "\"'" and last == "=":
            quote = ch
        elif not ch.isspace():
            last = ch
    return len(tail) if quote else start


def close_open(stack: list[str]) -> str:
    """End tags for the elements a slide's raw HTML left open (so they cannot swallow the footer)."""
    closing = "".join(f"</{tag}>" for tag in reversed(stack))
    stack.clear()
    return closing


# WeasyPrint lays out a text box by asking Pango for the first line of all the text left in it, once per
# line and once per break opportunity when it measures the box's min-content width: a run of n characters
# costs about n x (break opportunities), minutes for a 20,000-character line of `$` (a break between each)
# or `&lt;!--`, or thousands of words in a box narrowed by deep nesting. A run longer than BOX_START
# characters is therefore split into text boxes of about BOX_PIECE characters by an empty `<span></span>`,
# placed after a space where there is one (the same break opportunities, the same lines) and anywhere in a
# run without spaces (such a run is broken anywhere by `overflow-wrap` anyway). The PDF only.
# Even so every break opportunity costs a call into Pango at each layout: a "word" (a run without
# spaces) is cut after MAX_WORD characters, which is some twenty lines of a slide, and the slide is then
# reported as cut.
BOX_START = 400
BOX_PIECE = 32
MAX_WORD = 2_000
_BOX_MARK = "<span></span>"
_FOREIGN = frozenset({"svg", "math"})


class _Truncate(HTMLParser):
    """Re-emits already filtered HTML up to a budget of text and elements, then closes what is open; long
    text runs are split into boxes of BOX_PIECE characters (above)."""

    def __init__(self, max_text: int, max_elements: int):
        super().__init__(convert_charrefs=False)
        self.text_left, self.elements_left = max_text, max_elements
        self.out: list[str] = []
        self.stack: list[str] = []
        self.cut = False
        self.run = self.piece = 0     # characters since the last tag, and since the last box boundary
        self.foreign = 0              # inside svg or math: no span may go there
        self.marked = 0
        self.word = 0                 # characters since the last space
        self.word_cut = False

    def handle_starttag(self, tag, attrs):
        if self.cut or self.elements_left <= 0:
            self.cut = True
            return
        self.elements_left -= 1
        self.run = self.piece = 0
        self.out.append(self.get_starttag_text() or "")
        if tag not in VOID:
            self.stack.append(tag)
            self.foreign += tag in _FOREIGN

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if self.stack and self.stack[-1] == tag and not self.cut:
            self.stack.pop()
            self.foreign -= tag in _FOREIGN

    def handle_endtag(self, tag):
        if self.cut or tag not in self.stack:
            return
        self.run = self.piece = 0
        while self.stack:
            open_tag = self.stack.pop()
            self.foreign -= open_tag in _FOREIGN
            self.out.append(f"</{open_tag}>")
            if open_tag == tag:
                break

    def handle_data(self, data, atomic: bool = False):
        if self.cut:
            return
        if len(data) > self.text_left:
            data, self.cut = ("" if atomic else data[:self.text_left]), True
        self.text_left -= len(data)
        if self.cdata_elem or self.foreign or self.run + len(data) <= BOX_START:
            self.run += len(data)
            self.piece += len(data)
            space = max(data.rfind(" "), data.rfind("\n"), data.rfind("\t"))
            self.word = len(data) - space - 1 if space >= 0 else self.word + len(data)
            self.out.append(data)
        else:
            self.out.append(self._boxed(data, atomic))

    def _boxed(self, data: str, atomic: bool) -> str:
        """`data` with a box boundary after each BOX_PIECE characters: after a space, or within a word
        longer than BOX_PIECE after 2 x BOX_PIECE; an entity reference (atomic) is never cut."""
        out = []
        for ch in (data,) if atomic else data:
            if ch in " \t\n":
                self.word = 0
            elif self.word >= MAX_WORD:
                self.word_cut = True  # the rest of the word is left out; what follows it stays
                continue
            else:
                self.word += len(ch)
            space = ch in " \t\n"
            if not space and self.piece >= 2 * BOX_PIECE and self.word > BOX_PIECE and self.run >= BOX_START:
                out.append(_BOX_MARK)
                self.piece, self.marked = 0, self.marked + 1
            out.append(ch)
            self.run += len(ch)
            self.piece += len(ch)
            if space and self.piece >= BOX_PIECE and self.run >= BOX_START:
                out.append(_BOX_MARK)
                self.piece, self.marked = 0, self.marked + 1
        return "".join(out)

    def handle_entityref(self, name):
        self.handle_data(f"&{name};", atomic=True)

    def handle_charref(self, name):
        self.handle_data(f"&#{name};", atomic=True)


def truncate_html(fragment: str, max_text: int, max_elements: int) -> tuple[str, bool]:
    """The fragment cut after `max_text` characters of text or `max_elements` elements, still well formed,
    its long text runs split into boxes (BOX_START); and whether anything was cut. Far more than a slide
    can show: it only bounds the layout of a pathological slide (a table of thousands of rows took
    minutes)."""
    t = _Truncate(max_text, max_elements)
    t.feed(fragment)
    t.close()
    if not t.cut and not t.marked and not t.word_cut:
        return fragment, False
    return "".join(t.out) + "".join(f"</{tag}>" for tag in reversed(t.stack)), t.cut or t.word_cut
