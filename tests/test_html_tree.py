"""export/html_tree.py: the tree of a slide's document, built from html.parser's tokens, is tinyhtml5's tree
(what WeasyPrint would parse) or nothing (None: WeasyPrint then parses with tinyhtml5)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
import tinyhtml5

from slidekit.export.html_tree import parse_document

HEAD = '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>T &amp; t</title>\n</head>\n'


def _document(body: str) -> str:
    return f"{HEAD}<body>{body}</body>\n</html>\n"


def _same_as_tinyhtml5(text: str):
    mine = parse_document(text)
    if mine is not None:
        assert ET.tostring(mine) == ET.tostring(tinyhtml5.parse(text, namespace_html_elements=False))
    return mine


PLAIN = {
    "slide": '<div class="sk-deck sk-page" data-theme="gaia"><section id="1" style="--paginate:true">\n'
             '<h1 id="t">Title</h1>\n<p>Text with <strong>bold</strong>, <em>it</em> and <code>x &lt; y</code>'
             '</p>\n</section></div>\n',
    "whitespace after the body is the body's": "<p>a</p>\n\n",
    "entities in text": "<p>&copy; &notin; &amp &lt;b&gt; &#x41;&#66; caf&eacute;</p>",
    "entities in attributes": '<a href="https://e.com/?a=1&amp;b=2" title="&quot;q&quot;">link</a>',
    "a pre's first newline is not its text": "<pre><code>\nline 1\n  line 2\n</code></pre><pre>\nx</pre>",
    "void and boolean attributes": '<p>a<br>b<img src="x.png" alt="" hidden><input-like></input-like></p><hr>',
    "the first of twice the same attribute": '<p class="a" class="b">x</p>',
    "nested lists": "<ul>\n<li>a\n<ul>\n<li>b</li>\n</ul>\n</li>\n<li>c</li>\n</ul>\n<ol><li><p>d</p></li></ol>",
    "a table with its row groups": "<table>\n<thead>\n<tr>\n<th>a</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n"
                                   "<td>1</td>\n</tr>\n</tbody>\n</table>",
    "a style in the body": "<style>section { color: red; } a > b { x: '<p>' }</style><p>s</p>",
    "links, marks, headings": '<h2><a href="#5">to 5</a></h2><p><mark>m</mark><s>s</s></p><blockquote>\n'
                              '<p>q</p>\n</blockquote><figure><img src="a.png"><figcaption>c</figcaption></figure>',
}

GIVES_UP = {
    "a block in a paragraph": "<p>a<div>b</div></p>",
    "an item closing another": "<ul><li>a<li>b</ul>",
    "a row without its row group": "<table><tr><td>1</td></tr></table>",
    "text in a table": "<table>x<tbody></tbody></table>",
    "a missing end tag": "<div><p>a</div>",
    "an end tag out of order": "<b><i>x</b></i>",
    "svg": '<p><svg viewBox="0 0 1 1"><rect width="1" height="1"/></svg></p>',
    "a comment": "<p>a<!-- b --></p>",
    "a legacy reference in an attribute": '<a href="?a=1&copy=2">x</a>',
    "a non-void element closed by a slash": "<div/><p>x</p>",
    "a link in a link": '<a href="a">1<a href="b">2</a></a>',
    "a carriage return": "<p>a\r\nb</p>",
    "a script": "<script>if (a < b) {}</script>",
    "a no-break space in a table": "<table>\u00a0<tbody></tbody></table>",
}


@pytest.mark.parametrize("body", PLAIN.values(), ids=PLAIN.keys())
def test_plain_markup_is_built_as_tinyhtml5_builds_it(body):
    assert _same_as_tinyhtml5(_document(body)) is not None


@pytest.mark.parametrize("body", GIVES_UP.values(), ids=GIVES_UP.keys())
def test_markup_html5_would_rearrange_is_left_to_tinyhtml5(body):
    assert _same_as_tinyhtml5(_document(body)) is None


def test_only_a_whole_document_is_built():
    assert parse_document("<p>a fragment</p>") is None
    assert parse_document(HEAD.replace("</head>\n", "</head>\u00a0") + "<body></body></html>") is None
    assert parse_document(HEAD + "<body><p>no end</p>") is None
    assert parse_document(HEAD + "<body></body></html><p>after</p>") is None


def test_slide_documents_of_a_deck_laid_out_from_either_tree_give_the_same_pdf(tmp_path, monkeypatch):
    # The deck's PDF is the same, byte for byte, when every slide's document is parsed by tinyhtml5.
    from slidekit.api import BuildOptions, build_file
    from slidekit.export import html_tree
    from slidekit.export.pdf import forget_pages
    monkeypatch.setenv("SLIDEKIT_CACHE", "off")
    deck = tmp_path / "talk.md"
    deck.write_text("---\nmarp: true\ntheme: gaia\npaginate: true\nfooter: '**Talk** & co'\n---\n\n"
                    "# Title\n\nSee [slide 2](#2), [the web](https://example.com/?a=1&b=2).\n\n---\n\n"
                    "## Lists\n\n- a\n  - b\n- c\n\n1. one\n2. two\n\n---\n\n"
                    "| a | b |\n|---|--:|\n| 1 | **2** |\n\n```python\nprint('<x>')\n```\n\n---\n\n"
                    "> quote &copy; `code`\n\nMaths $x^2$ drawn as SVG.\n", encoding="utf-8")
    built = []
    calls = []
    real = html_tree.parse_document

    def counted(text):
        tree = real(text)
        calls.append(tree is not None)
        return tree
    for parse in (counted, lambda text: None):
        monkeypatch.setattr(html_tree, "parse_document", parse)
        forget_pages()          # (laid-out pages are kept in memory for the next build)
        built.append(build_file(deck, BuildOptions(format="pdf", jobs=1, pdf_cache=False)).output)
    assert any(calls) and not all(calls)       # most slides built here, the one with maths by tinyhtml5
    assert built[0] == built[1]


def test_a_document_made_from_the_tree_is_the_one_weasyprint_makes_from_the_text(tmp_path):
    import weasyprint
    import weasyprint.urls

    from slidekit.export.html_tree import weasy_html
    text = _document(PLAIN["slide"])
    fetcher = weasyprint.urls.URLFetcher()
    for base_url in (str(tmp_path) + "/", tmp_path.as_uri() + "/"):
        made, parsed = (weasy_html(weasyprint.HTML, text, base_url, fetcher),
                        weasyprint.HTML(string=text, base_url=base_url, url_fetcher=fetcher))
        assert sorted(vars(made)) == sorted(vars(parsed))
        assert (made.base_url, made.media_type, made.url_fetcher) == (parsed.base_url, "print", fetcher)
        assert ET.tostring(made.etree_element) == ET.tostring(parsed.etree_element)
