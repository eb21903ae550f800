"""compile_deck skips the comment walk for slides whose span of the body holds no "<!--", the <style> walk
for those with no "<style" (in any case), and the image walk (backgrounds, the sweep of blank paragraphs) for slides with no "![", "&" or character
beyond printable ASCII (deck/compile.py). Skipping must never change the deck: the same tokens,
directives, notes, CSS and backgrounds as walking every slide, for decks built from the constructs where
HTML, images, blank paragraphs and slide breaks meet."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slidekit.deck import compile as compile_module
from slidekit.deck.compile import compile_deck
from slidekit.diagnostics import Diagnostics
from slidekit.source import parse_source

PIECES = [
    "# Title", "Setext", "---", "***", "text", "<span>a</span> <!-- _class: lead --> after",
    "<!-- _backgroundColor: red -->", "<!-- note for the speaker -->", "- item <!-- _color: blue -->",
    "> quote <!-- _paginate: true -->", "| a | b |\n|---|---|\n| <!-- _footer: f --> | c |",
    "<style scoped>h1 { color: red; }</style>", "<style>section { color: navy; }</style>",
    "```\n<!-- in code -->\n```", "`<!-- code span -->`", "![bg](a.png)", "[ref]: <http://x>",
    "<!-- fit -->", "## Two <!-- _header: h -->", "    <!-- indented code -->", "<div>\n\ntext\n\n</div>",
    "<!--\nheadingDivider: 2\n-->", "&lt;!-- not a comment --&gt;", "",
    "![bg right](a.png)", "![w:100](b.png)", "![bg](a.png) ![bg](c.png)", "\u3000\u3000", "\xa0", "&nbsp;",
    "&#32;", "&#x20;  \n&#32;", "\v", "text  \n\u2003", "- \u3000", "> \xa0", "é",
    "<STYLE>h2 { color: teal; }</Style>", "> <!--\n> _class: quoted\n> -->", "<!-", "<!--unclosed",
    "a <!--_color: green--> b", "<span>no comment</span>", "- <style scoped>p { margin: 0; }</style>",
]


def _compiled(text: str, walk_all: bool, monkeypatch):
    if walk_all:
        monkeypatch.setattr(compile_module, "_slide_spans", lambda slides, end: [None] * len(slides))
    else:
        monkeypatch.undo()
    diagnostics = Diagnostics()
    deck = compile_deck(parse_source(text, None, diagnostics), diagnostics=diagnostics)
    return ([(s.directives, s.notes, s.fit_comment, s.scoped_css, s.tokens, s.backgrounds, s.split,
              s.bg_direction) for s in deck.slides],
            deck.globals, deck.global_css, [(d.code, d.slide, d.line) for d in diagnostics])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=12),
       st.lists(st.sampled_from(["\n\n", "\n", "\n\n\n"]), min_size=12, max_size=12))
def test_skipping_slides_without_html_changes_nothing(monkeypatch, pieces, separators):
    text = "---\nmarp: true\n---\n\n" + "".join(p + sep for p, sep in zip(pieces, separators))
    assert _compiled(text, False, monkeypatch) == _compiled(text, True, monkeypatch)


def test_the_walk_is_skipped_where_a_slide_has_no_html(monkeypatch):
    walked = []
    real = compile_module.read_slide_comments
    monkeypatch.setattr(compile_module, "read_slide_comments",
                        lambda tokens, *rest: walked.append(len(tokens)) or real(tokens, *rest))
    text = "# One\n\nplain\n\n---\n\n# Two <!-- _class: lead -->\n\n---\n\n# Three\n"
    deck = compile_deck(parse_source(text, None, Diagnostics()))
    assert len(walked) == 1 and deck.slides[1].directives.get("class") == "lead"


def test_a_misspelt_directive_is_named_and_a_sentence_is_taken_for_a_note():
    from slidekit.deck.directives import suggest
    assert suggest("pagnate") == " (did you mean 'paginate'?)"
    assert suggest("background Color") == " (did you mean 'backgroundColor'?)"     # two words: still a name
    # three words or more: a sentence (a note), even one that difflib would find close to a name
    assert suggest("back ground Co lor") == ""
