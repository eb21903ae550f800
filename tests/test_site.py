"""Folder builds (issue 6): parallel builds in deck order, the index page with thumbnails, the progress bar and
the messages (`deck.md:12: slide 3: warning: ...`, coloured on a terminal only, the same text in check's JSON)."""

from __future__ import annotations

import base64
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from slidekit.api import BuildOptions, build_text
from slidekit.diagnostics import Diagnostic
from slidekit.export.site import SiteEntry, live_copy, render_index, thumbnail
from slidekit.progress import Progress, paint

ENV = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}


def run(*args, cwd=None, env=None):
    return subprocess.run([sys.executable, "-m", "slidekit", *args], capture_output=True, text=True, cwd=cwd,
                          env=env or ENV, timeout=300)


def make_decks(root: Path) -> Path:
    decks = root / "decks"
    (decks / "talks").mkdir(parents=True)
    (decks / "alpha.md").write_text("---\ntitle: Alpha talk\n---\n\n# Alpha first\n\n---\n\n# Alpha second\n",
                                    encoding="utf-8")
    (decks / "talks" / "beta.md").write_text("---\ntheme: gaia\n---\n\n# Beta & co\n", encoding="utf-8")
    (decks / "talks" / "gamma.md").write_text("---\npagnate: true\n---\n\n# Gamma\n\n![](nope.png)\n",
                                              encoding="utf-8")
    return decks


def test_folder_build_writes_an_index_with_live_thumbnails(tmp_path):
    decks = make_decks(tmp_path)
    proc = run("build", str(decks), "-o", str(tmp_path / "site"), "-j", "2")
    assert proc.returncode == 0, proc.stderr
    site = tmp_path / "site"
    for name in ("alpha.html", "talks/beta.html", "talks/gamma.html"):
        assert (site / name).is_file()
    page = (site / "index.html").read_text(encoding="utf-8")
    cards = re.findall(r'<li class="card">.*?</li>', page, re.S)
    assert len(cards) == 3
    # in the folder's order, titled by the title directive, else the first heading (escaped)
    assert "Alpha talk" in cards[0] and "Beta &amp; co" in cards[1] and "Gamma" in cards[2]
    assert '<a href="talks/beta.html">HTML</a>' in cards[1] and "PDF</a>" not in page
    assert "2 slides" in cards[0] and "1 slide<" in cards[1] + "<"
    # a live copy of the first slide only, styled by its own theme inside a shadow root
    assert cards[0].count('<template shadowrootmode="open">') == 1
    assert "Alpha first" in cards[0] and "Alpha second" not in cards[0]
    assert 'data-theme="gaia"' in cards[1] and ".sk-deck > section" in cards[1]
    # self-contained: nothing fetched from anywhere
    assert not re.search(r'(src|href)="(https?:)?//', page)


def test_site_build_is_deterministic_and_prints_in_deck_order(tmp_path):
    decks = make_decks(tmp_path)
    first = run("build", str(decks), "-o", str(tmp_path / "one"), "-j", "2")
    second = run("build", str(decks), "-o", str(tmp_path / "two"), "-j", "1")
    assert first.returncode == second.returncode == 0
    assert (tmp_path / "one" / "index.html").read_bytes() == (tmp_path / "two" / "index.html").read_bytes()
    assert first.stderr.replace("/one", "/two") == second.stderr
    arrows = [line.split(" => ")[0] for line in first.stderr.splitlines() if " => " in line]
    assert arrows == [str(decks / "alpha.md"), str(decks / "talks" / "beta.md"),
                      str(decks / "talks" / "gamma.md"), "index"]
    # gamma's warnings come right before its own line, with file:line: slide N:
    lines = first.stderr.splitlines()
    at = next(n for n, line in enumerate(lines) if line.startswith(f"{decks / 'talks' / 'gamma.md'} =>"))
    assert lines[at - 2] == f"{decks / 'talks' / 'gamma.md'}:2: slide 1: warning: unknown directive 'pagnate' " \
                            "(did you mean 'paginate'?); it is ignored"
    assert lines[at - 1].startswith(f"{decks / 'talks' / 'gamma.md'}:7: slide 1: warning: image not found")
    assert "\033[" not in first.stderr and "\r" not in first.stderr   # not a terminal: no colour, no bar


