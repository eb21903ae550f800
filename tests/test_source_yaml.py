"""Directive comments and front-matter of plain `key: value` lines are read without PyYAML
(slidekit/source.py `simple_mapping`); whatever that reading gives, PyYAML gives too."""

from __future__ import annotations

import textwrap

import pytest
from hypothesis import given, settings, strategies as st

from slidekit.deck.directives import DIRECTIVE_NAMES, parse_comment_yaml
from slidekit.source import load_with_pyyaml, load_yaml, parse_source, simple_mapping


@pytest.mark.parametrize("text, expected", [
    ("_class: lead", {"_class": "lead"}),
    ("  _paginate: false\n  _footer: ''\n", {"_paginate": False, "_footer": ""}),
    ("theme: gaia\npaginate: true\nfooter: \"Swiss AI Center\"", {"theme": "gaia", "paginate": True,
                                                                   "footer": "Swiss AI Center"}),
    ("Speaker note for slide 9: container data review.", {"Speaker note for slide 9": "container data review."}),
    ("url: https://example.org/a?b=1", {"url": "https://example.org/a?b=1"}),
    ("a: FALSE\nb: NULL\na: true", {"a": True, "b": None}),
    # YAML 1.2's booleans, as js-yaml (Marp) reads them: yes/no/on/off are words
    ("paginate: yes\nheader: on\nOff: no", {"paginate": "yes", "header": "on", "Off": "no"}),
    ("class: lead invert", {"class": "lead invert"}),
    ("size: 16:9\nheadingDivider: 2\npaginate: 0", {"size": "16:9", "headingDivider": 2, "paginate": 0}),
    ("style: |\n  a {}\n\n    b # c\n  \n", {"style": "a {}\n\n  b # c"}),   # the last line has no break
    ("style: |-\n    :root {\n      x: y;\n    }\ntheme: gaia", {"style": ":root {\n  x: y;\n}", "theme": "gaia"}),
    ("style: |\ntheme: gaia", {"style": "", "theme": "gaia"}),
])
def test_plain_lines_are_read_without_pyyaml(text, expected):
    mapping = simple_mapping(textwrap.dedent(text.rstrip()))
    assert repr(mapping) == repr(expected)
    assert repr(load_with_pyyaml(textwrap.dedent(text.rstrip()))) == repr(expected)


@pytest.mark.parametrize("text", [
    "a: 07", "a: 1.5", "a: 0x1F", "a: 2024-01-02", "color: #fff", "footer: ![x](y.png)", "style: |\n\ta",
    "style: |\n    a\n  b", "style: |\n      \n    a", "style: |2\n  a", "style: >\n  a", "style: |+\n  a\n",
    "a: b # comment", "a: b: c", "true: a", "a: [1, 2]", "a: {b: c}", "a: 'it''s'", 'a: "\\u0041"',
    "a: b\n  c", "a:\tb", "a: ~", "a:", "just a note", "a: b\n# c", "<<: x", "a: -x", "a: .5",
])
def test_anything_else_is_left_to_pyyaml(text):
    assert simple_mapping(text) is None


SIMPLE_VALUES = st.sampled_from(["lead", "true", "False", "OFF", "null", "Null", "''", "'a b'", '"q"', "(a)",
                                 "/p", "lead invert", "http://x/y", "a[b]", "it's", "x#y", "é ü", "On"])
PLAIN_KEYS = st.sampled_from(["_class", "paginate", "_footer", "theme", "headingDivider", "Note for slide 3",
                              "a.b", "x-y", "_", "size"])
KEYS = st.one_of(PLAIN_KEYS, PLAIN_KEYS, PLAIN_KEYS, st.sampled_from(["yes", "On", "null", "<<", "a b "]),
                 st.text(alphabet="abAB_ .-:#'\"1", min_size=1, max_size=8))
