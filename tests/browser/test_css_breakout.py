"""Deck and theme CSS never leaves the page's <style> (issue 19, item 1), in Chromium and in the PDF.

Every CSS a deck or theme can hold reaches the page through one serialiser (slidekit/render/css.py). Each
source of CSS (front-matter `style`, `style: |`, `<style>`, `<style scoped>`, `--theme FILE`, `--theme-set`)
carries every vector: a `</style>` as written in a selector, a declaration, an at-rule's prelude, a custom
property, a comment, a url(); a CSS escape `\\3c/style>` in a string and in a name; `<!--`. After them comes
a rule that must still apply, and a string whose escape must keep its meaning.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from slidekit.api import BuildOptions, build_text

SCRIPT = "<script>window.pwned=(window.pwned||0)+1;alert(1)</script>"
VECTORS = [
    f"</style>{SCRIPT} p {{color: red}}",                                    # the issue's front-matter line
    f'h2::before {{ content: "\\3c/style>{SCRIPT}"; }}',                   # an escape in a string
    f"h3\\3c/style\\3e {{ color: red }}",                                     # an escape in a name
    f"/* </style>{SCRIPT} */",                                               # a comment
    "h4 { background: url(</style><script>window.pwned=1</script>); }",    # an unquoted url
    f"h5</STYLE >{SCRIPT} {{ color: red }}",                                  # a selector
    f"@media </style>{SCRIPT} {{ h6 {{ color: red }} }}",                     # an at-rule's prelude
    f"section {{ --x: </style>{SCRIPT}; }}",                                 # a custom property
    f"h2 {{ x: <!-- </style>{SCRIPT} --> ; }}",                              # raw text's comment opener
    f"@font-face {{ font-family: \"</style>{SCRIPT}\"; }}",                  # a block kept as it is
]
# after the vectors: this must still apply, and the escaped `<` must still mean `<` in the generated text
AFTER = 'h1 { color: rgb(1, 2, 3); } h1::after { content: "\\3c/style> kept"; }'
CSS = "\n".join(VECTORS + [AFTER])
# In a deck's <style> element, the first `</style>` as written ends the element (as in HTML and Marp): there
# only the escapes and other `<` can hide one.
INNER_CSS = "\n".join([v for v in VECTORS if "</style" not in v.lower()] + [AFTER])


def _indented(css: str) -> str:
    return "".join(f"  {line}\n" for line in css.splitlines())


def _yaml_string(css: str) -> str:
    return '"' + css.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


BODY = "# Title\n\n## Sub\n\ntext\n"
SOURCES = {
    "front-matter style": (f"---\nstyle: {_yaml_string(CSS)}\n---\n\n{BODY}", None),
    "front-matter style block": (f"---\nstyle: |\n{_indented(CSS)}---\n\n{BODY}", None),
    "style element": (f"{BODY}\n<style>\n{INNER_CSS}\n</style>\n", None),
    "scoped style element": (f"{BODY}\n<style scoped>\n{INNER_CSS}\n</style>\n", None),
    "--theme file": (f"{BODY}", "file"),
    "--theme-set folder": (f"---\ntheme: evil\n---\n\n{BODY}", "set"),
}


def _build(tmp_path: Path, source: str, fmt: str):
    text, theme = SOURCES[source]
    options = BuildOptions(format=fmt, offline=True)
    if theme:
        folder = tmp_path / "themes"
        folder.mkdir(exist_ok=True)
        css_file = folder / "evil.css"
        css_file.write_text(f"/* @theme evil */\n@import 'default';\n{CSS}\n", encoding="utf-8")
        if theme == "file":
            options.theme = str(css_file)
        else:
            options.theme_set = [folder]
    result = build_text(text, options, folder=tmp_path)
    assert result.output is not None, result.diagnostics
    return result.output


@pytest.mark.parametrize("source", list(SOURCES))
def test_css_stays_in_its_style_element_in_chromium(browser, tmp_path, source):
    html = _build(tmp_path, source, "html")
    page_file = tmp_path / "deck.html"
    page_file.write_text(html, encoding="utf-8")
    stylesheet = html.split('<style id="sk-slides">', 1)[1].split("</style>", 1)[0]
    assert "</" not in stylesheet and "<!" not in stylesheet
    assert "<script" not in html.split('<script id="sk-fit-js">')[0].split("</style>", 1)[1]

    page = browser.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        page.goto(page_file.as_uri())
        page.wait_for_selector("html.sk-viewer")
        page.wait_for_timeout(100)
        assert dialogs == []
        assert page.evaluate("window.pwned") is None
        assert page.evaluate("document.querySelectorAll('script').length") == 2     # the viewer's own
        assert page.evaluate("document.querySelectorAll('style').length") == 2      # slides + viewer
        assert page.evaluate("getComputedStyle(document.querySelector('h1')).color") == "rgb(1, 2, 3)"
        after = page.evaluate("getComputedStyle(document.querySelector('h1'), '::after').content")
        assert after == '"</style> kept"'
        before = page.evaluate("getComputedStyle(document.querySelector('h2'), '::before').content")
        assert before == '"</style>' + SCRIPT.replace('"', '\\"') + '"'
    finally:
        page.close()


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is missing")
@pytest.mark.parametrize("source", ["front-matter style", "style element", "--theme file"])
def test_css_is_never_printed_as_slide_text_in_the_pdf(tmp_path, source):
    pdf = _build(tmp_path, source, "pdf")
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "sk-deck" not in text and "rgb(1" not in text and "font-family" not in text, text
    assert "Title" in text and "</style> kept" in text    # the slide, and the escape's meaning