def test_pdf_site_has_html_pdf_and_png_thumbnails(tmp_path):
    from PIL import Image

    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "red.md").write_text("---\nbackgroundColor: '#ff0000'\n---\n\n# Red\n\n---\n\n# Two\n", encoding="utf-8")
    (decks / "four.md").write_text("---\nsize: '4:3'\n---\n\n# Four by three\n", encoding="utf-8")
    proc = run("build", str(decks), "-o", str(tmp_path / "site"), "--pdf", "-q")
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    site = tmp_path / "site"
    assert (site / "red.pdf").read_bytes().startswith(b"%PDF") and (site / "red.html").is_file()
    page = (site / "index.html").read_text(encoding="utf-8")
    assert '<a href="red.html">HTML</a><a href="red.pdf">PDF</a>' in page
    assert "shadowrootmode" not in page
    pictures = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    assert len(pictures) == 2
    four, red = (Image.open(io.BytesIO(base64.b64decode(p))).convert("RGB") for p in pictures)
    assert red.size == (480, 270) and four.size == (480, 360)
    assert red.getpixel((10, 10)) == (255, 0, 0)


def test_live_copy_takes_the_first_section_and_the_slide_css():
    document = build_text("# One\n\n---\n\n<!-- _class: lead -->\n# Two\n", BuildOptions(format="html")).output
    copy = live_copy(document)
    assert copy is not None and (copy.width, copy.height) == (1280, 720)
    assert copy.section.startswith('<section id="1"') and copy.section.endswith("</section>")
    assert "One" in copy.section and "Two" not in copy.section
    assert ".sk-deck > section" in copy.css and "sk-viewer" not in copy.css
    single = live_copy(build_text("# Only\n", BuildOptions(format="html")).output)
    assert single.section.endswith("</section>") and "Only" in single.section
    assert live_copy("<html><body>not ours</body></html>") is None


def test_thumbnail_is_a_png_of_the_first_page():
    from PIL import Image

    pdf = build_text("<!-- _backgroundColor: '#0000ff' -->\n# Blue\n\n---\n\n# White\n",
                     BuildOptions(format="pdf")).output
    png = thumbnail(pdf, width=160)
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.size == (160, 90) and image.getpixel((5, 5)) == (0, 0, 255)


def test_index_lists_failed_decks_and_escapes_names():
    page = render_index("<talks>", [SiteEntry("a b/x.md", "Q&A", 0, None, None, failed=True),
                                     SiteEntry("ok.md", "Fine", 1, "ok dir/ok.html", None)])
    assert "<title>&lt;talks&gt;</title>" in page and "2 decks" in page
    assert "Q&amp;A" in page and "build failed" in page and 'class="failed"' in page
    assert 'href="ok%20dir/ok.html"' in page


def test_a_deck_called_index_keeps_its_page(tmp_path):
    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "index.md").write_text("# The real index\n", encoding="utf-8")
    (decks / "other.md").write_text("# Other\n", encoding="utf-8")
    proc = run("build", str(decks), "-o", str(tmp_path / "site"))
    assert proc.returncode == 0, proc.stderr
    assert "The real index" in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "index =>" not in proc.stderr


def test_a_failing_deck_is_listed_and_fails_the_build(tmp_path, monkeypatch, capfd):
    decks = make_decks(tmp_path)
    (decks / "broken.md").write_text("# Hi\n", encoding="utf-8")
    import slidekit.api as api
    real = api.build_file

    def build_file(path, *args, **kwargs):
        result = real(path, *args, **kwargs)
        if Path(path).name == "broken.md":
            result.diagnostics.error("test", "an error made by the test", file=str(path), line=1, slide=1)
        return result
    monkeypatch.setattr(api, "build_file", build_file)
    from slidekit.cli import main
    assert main(["build", str(decks), "-o", str(tmp_path / "site"), "-j", "2"]) == 1
    assert re.search(r"broken\.md:\d+: .*error: an error made by the test", capfd.readouterr().err)
    page = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert page.count('<li class="card">') == 4 and 'class="failed"' in page