VALUES = st.one_of(st.sampled_from(["lead", "true", "False", "OFF", "null", "Null", "~", "16:9", "1", "0x1F",
                                    "1.5", "2024-01-02", "#fff", "''", "'a b'", '"q"', "'it''s'", "a # b",
                                    "a: b", "http://x/y", "(a)", "/p", "lead invert", "b:", "[a]", "{a: b}",
                                    "&a", "*a", "!x", "|", ">", "-", "- a", "é", "a\u2028b", "a\x85b"]),
                   st.text(alphabet="ab :#'\"[]{}!&*%@`|>-_./()0123456789é\t", max_size=10),
                   SIMPLE_VALUES, SIMPLE_VALUES, SIMPLE_VALUES)


BLOCKS = st.builds(lambda indent, lines, chomp: chomp + "".join(f"\n{indent}{line}" if line else "\n" for line in lines),
                   st.sampled_from([" ", "  ", "    "]),
                   st.lists(st.sampled_from(["a {}", "", ":root {", "  --x: #fff;", "}", "# c", "x: y", "\t",
                                             " ", "b\u2028"]), max_size=5),
                   st.sampled_from(["|", "|", "|-", "|+", ">"]))
VALUES = st.one_of(VALUES, BLOCKS, BLOCKS)


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["", "", "", " "]), KEYS, st.sampled_from([": ", ": ", ":  ", " : ", ":"]),
                          VALUES, st.sampled_from(["", "", " ", "\n"])), min_size=1, max_size=3),
       st.sampled_from(["", "", "  ", "\t"]))
def test_the_simple_reading_agrees_with_pyyaml(lines, indent):
    text = "\n".join(indent + lead + key + colon + value + tail for lead, key, colon, value, tail in lines)
    dedented = textwrap.dedent(text.rstrip())
    simple = simple_mapping(dedented)
    if simple is None:
        return
    assert repr(load_with_pyyaml(dedented)) == repr(simple)     # repr: True is not 1, keys in order
    assert repr(load_yaml(text)) == repr(simple)
    # Marp's reading of directives' values (a backslash, ` #`) never differs where the simple reading applies
    assert repr(load_with_pyyaml(dedented, DIRECTIVE_NAMES)) == repr(simple)



# Marp reads a directive's value that starts with none of " ' { | > ~ & * as a YAML double-quoted string
# (checked with marp-cli 4.5.1: footers and notes of a deck of these comments).
@pytest.mark.parametrize("comment, expected", [
    (r" _footer: One\nTwo ", {"_footer": "One\nTwo"}),                       # two lines (a <br> in the footer)
    ("_footer: Slide #3 here", {"_footer": "Slide #3 here"}),                # not a YAML comment
    (r"_footer: tab\tafter and \\ slash", {"_footer": "tab\tafter and \\ slash"}),
    (r'header: say "hi"\n', {"header": 'say "hi"\n'}),
    ("color: #fff # red?", {"color": "#fff # red?"}),
    ("header: '[up](#1)'  # a YAML comment after a quoted value", {"header": "[up](#1)"}),
    (r'"_footer": a\nb', {"_footer": "a\nb"}),                               # a quoted name, as Marp allows
    (r"notes: a\nb # c", {"notes": r"a\nb"}),                                # not a directive: plain YAML
    (r"_footer: \*x\* star", None),                                          # an unknown escape: a note
    (r"_footer: C:\path\file", None),
    ("_class: lead\n_footer: plain", {"_class": "lead", "_footer": "plain"}),
])
def test_directive_values_are_read_as_marp_reads_them(comment, expected):
    assert parse_comment_yaml(comment) == expected


def test_front_matter_values_too_and_an_unknown_escape_is_a_warning_with_its_line():
    source = parse_source("---\ntheme: gaia\nfooter: Issue #1 \\u00e9\n---\n\n# A\n")
    assert source.front_matter == {"theme": "gaia", "footer": "Issue #1 é"}
    from slidekit.diagnostics import Diagnostics
    found = Diagnostics()
    parse_source("---\ntheme: gaia\nfooter: C:\\path\n---\n\n# A\n", diagnostics=found)
    (error,) = list(found)
    # Marp ignores a front-matter it cannot read: the slides are built without it, and slidekit says why
    assert error.level == "warning" and error.line == 3 and "escape" in error.message
    assert "ignored" in error.message
