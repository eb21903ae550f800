"""The PDF chunks kept on disk (slidekit/export/pdf_cache.py): a rebuild lays out only the chunks whose slides
or files changed, and the PDF and its warnings are the same byte for byte as without the cache."""

from pathlib import Path

import pytest

from slidekit.api import BuildOptions, build_file
from slidekit.export import pdf_cache, pdf_chunks

from image_helpers import solid_png as png


def deck_text(edited: bool = False) -> str:
    slides = []
    for n in range(1, 21):
        body = f"# Slide {n}\n\nSome text on slide {n}."
        if n == 3 and edited:
            body += "\n\nA new paragraph,\n\nand another one, which moves every later slide down two lines."
        if n == 8:
            body = "![bg right](pic.png)\n\n" + body
        if n == 17:                     # in the last chunk: its warning names its line
            body += "\n\n" + "\n".join(f"- item {i}" for i in range(30))
        slides.append(body)
    return "---\nmarp: true\npaginate: true\n---\n\n" + "\n\n---\n\n".join(slides) + "\n"


@pytest.fixture
def deck(tmp_path, monkeypatch):
    monkeypatch.setenv("SLIDEKIT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("SLIDEKIT_CACHE", raising=False)
    folder = tmp_path / "talk"
    folder.mkdir()
    (folder / "pic.png").write_bytes(png((200, 30, 30)))
    path = folder / "slides.md"
    path.write_text(deck_text(), encoding="utf-8")
    return path


@pytest.fixture
def runs(monkeypatch):
    """The chunks laid out (their first slide numbers), build by build."""
    seen: list[int] = []
    original = pdf_chunks.PdfJob.run

    def run(self, view):
        seen.append(view.slides[0].number)
        return original(self, view)

    monkeypatch.setattr(pdf_chunks.PdfJob, "run", run)
    return seen


def build(path: Path, cache: bool = True):
    import os
    saved = os.environ.get("SLIDEKIT_CACHE")
    if not cache:
        os.environ["SLIDEKIT_CACHE"] = "off"
    try:
        result = build_file(path, BuildOptions(format="pdf"))
    finally:
        if saved is None:
            os.environ.pop("SLIDEKIT_CACHE", None)
        else:
            os.environ["SLIDEKIT_CACHE"] = saved
    assert result.output is not None
    return result.output, [(d.code, d.line, d.slide, d.message) for d in result.diagnostics]


def test_the_deck_is_cut_into_chunks():
    assert [len(c) for c in pdf_chunks.plan_chunks(20)] == [5, 5, 5, 5]


def test_a_rebuild_lays_out_nothing_and_gives_the_same_bytes(deck, runs):
    fresh = build(deck, cache=False)
    assert len(runs) == 4
    first = build(deck)
    assert len(runs) == 8 and first == fresh
    again = build(deck)
    assert len(runs) == 8, "every chunk came from the cache"
    assert again == fresh
    assert any(code == "overflow" for code, *_ in fresh[1]), "the deck has a warning to replay"


def test_an_edit_lays_out_its_chunk_only_and_warnings_keep_their_lines(deck, runs):
    build(deck)
    runs.clear()
    deck.write_text(deck_text(edited=True), encoding="utf-8")
    edited = build(deck)
    assert runs == [1], "only the chunk of slide 3"
    fresh = build(deck, cache=False)
    assert edited == fresh
    overflow = [line for code, line, slide, _ in edited[1] if code == "overflow" and slide == 17]
    assert overflow and overflow[0] > 0


def test_a_changed_image_lays_its_chunk_out_again(deck, runs):
    build(deck)
    runs.clear()
    (deck.parent / "pic.png").write_bytes(png((30, 30, 200)))
    changed = build(deck)
    assert runs == [6], "slide 8's chunk (slides 6 to 10) reads pic.png"
    assert changed == build(deck, cache=False)


def test_a_damaged_entry_is_a_miss(deck, runs, tmp_path):
    fresh = build(deck)
    for entry in (tmp_path / "cache" / pdf_cache.NAMESPACE).rglob("*"):
        if entry.is_file():
            entry.write_bytes(entry.read_bytes()[:100])
    runs.clear()
    assert build(deck) == fresh
    assert len(runs) == 4


def test_what_a_document_reads(tmp_path):
    doc = ('<style>section{background:url("bg.png")}</style>'
           '<img src="img/a%20b.png"><img srcset="x1.png 1x, file:///abs/x2.png 2x">'
           '<figure style="background-image:url(&quot;file:///abs/fig.png&quot;)"></figure>'
           '<svg><image href="inner.png"/></svg><a href="https://example.com/">link</a>'
           '<img src="data:image/png;base64,AAAA"><svg><use href="#sym"/></svg>')
    assert pdf_cache.dependencies(doc, tmp_path) == sorted({
        tmp_path / "bg.png", tmp_path / "img/a b.png", tmp_path / "x1.png", Path("/abs/x2.png"),
        Path("/abs/fig.png"), tmp_path / "inner.png"})
    assert pdf_cache.dependencies('<img src="https://example.com/a.png">', tmp_path) is None
    assert pdf_cache.dependencies('<p style="background:url(http://x/a.png)">', tmp_path) is None
    assert pdf_cache.dependencies("<style>@import 'more.css';</style>", tmp_path) is None


def test_a_chunk_drawing_an_svg_that_refers_to_files_is_not_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("SLIDEKIT_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "plain.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><use href="#a"/></svg>')
    (tmp_path / "linked.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><image href="p.png"/></svg>')
    pdf_cache.store("a" * 64, [tmp_path / "plain.svg"], "kept")
    pdf_cache.store("b" * 64, [tmp_path / "linked.svg"], "kept")
    assert pdf_cache.load("a" * 64) == "kept"
    assert pdf_cache.load("b" * 64) is None


def test_trim_removes_the_least_recently_used(tmp_path, monkeypatch):
    import os
    monkeypatch.setenv("SLIDEKIT_CACHE_DIR", str(tmp_path / "cache"))
    for n, key in enumerate(("1" * 64, "2" * 64, "3" * 64)):
        pdf_cache.store(key, [], "x" * 1000)
        path = tmp_path / "cache" / pdf_cache.NAMESPACE / key[:2] / key[2:]
        os.utime(path, ns=(n * 10**9, n * 10**9))
    pdf_cache.load("1" * 64)                         # used: now the most recent
    pdf_cache.trim(limit=2500)
    assert pdf_cache.load("2" * 64) is None
    assert pdf_cache.load("1" * 64) == "x" * 1000 and pdf_cache.load("3" * 64) == "x" * 1000