def test_files_without_folder_get_no_index(tmp_path):
    decks = make_decks(tmp_path)
    proc = run("build", str(decks / "alpha.md"), str(decks / "talks" / "beta.md"), "-o", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "out" / "alpha.html").is_file() and not (tmp_path / "out" / "index.html").exists()


def test_jobs_must_be_positive():
    assert run("build", "x.md", "-j", "0").returncode == 2


# Messages ------------------------------------------------------------------------------------------------------
def test_build_and_check_print_the_same_located_text(tmp_path):
    deck = tmp_path / "deck.md"
    deck.write_text("---\npagnate: true\n---\n\n# One\n\n---\n\n<!-- colr: red -->\n\n# Two\n\n![](missing.png)\n",
                    encoding="utf-8")
    build = run("build", str(deck), "-o", str(tmp_path / "out.html"))
    warnings = [line for line in build.stderr.splitlines() if ": warning: " in line]
    assert warnings == [
        f"{deck}:2: slide 1: warning: unknown directive 'pagnate' (did you mean 'paginate'?); it is ignored",
        f"{deck}:9: slide 2: warning: unknown directive 'colr' (did you mean 'color'?); the comment is kept as "
        "a speaker note",
        f"{deck}:13: slide 2: warning: image not found: missing.png; the build goes on without it"]
    check = run("check", str(deck))
    assert all(line in check.stdout.splitlines() for line in warnings)
    texts = [item["text"] for item in json.loads(run("check", str(deck), "--format", "json").stdout)]
    assert all(line in texts for line in warnings)


def test_paint_colours_the_level_only():
    d = Diagnostic("warning", "x", "careful", file="deck.md", line=12, slide=3)
    assert paint(d, False) == "deck.md:12: slide 3: warning: careful"
    assert paint(d, True) == "deck.md:12: slide 3: \033[1;33mwarning:\033[0m careful"


def _on_a_terminal(args, cwd, env=None) -> str:
    """Run the CLI with stderr on a pseudo-terminal; what it wrote there."""
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "slidekit", *args], cwd=cwd, stdout=subprocess.DEVNULL,
                            stderr=slave, env=env or ENV)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:    # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=120)
    os.close(master)
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_colour_on_a_terminal_only(tmp_path):
    deck = tmp_path / "deck.md"
    deck.write_text("---\npagnate: true\n---\n# One\n", encoding="utf-8")
    out = _on_a_terminal(["build", str(deck), "-o", str(tmp_path / "o.html")], tmp_path)
    assert "\033[1;33mwarning:\033[0m unknown directive" in out
    plain = _on_a_terminal(["build", str(deck), "-o", str(tmp_path / "o.html")], tmp_path, {**ENV, "NO_COLOR": "1"})
    assert "warning: unknown directive" in plain and "\033[" not in plain
    quiet = _on_a_terminal(["build", str(deck), "-o", str(tmp_path / "o.html"), "-q"], tmp_path)
    assert quiet == ""


# The progress bar -------------------------------------------------------------------------------------------------
class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


@pytest.mark.parametrize("use_rich", [True, False])
def test_progress_shows_only_after_a_second_on_a_terminal(use_rich):
    stream, clock = FakeTerminal(), Clock()
    progress = Progress(3, stream=stream, clock=clock, use_rich=use_rich)
    progress.advance("a.md")
    progress.message("a.md => a.html")
    assert stream.getvalue() == "a.md => a.html\n"          # quick so far: no bar
    clock.now += 1.5
    progress.tick()
    assert progress.shown
    progress.advance("b.md")
    progress.message("b.md => b.html")
    progress.advance("c.md")
    progress.close()
    out = stream.getvalue()
    assert "building" in out and "b.md => b.html\n" in out
    assert not progress.shown


def test_progress_never_shows_off_a_terminal_or_when_disabled():
    for stream, enabled in ((io.StringIO(), None), (FakeTerminal(), False)):
        clock = Clock()
        progress = Progress(3, stream=stream, clock=clock, enabled=enabled)
        clock.now += 10
        progress.tick()
        progress.advance("a.md")
        progress.message("line")
        progress.close()
        assert stream.getvalue() == "line\n"
