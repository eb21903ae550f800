"""Raw HTML and directive values cannot run code or break out of where they land (issue 5)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from slidekit.api import BuildOptions, build_text
from slidekit.markdown.html_filter import filter_html, is_safe_url, parse_srcset


def _deck_part(text: str, **options) -> str:
    """The built HTML without slidekit's own scripts and viewer styles."""
    out = build_text(text, BuildOptions(offline=True, **options)).output
    head, _, body = out.partition("</head>")
    body = body.split('<script id="sk-')[0]      # slidekit's own scripts (viewer, fitting) come last
    return re.sub(r'<style id="sk-viewer">.*?</style>', "", head, flags=re.S) + body


class _Tags(HTMLParser):
    """Every real start tag of a document, as a browser's tokenizer sees it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    handle_startendtag = handle_starttag


DANGEROUS_TAGS = {"script", "iframe", "object", "embed", "svg", "math", "form", "base", "frame", "frameset",
                  "link", "applet", "button", "input", "textarea", "select"}
URL_ATTRS = {"href", "src", "action", "formaction", "poster", "background", "srcset", "cite", "xlink:href"}
# slidekit's own tags that carry a style it writes itself (sizes, layers, split), never the deck's text
OWN_STYLE = {"section", "figure", "div", "img", "meta"}


def _live(html: str) -> list[str]:
    """Markup that would run or load something: real tags and attributes, not escaped text."""
    parser = _Tags()
    parser.feed(html)
    found = []
    for tag, attrs in parser.tags:
        if tag in DANGEROUS_TAGS and not (tag == "input" and attrs.get("type") == "checkbox"):
            found.append(tag)
        for name, value in attrs.items():
            cleaned = re.sub(r"[\x00-\x20]+", "", value).lower()
            if name.startswith("on"):
                found.append(f"{tag} {name}")
            urls = [u for u, _ in parse_srcset(value)] if name == "srcset" else [value]
            for url in urls if name in URL_ATTRS else []:
                if re.match(r"(javascript|vbscript|data:(?!image/))", re.sub(r"[\x00-\x20]+", "", url).lower()):
                    found.append(f"{tag} {name}={value}")
            if name == "content" and "http-equiv" in attrs:
                found.append(f"{tag} content={value}")
            if name == "style" and (tag not in OWN_STYLE or re.search(r"</|[:,(]url\(['\"]?javascript",
                                                                    re.sub(r"--[\w-]+:[^;]*", "", cleaned))):
                found.append(f"{tag} style={value}")
    return found


ATTACKS = [
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '<a href="javascript:alert(1)">a</a>',
    '<a href="JaVaScRiPt:alert(1)">a</a>',
    '<a href="&#106;avascript:alert(1)">a</a>',
    '<a href="jav&#x09;ascript:alert(1)">a</a>',
    '<a href="vbscript:msgbox(1)">a</a>',
    '<a href="data:text/html,<script>alert(1)</script>">a</a>',
    '<iframe src="https://example.com"></iframe>',
    '<svg onload=alert(1)>',
    '<div style="background:url(javascript:alert(1))" onclick="alert(1)">x</div>',
    '<span style="color:red">x</span>',
    '<object data="x.swf"></object>',
    '<form action="javascript:alert(1)"><button formaction="javascript:x">b</button></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<img src="data:text/html,<script>alert(1)</script>">',
    '<video poster="javascript:alert(1)"></video>',
    '<a href=" javascript:alert(1)">a</a>',
    '<<script>script>alert(1)<</script>/script>',
    '<img/src=x/onerror=alert(1)>',
    '<img src="a.png" srcset="a.png 1x, javascript:alert(1) 2x">',
    '<picture><source srcset="ok.png 1x,vbscript:x 2x"><img src="a.png"></picture>',
    '<img srcset="data:text/html,<script>alert(1)</script> 2x">',
]


@pytest.mark.parametrize("attack", ATTACKS)
@pytest.mark.parametrize("where", ["block", "inline", "header", "footer", "note", "list"])
def test_raw_html_is_filtered_everywhere(attack, where):
    quoted = attack.replace("'", "''")
    text = {
        "block": f"# t\n\n{attack}\n",
        "inline": f"# t\n\nsome text {attack} more\n",
        "header": f"<!-- header: '{quoted}' -->\n\n# t\n",
        "footer": f"---\nfooter: '{quoted}'\n---\n\n# t\n",
        "note": f"# t\n\n<!-- a note: {attack} -->\n",
        "list": f"# t\n\n- item {attack}\n  > {attack}\n",
    }[where]
    assert _live(_deck_part(text)) == []


def test_html_option_lets_raw_html_through():
    """The filter is what removes these: with --html (a trusted deck) the same tags stay."""
    assert _live(_deck_part("# t\n\n<img src=x onerror=alert(1)>\n", allow_html=True))


def test_a_deck_cannot_turn_on_raw_html_itself():
    result = build_text("---\nhtml: true\n---\n\n<script>alert(1)</script>\n", BuildOptions())
    assert "<script>alert(1)" not in result.output
    assert any(d.code == "html-directive" for d in result.diagnostics)


@pytest.mark.parametrize("link", ["[a](javascript:alert(1))", "[a](JAVASCRIPT:alert(1))", "[a](vbscript:x)",
                                  "[a](data:text/html,x)", "<javascript:alert(1)>", "[a][r]\n\n[r]: javascript:alert(1)",
                                  "![x](javascript:alert(1))", "[a](java&#115;cript:alert(1))",
                                  "[a](&#x6A;avascript:alert(1))"])
def test_markdown_links_with_scripts_are_not_live(link):
    assert _live(_deck_part(f"# t\n\n{link}\n")) == []


def test_markdown_safe_links_stay():
    html = _deck_part("[a](https://example.com) [m](mailto:a@b.c) [r](other.md#x) ![i](data:image/png;base64,AAAA)")
    for href in ('href="https://example.com"', 'href="mailto:a@b.c"', 'href="other.md#x"', 'src="data:image/png;base64,AAAA"'):
        assert href in html


BREAKOUTS = ["red;}</style><script>alert(1)</script>", 'red" onmouseover="alert(1)', "red'><script>alert(1)</script>",
             "</section><script>alert(1)</script>", "expression(alert(1))", "url(javascript:alert(1))"]


@pytest.mark.parametrize("name", ["color", "backgroundColor", "backgroundImage", "backgroundSize", "backgroundPosition",
                                  "backgroundRepeat", "class", "_class", "_color", "paginate", "transition"])
@pytest.mark.parametrize("value", BREAKOUTS)
def test_directive_values_cannot_break_out(name, value):
    quoted = value.replace("'", "''")
    for text in (f"<!-- {name}: '{quoted}' -->\n\n# t\n", f"---\n{name.lstrip('_')}: '{quoted}'\n---\n\n# t\n"):
        html = _deck_part(text)
        assert _live(html) == []
        assert html.count("</section>") == 1 and html.count("<section") == 1


@pytest.mark.parametrize("value", BREAKOUTS)
def test_global_directives_in_head_are_escaped(value):
    quoted = value.replace("'", "''")
    keys = ["title", "description", "author", "keywords", "lang", "theme", "size", "url", "image", "style"]
    text = "---\n" + "".join(f"{k}: '{quoted}'\n" for k in keys) + "---\n\n# t\n"
    html = _deck_part(text)
    assert _live(html) == []
    assert html.count("<title>") == 1 and "</style><script" not in html


def test_meta_urls_drop_script_schemes():
    html = _deck_part("---\nurl: javascript:alert(1)\nimage: 'data:text/html,<script>x</script>'\n---\n# t")
    assert 'property="og:url"' not in html and 'property="og:image"' not in html
    html = _deck_part("---\nurl: https://example.com/deck\nimage: https://example.com/x.png\n---\n# t")
    assert 'content="https://example.com/deck"' in html and 'content="https://example.com/x.png"' in html


def test_title_from_heading_is_escaped():
    html = _deck_part("# <script>alert(1)</script> &lt;b&gt;\n")
    assert _live(html) == []
    assert re.search(r"<title>[^<]*</title>", html)


def test_style_tag_cannot_close_the_stylesheet():
    html = _deck_part("<style>h1{color:red}</style><script>alert(1)</script>\n\n---\n\n<style>a{}</style ><img src=x onerror=y>")
    assert _live(html) == []


@pytest.mark.parametrize("url,image,safe", [
    ("https://x", False, True), ("/a/b", False, True), ("#f", False, True), ("mailto:a@b", False, True),
    ("javascript:x", False, False), (" JavaScript:x", False, False), ("java\tscript:x", False, False),
    ("&#106;avascript:x", False, False), ("vbscript:x", False, False), ("data:text/html,x", True, False),
    ("data:image/png;base64,AA", True, True), ("data:image/png;base64,AA", False, False), ("file:///etc/passwd", True, False),
])
def test_is_safe_url(url, image, safe):
    assert is_safe_url(url, image=image) is safe


def test_filter_keeps_allowlisted_markup():
    out = filter_html('<span class="a" style="x" onclick="y">t</span><br><a href="https://x" target="_blank">l</a>')
    assert out == '<span class="a">t</span><br><a href="https://x" target="_blank">l</a>'


def test_filter_escapes_what_it_does_not_know():
    assert filter_html("<x-foo a=1>t</x-foo>") == "&lt;x-foo a=1&gt;t&lt;/x-foo&gt;"
    assert filter_html("a < b <x-foo ") == "a &lt; b &lt;x-foo "


def test_a_lt_inside_a_tag_starts_it_again_as_js_xss_reads_it():
    # js-xss (marp-core's sanitizer) reads a tag from `<` to the next `>` outside quotes: a `<` before
    # it starts the tag again, and what came before is text; a `<` in a quoted value is the value's
    assert filter_html("<span <em>x</em>") == "&lt;span <em>x</em>"
    assert filter_html('<img src=x.png <img src=y.png onerror="alert(1)">') == '&lt;img src=x.png <img src="y.png">'
    assert filter_html('<b title="<i>">x</b> < y') == '<b title="&lt;i&gt;">x</b> &lt; y'
    assert filter_html("a </ b> c </> d") == "a &lt;/ b&gt; c &lt;/&gt; d"
    assert "\x00" not in filter_html("a\x00<span <b>x</b>")


def test_a_tag_left_unfinished_at_the_end_is_filtered_as_a_tag():
    # marp-core's sanitizer (js-xss) reads a `<` with no `>` after it to the end as a tag: it goes
    # through the allowlist like any other, and stays text off it or with a quoted value left open
    assert filter_html("a < b <a ") == "a &lt; b <a>"
    assert filter_html('<img src="x.png" onerror=alert(1) style="x"\n') == '<img src="x.png">'
    assert filter_html('<a href="javascript:alert(1)"\n') == "<a>"
    assert filter_html('<script src="x.js"\n') == '&lt;script src="x.js"\n'
    assert filter_html('<div title="a\nb') == '&lt;div title="a\nb'


# srcset: a list of URLs, each checked like a src --------------------------------------------------------
SRCSETS = [   # (srcset as written, as kept; None: the attribute is dropped)
    ("a.png 1x, b.png 2x", "a.png 1x, b.png 2x"),
    ("a.png 1x, javascript:alert(1) 2x", "a.png 1x"),
    ("JaVaScRiPt:alert(1) 1x, b.png 2x", "b.png 2x"),
    ("&#106;avascript:alert(1) 2x", None),
    ("vbscript:x", None),
    ("data:text/html,x 1x, data:image/png;base64,AAAA 2x", "data:image/png;base64,AAAA 2x"),
    ("https://example.com/a.png 640w,  /b.png   1280w", "https://example.com/a.png 640w, /b.png 1280w"),
    ("a.png,b.png 2x", "a.png,b.png 2x"),                  # a comma inside a URL is part of it, as in HTML
    ("a.png 2x,, b.png 1x,", "a.png 2x, b.png 1x"),
    ("a.png (broken, b.png 2x", None),                   # a bad descriptor: the candidate is left out
    ('a.png 1x" onerror="alert(1)', None),
]


@pytest.mark.parametrize("written, kept", SRCSETS)
@pytest.mark.parametrize("tag", ["img", "source"])
def test_srcset_keeps_only_safe_candidates(tag, written, kept):
    out = filter_html(f'<{tag} srcset="{written.replace(chr(34), "&quot;")}">')
    if kept is None:
        assert out == f"<{tag}>"
    else:
        assert out == f'<{tag} srcset="{kept}">'


def test_srcset_paths_outside_the_folder_are_refused(tmp_path):
    folder = tmp_path / "talk"
    folder.mkdir()
    (tmp_path / "secret.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (folder / "in.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    path = folder / "deck.md"
    path.write_text(f'# t\n\n<img src="in.png" srcset="in.png 1x, ../secret.png 2x, {tmp_path}/secret.png 3x">\n\n'
                    '<picture><source srcset="../secret.png"><img src="in.png"></picture>\n', encoding="utf-8")
    from slidekit.api import build_file
    for fmt in ("html", "pdf"):
        result = build_file(path, BuildOptions(format=fmt))
        text = result.output.decode("latin-1") if isinstance(result.output, bytes) else result.output
        assert "secret" not in text, fmt
        refused = [d.format() for d in result.diagnostics if d.code == "outside-folder"]
        assert any("../secret.png" in w for w in refused) and any(f"{tmp_path}/secret.png" in w for w in refused)
        if fmt == "html":
            assert 'srcset="in.png 1x"' in text and "<source>" in text
    trusted = build_file(path, BuildOptions(format="html", allow_local_files=True)).output
    assert 'srcset="in.png 1x, ../secret.png 2x' in trusted


# Bounded PDF layout: long text runs become small text boxes (html_filter.truncate_html) ----------------
from slidekit.markdown import html_filter as _hf  # noqa: E402


@pytest.fixture
def small_boxes(monkeypatch):
    monkeypatch.setattr(_hf, "BOX_START", 20)
    monkeypatch.setattr(_hf, "BOX_PIECE", 5)
    monkeypatch.setattr(_hf, "MAX_WORD", 40)


BOXES = [   # (slide HTML, as laid out in the PDF, cut); `|` stands for the empty box boundary
    ("<p>short text</p>", "<p>short text</p>", False),
    ("<p>" + "ab " * 10 + "</p>", "<p>ab ab ab ab ab ab ab |ab ab |ab </p>", False),
    ("<p>" + "$" * 32 + "</p>", "<p>" + "$" * 20 + "|" + "$" * 10 + "|$$</p>", False),
    ("<p>" + "&gt;" * 8 + "</p>", "<p>" + "&gt;" * 5 + "|&gt;&gt;&gt;</p>", False),     # never inside a reference
    ("<p>" + "x" * 50 + " after</p>", "<p>" + "x" * 20 + "|" + "x" * 10 + "|" + "x" * 10 + " |after</p>", True),
    ("<pre><code>" + "a b " * 8 + "</code></pre>", "<pre><code>a b a b a b a b a b |a b a |b a b |</code></pre>", False),
    ("<p><svg><text>" + "y " * 20 + "</text></svg></p>", "<p><svg><text>" + "y " * 20 + "</text></svg></p>", False),
]


@pytest.mark.parametrize("fragment, laid_out, cut", BOXES)
def test_long_text_runs_become_small_boxes_in_the_pdf(small_boxes, fragment, laid_out, cut):
    out, was_cut = _hf.truncate_html(fragment, 20_000, 1_500)
    assert (out.replace("<span></span>", "|"), was_cut) == (laid_out, cut)


def test_boxes_leave_the_text_as_it_was():
    prose = "<p>" + " ".join(f"word{i}" for i in range(400)) + "</p>"
    out, cut = _hf.truncate_html(prose, 20_000, 1_500)
    assert not cut and out.count("<span></span>") > 30 and out.replace("<span></span>", "") == prose
    assert all(piece.endswith(" ") for piece in out.split("<span></span>")[:-1])   # only after a space
