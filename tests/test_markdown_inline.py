"""A text without "http" is inline-parsed without the bare-URL rule (markdown/__init__.py): mistune then
scans plain text past every "h". The tokens must be those of the parser with the rule, whatever the text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from slidekit.markdown import create_markdown, inline_parser, parse_tokens

PIECES = ["h", "hh", "ht", "htt", "ttp", "https", "http:", "hello", "the", "*", "**", "_", "__", "`", "~~", "[",
          "]", "(", ")", "![", "<", ">", "<b>", "</b>", "<!-- c -->", "&", "&amp;", "&h", "&hellip;", "&#104;",
          "\\", "\\h", ":smile:", ":h:", "$x$", "{% $title %}", "\n", "  \n", " ", "x", "é", "www.", "a@b.c",
          "<https://x.org>", "[a](b)", "[h]: /u"]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=25).map("".join).filter(lambda text: "http" not in text))
def test_a_text_without_http_gets_the_same_tokens_without_the_url_rule(text):
    md = create_markdown()
    env = {"front_matter": {"title": "T"}}
    assert inline_parser(md, text) is md.inline_without_url
    assert md.inline_without_url(text, dict(env)) == md.inline(text, dict(env))


def test_a_text_with_a_bare_url_keeps_the_rule():
    md = create_markdown()
    text = "see https://example.org/h for more"
    assert inline_parser(md, text) is md.inline
    tokens, _ = parse_tokens(md, text)
    link = [t for t in tokens[0]["children"] if t["type"] == "link"]
    assert link and link[0]["attrs"]["url"] == "https://example.org/h"
    # and the url-less parser would not have made it a link: the choice matters
    assert not [t for t in md.inline_without_url(text, {}) if t["type"] == "link"]
