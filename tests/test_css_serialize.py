"""The stylesheet's serialiser (slidekit/render/css.py) writes CSS that cannot end its <style> element and
keeps each token's meaning (issue 19, item 1). The browser side is tests/browser/test_css_breakout.py."""
from __future__ import annotations

import pytest
import tinycss2

from slidekit.render.css import _scope_css, serialize, style_element_text


@pytest.mark.parametrize("css", [
    'a { content: "\\3c/style><script>x</script>" }', "a { content: '</STYLE>' }", "a\\3c/style { x: y }",
    "#\\3c/style { x: y }", "a { width: 3\\3c/style }", "@\\3c/style x { }", "a { --x: </style> }",
    "a { background: url(</style>) }", "a { x: f(</style>) [</style>] (</style>) }", "a { /* </style> */ x: y }",
    "a { x: <!-- y --> }", "a[title='</style>'] { x: y }", "@media </style> { a { x: y } }",
    "@font-face { font-family: '</style>'; src: url('</style>') }", "</style><script>x</script> p { x: y }",
])
def test_no_end_tag_or_comment_opener_leaves_the_serialiser(css):
    out = _scope_css(css, ".s")
    assert "</" not in out and "<!" not in out, out


@pytest.mark.parametrize("css", [
    'a { content: "\\3c/style> \\"q\\" \\\\" }', "a\\3c b { x: y }", "a { background: url(</x>) }",
    "@media (width < 600px) and (400px <= height) { a { x: y } }", "a { width: calc(1px + 2em) }",
    "a { x: 1e3 U+26 }", "a{b:c}d{e:f}",
])
def test_tokens_keep_their_meaning(css):
    def tokens(nodes):
        return [(t.type, getattr(t, "value", None), getattr(t, "name", None),
                 tokens(getattr(t, "content", None) or getattr(t, "arguments", None) or []))
                for t in nodes if t.type not in ("whitespace", "comment")]
    written = serialize(tinycss2.parse_component_value_list(css))
    assert tokens(tinycss2.parse_component_value_list(written)) == tokens(tinycss2.parse_component_value_list(css))


def test_comments_go_without_joining_tokens():
    assert serialize(tinycss2.parse_component_value_list("a/**/b")) == "a/**/b"


def test_style_element_text():
    assert style_element_text('a{content:"</style>"}') == 'a{content:"<\\/style>"}'
    assert style_element_text("a{b:c}") == "a{b:c}"


@pytest.mark.parametrize("css, want", [
    # a stray comma after the rule before: Marpit (postcss) reads an empty selector, which it scopes to the slide
    ("blockquote { a: b },\n  section img { text-align: center }",
     ".s blockquote {a: b}\n.s, .s img {text-align: center}\n"),
    ("h1,, h2 { a: b }", ".s h1, .s, .s h2 {a: b}\n"),
    ("h1, h2 { a: b }", ".s h1, .s h2 {a: b}\n"),
])
def test_an_empty_selector_in_a_list_is_the_slide_as_in_marpit(css, want):
    assert _scope_css(css, ".s") == want
