"""A long deck's PDF is made in chunks of slides (slidekit/export/pdf_chunks.py) and joined
(slidekit/export/pdf_merge.py): the joined PDF must hold the same pages, text, links, bookmarks, named
destinations and structure tree as the PDF made in one piece, and be the same bytes whatever the number of
processes. The chunk size is shrunk here so that a short deck is cut in several chunks, and the on-disk
cache of chunks (tested in test_pdf_cache.py) is off: every build here lays its chunks out."""

from __future__ import annotations

import io
import os
import re
import subprocess
import types

import pytest
from outline_helpers import outline_tree
from pypdf import PdfReader

from slidekit.api import BuildOptions, build_text
from slidekit.export import pdf_chunks
from slidekit.export.pdf_chunks import links_cross_chunks, plan_chunks

@pytest.fixture(autouse=True)
def no_disk_cache(monkeypatch):
    monkeypatch.setenv("SLIDEKIT_CACHE", "off")


DECK = """---
marp: true
paginate: true
footer: Chunked deck
title: Chunks
lang: en
style: |
  section::after { content: attr(data-marpit-pagination) ' / ' attr(data-marpit-pagination-total); }
---

# One

Intro with a [link](https://example.com/one).

---

## Two

- a list
- of items

---

## Three

```python
print("(3 0 R) is text, not a reference")
```

---

<!-- _class: lead -->

## Four {#x}

Another [link](https://example.com/four)

---

# Five

A [jump to four](#four-x).

| a | b |
|---|---|
| 1 | 2 |

---

## Six ( ) \\\\ and (3 0 R)

The end, [home](https://example.com/six).
"""


def _build(text: str, jobs: int = 1) -> bytes:
    result = build_text(text, BuildOptions(format="pdf", jobs=jobs))
    assert result.ok, result.diagnostics
    return result.output


@pytest.fixture(scope="module")
def whole():
    return _build(DECK)


@pytest.fixture(scope="module")
def chunked():
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pdf_chunks, "CHUNK_FROM", 2)
        mp.setattr(pdf_chunks, "CHUNK_SLIDES", 3)      # slides 1-3 and 4-6
        one = _build(DECK, jobs=1)
        two = _build(DECK, jobs=2)
    return one, two


def _texts(pdf: bytes) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    return out.decode().split("\f")[:-1]


def test_plan_chunks_depends_on_the_slide_count_only():
    assert plan_chunks(15) == [range(15)]
    assert plan_chunks(16) == [range(4), range(4, 8), range(8, 12), range(12, 16)]   # an even number of chunks
    assert [len(c) for c in plan_chunks(30)] == [5] * 6                # about 6 a chunk, eight at most...
    assert [len(c) for c in plan_chunks(45)] == [5, 6, 5, 6, 6, 5, 6, 6]
    assert [len(c) for c in plan_chunks(200)] == [25] * 8
    assert [len(c) for c in plan_chunks(801)] == [80, 80, 80, 80, 80, 80, 80, 80, 80, 81]   # ... and 100 at most
    chunks = plan_chunks(1001)
    assert chunks[0].start == 0 and chunks[-1].stop == 1001
    assert all(a.stop == b.start for a, b in zip(chunks, chunks[1:]))
    assert max(len(c) for c in chunks) - min(len(c) for c in chunks) <= 1


def test_links_across_chunks_are_found():
    assert links_cross_chunks(['<a href="#b">', '<p id="b">'])
    assert not links_cross_chunks(['<a href="#a"><p id="a">', '<p id="b">'])
    assert not links_cross_chunks(['<a href="#nowhere">', '<p id="b">'])


def test_chunks_are_the_same_bytes_with_any_number_of_processes(chunked):
    one, two = chunked
    assert one == two
    assert one.startswith(b"%PDF-1.7")


def test_joined_pdf_has_the_pages_and_text_of_the_whole(whole, chunked):
    joined = chunked[0]
    assert joined != whole                           # really made in chunks
    assert len(PdfReader(io.BytesIO(joined)).pages) == 6
    assert _texts(joined) == _texts(whole)
    assert "(3 0 R) is text" in _texts(joined)[2]     # strings are never renumbered
    assert re.search(r"5 ?/ ?6", _texts(joined)[4])   # every chunk counts the whole deck's pages
    assert "Six ( ) \\ and (3 0 R)" in _texts(joined)[5]


def test_joined_pdf_keeps_links_bookmarks_and_metadata(whole, chunked):
    a, b = PdfReader(io.BytesIO(whole)), PdfReader(io.BytesIO(chunked[0]))

    def uris(reader):
        return [[annot.get_object()["/A"]["/URI"] if "/A" in annot.get_object() else annot.get_object()["/Dest"]
                 for annot in page.get("/Annots", [])] for page in reader.pages]

    def dests(reader):
        return {name: reader.get_destination_page_number(d) for name, d in reader.named_destinations.items()}

    assert uris(a) == uris(b)
    assert "four-x" in uris(b)[4] and "https://example.com/six" in uris(b)[5]
    assert outline_tree(a) == outline_tree(b)
    # "Four" (h2) starts the second chunk: it stays under "One" (h1), from the first
    assert [title for title, _, _ in outline_tree(b)] == ["One", "Five"]
    assert [title for title, _, _ in outline_tree(b)[0][2]][-1] == "Four {#x}"
    assert dests(a) == dests(b) and "four-x" in dests(b)
    assert b.metadata.title == "Chunks"
    assert b.trailer["/Root"]["/Lang"] == "en"


def test_joined_pdf_has_one_consistent_structure_tree(chunked):
    reader = PdfReader(io.BytesIO(chunked[0]))
    root = reader.trailer["/Root"]["/StructTreeRoot"].get_object()
    documents = root["/K"]
    assert len(documents) == 1
    document = documents[0].get_object()
    assert document["/S"] == "/Document"
    nums = root["/ParentTree"].get_object()["/Nums"]
    keys = [int(k) for k in nums[::2]]
    assert keys == sorted(set(keys))
    tree = dict(zip(keys, nums[1::2]))
    page_ids = [page.indirect_reference.idnum for page in reader.pages]
    for index, page in enumerate(reader.pages):
        marked = tree[int(page["/StructParents"])].get_object()
        assert marked, f"page {index + 1} has no marked content in the parent tree"
        for element in marked:
            element = element.get_object()
            assert element.raw_get("/Pg").idnum == page_ids[index]
            parent = element
            while parent.get("/S") != "/Document":       # every element hangs from the one Document
                parent = parent["/P"].get_object()
            assert parent.indirect_reference.idnum == documents[0].idnum
        for annot in page.get("/Annots", []):
            holder = tree[int(annot.get_object()["/StructParent"])].get_object()
            objr = next(k.get_object() for k in holder["/K"] if k.get_object().get("/Type") == "/OBJR")
            assert objr.raw_get("/Obj").idnum == annot.idnum
    kids = [k.get_object() for k in document["/K"]]
    assert kids and all(k.raw_get("/P").idnum == documents[0].idnum for k in kids)


def test_a_link_to_another_chunk_keeps_the_deck_in_one_piece(whole, monkeypatch):
    monkeypatch.setattr(pdf_chunks, "CHUNK_FROM", 2)
    monkeypatch.setattr(pdf_chunks, "CHUNK_SLIDES", 2)    # 1, 2-3, 4, 5-6: slide 5 links to slide 4
    assert _build(DECK) == whole


def test_a_rebuild_lays_out_only_the_edited_slide_in_every_chunk(monkeypatch):
    from slidekit.export import html_tree

    monkeypatch.setattr(pdf_chunks, "CHUNK_FROM", 2)
    monkeypatch.setattr(pdf_chunks, "CHUNK_SLIDES", 3)
    _build(DECK)
    renders = []
    original = html_tree.weasy_html

    def counted(html_type, text, *args):
        if "<section" in text:          # a slide (a chunk with nothing new parses an empty body)
            renders.append(text)
        return original(html_type, text, *args)

    monkeypatch.setattr(html_tree, "weasy_html", counted)
    edited = _build(DECK.replace("- of items", "- of edited items"))
    assert len(renders) == 1 and "of edited items" in renders[0]   # though both chunks are written again
    monkeypatch.setattr(html_tree, "weasy_html", original)
    from slidekit.export import pdf as pdf_module
    pdf_module._PAGES_KEPT.clear()
    assert edited == _build(DECK.replace("- of items", "- of edited items"))   # the same bytes as cold


def test_an_error_in_a_layout_process_is_raised_in_the_build(monkeypatch):
    import os
    main_process = os.getpid()
    original = pdf_chunks.PdfJob.run

    def broken(self, view):
        # only in a layout process: were its error lost (the chunks then made here), the build would succeed
        if os.getpid() == main_process:
            return original(self, view)
        raise ValueError(f"chunk from slide {view.slides[0].number} failed")

    monkeypatch.setattr(pdf_chunks, "CHUNK_FROM", 2)
    monkeypatch.setattr(pdf_chunks.PdfJob, "run", broken)
    with pytest.raises(ValueError, match=r"chunk from slide \d+ failed"):
        build_text(DECK, BuildOptions(format="pdf", jobs=2))


def test_a_lost_layout_process_leaves_the_chunks_to_the_main_one(monkeypatch, whole):
    import os
    main_process = os.getpid()
    original = pdf_chunks.PdfJob.run

    def dies_in_a_layout_process(self, view):
        if os.getpid() != main_process:
            os._exit(3)
        return original(self, view)

    monkeypatch.setattr(pdf_chunks, "CHUNK_FROM", 2)
    monkeypatch.setattr(pdf_chunks, "CHUNK_SLIDES", 3)
    monkeypatch.setattr(pdf_chunks.PdfJob, "run", dies_in_a_layout_process)
    lost = _build(DECK, jobs=2)
    monkeypatch.setattr(pdf_chunks.PdfJob, "run", original)
    assert lost == _build(DECK, jobs=1)


def test_the_build_command_starts_the_layout_processes_before_loading_the_compiler(monkeypatch, tmp_path):
    """`slidekit build deck.md --pdf` starts them as soon as it knows (pdf_chunks.prestart), the build takes
    them, and none is left when the build fails before taking them."""
    from slidekit.cli import main
    from slidekit.app import builder
    started, taken = [], []
    real_start = pdf_chunks.start_processes

    def start(jobs):
        processes = real_start(jobs)
        (taken if started else started).append(processes)
        return processes
    monkeypatch.setattr(pdf_chunks, "start_processes", start)
    monkeypatch.setattr(builder, "pdf_processes", lambda *args: 2)
    deck = tmp_path / "deck.md"
    deck.write_text("\n\n---\n\n".join(f"# Slide {i}" for i in range(20)), encoding="utf-8")
    assert main(["build", str(deck), "--pdf", "-q"]) == 0
    assert started and started[0] is not None and taken == [started[0]]      # the very same processes
    assert not pdf_chunks._PRESTARTED
    started.clear(), taken.clear()
    import slidekit.api

    def unreadable(*args, **kwargs):
        raise OSError("unreadable")
    monkeypatch.setattr(slidekit.api, "build_file", unreadable)      # the build fails before taking them
    assert main(["build", str(deck), "--pdf", "-q"]) == 1
    assert started[0] is not None and taken == [] and not pdf_chunks._PRESTARTED
    assert started[0].first.exitcode is not None                     # stopped and waited for
    started.clear()
    main(["build", str(deck), "-q"])                                 # HTML: none started
    assert started == []


# A layout process forgets the pages of its earlier chunks ------------------------------------------------
class _Connection:
    def __init__(self, sizes):
        self.todo = [(_Job(), types.SimpleNamespace(slides=[None] * n)) for n in sizes]
        self.sent = []

    def recv(self):
        if not self.todo:
            raise EOFError
        return self.todo.pop(0)

    def send(self, message):
        self.sent.append(message)


class _Job:
    def run(self, view):
        _Job.events.append(("run", len(view.slides)))
        return len(view.slides)


def test_a_layout_process_keeps_no_page_of_its_earlier_chunks(monkeypatch):
    # it ends with the build: earlier chunks' pages would only be walked by every collection (some 150,000
    # live objects a 100-slide chunk) and held in memory
    from slidekit.export import pdf
    _Job.events = []
    monkeypatch.setattr(pdf, "forget_pages", lambda: _Job.events.append(("forget",)))
    pdf_chunks._serve(_Connection([10, 10]))
    assert _Job.events == [("forget",), ("run", 10), ("forget",), ("run", 10)]


def test_forgetting_pages_keeps_the_stylesheet_and_changes_no_byte(tmp_path):
    from slidekit.api import BuildOptions, build_text
    from slidekit.export import pdf
    deck = "\n\n---\n\n".join(f"# Slide {i}\n\nSome text {i}." for i in range(3))
    options = BuildOptions(format="pdf", jobs=1, pdf_cache=False)
    first = build_text(deck, options, folder=tmp_path).output
    (key, kept), = pdf._PAGES_KEPT.items()
    assert kept[2] and pdf.last_pages()
    pdf.forget_pages()
    (key_after, forgotten), = pdf._PAGES_KEPT.items()
    assert key_after == key and forgotten[0] is kept[0] and forgotten[1] is kept[1]     # css, fonts
    assert forgotten[2] == {} and forgotten[4] == {} and pdf.last_pages() == []
    assert build_text(deck, options, folder=tmp_path).output == first


def test_the_costliest_chunks_go_to_the_layout_processes_first(tmp_path, monkeypatch):
    # Chunks are handed out costliest first (a chunk drawing a large SVG, here the last), so that the build
    # does not end with one process laying a heavy chunk out while the others wait; the PDF is the same.
    paths = "".join(f'<path d="M{i % 90} {i % 70} l5 3 l-2 4 z" fill="#{i % 4096:03x}"/>' for i in range(6000))
    (tmp_path / "big.svg").write_text(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 80">{paths}</svg>',
                                      encoding="utf-8")
    deck = tmp_path / "talk.md"
    deck.write_text("---\nmarp: true\n---\n\n" + "\n\n---\n\n".join(
        "![w:400](big.svg)" if n == 19 else f"# Slide {n}\n\n- a point" for n in range(1, 21)), encoding="utf-8")
    assert [len(c) for c in plan_chunks(20)] == [5, 5, 5, 5]
    costs = pdf_chunks.estimated_costs(["x" * 2000, "x" * 2000 + ' src="big.svg"'], tmp_path)
    assert costs[1] > 10 * costs[0]

    started = tmp_path / "started"
    original = pdf_chunks.PdfJob.run

    def run(self, view):
        with open(started, "a", encoding="utf-8") as log:
            log.write(f"{view.slides[0].number}\n")
        return original(self, view)

    from slidekit.api import build_file
    monkeypatch.setenv("SLIDEKIT_CACHE", "off")
    monkeypatch.setattr(pdf_chunks.PdfJob, "run", run)
    parallel = build_file(deck, BuildOptions(format="pdf", jobs=2)).output
    assert "16" in started.read_text(encoding="utf-8").split()[:2]
    assert parallel == build_file(deck, BuildOptions(format="pdf", jobs=1)).output


def test_a_background_every_page_draws_is_stored_once_a_chunk(monkeypatch):
    # gaia draws a gradient behind every slide: WeasyPrint writes a pattern, two forms, a soft mask and two
    # shadings for each page. A chunk's identical drawing objects are stored once, in a deck short enough
    # to be one chunk too; the pages draw the same.
    import pypdfium2 as pdfium
    from PIL import ImageChops
    deck = DECK.replace("marp: true\n", "marp: true\ntheme: gaia\n", 1)
    whole_pdf = _build(deck)
    monkeypatch.setattr(pdf_chunks, "CHUNK_FROM", 2)
    monkeypatch.setattr(pdf_chunks, "CHUNK_SLIDES", 3)
    joined = _build(deck)

    def patterns(pdf):
        reader = PdfReader(io.BytesIO(pdf))
        return {page["/Resources"]["/Pattern"].raw_get(name).idnum for page in reader.pages
                for name in page["/Resources"].get("/Pattern", {})}
    assert len(patterns(whole_pdf)) == 1 and len(patterns(joined)) == 2     # one a chunk (a short deck: one)
    whole_doc, joined_doc = pdfium.PdfDocument(whole_pdf), pdfium.PdfDocument(joined)
    for number in range(6):
        drawn = [doc[number].render(scale=0.5).to_pil().convert("RGB") for doc in (whole_doc, joined_doc)]
        assert ImageChops.difference(*drawn).getbbox() is None, number


def test_a_pptx_gives_out_only_much_costlier_chunks_first_and_the_rest_in_order():
    # A PPTX takes the chunks in the slides' order as they come back: handed out in order, the first are
    # back first. A chunk much costlier than the typical one still goes first (else the build ends on it).
    costs = [40.0, 44.0, 42.0, 46.0, 36.0, 38.0, 39.0, 87.0]
    assert pdf_chunks.dispatch_order(costs) == [7, 3, 1, 2, 0, 6, 5, 4]
    assert pdf_chunks.dispatch_order(costs, in_order=True) == [7, 0, 1, 2, 3, 4, 5, 6]
    assert pdf_chunks.dispatch_order([50.0, 49.0, 51.0, 48.0], in_order=True) == [0, 1, 2, 3]


def test_a_pptx_is_written_while_later_chunks_are_laid_out(tmp_path, monkeypatch):
    # The build's process writes a chunk's slides into the PPTX as soon as it and the chunks before it are
    # back, not after the last: the file is the same as one written at the end, in one process.
    import zipfile

    from slidekit.cli import main
    from slidekit.export import pptx as pptx_export
    events = []
    real_add, real_run = pptx_export.PptxWriter.add, pdf_chunks.LayoutProcesses.run

    def add(self, slides):
        events.append(("written", len(slides)))
        return real_add(self, slides)

    def run(self, job, views, order=None, done=None):
        def logged(index, result):
            events.append(("back", index))
            done(index, result)
        return real_run(self, job, views, order, logged if done else None)
    monkeypatch.setattr(pptx_export.PptxWriter, "add", add)
    monkeypatch.setattr(pdf_chunks.LayoutProcesses, "run", run)
    monkeypatch.setenv("SLIDEKIT_CACHE", "off")
    deck = tmp_path / "talk.md"
    deck.write_text("---\nmarp: true\npaginate: true\n---\n\n" + "\n\n---\n\n".join(
        f"# Slide {n}\n\n- a point\n- *another*" for n in range(1, 41)), encoding="utf-8")
    assert main(["build", str(deck), "--pptx", "-j", "2", "-o", str(tmp_path / "two.pptx"), "-q"]) == 0
    backs = [n for n, (kind, _) in enumerate(events) if kind == "back"]
    writes = [n for n, (kind, _) in enumerate(events) if kind == "written"]
    assert len(backs) == len(plan_chunks(40)) and sum(events[n][1] for n in writes) == 40
    assert writes[0] < backs[-1]            # the first slides were written before the last chunk came back
    assert main(["build", str(deck), "--pptx", "-j", "1", "-o", str(tmp_path / "one.pptx"), "-q"]) == 0
    one, two = zipfile.ZipFile(tmp_path / "one.pptx"), zipfile.ZipFile(tmp_path / "two.pptx")
    assert one.namelist() == two.namelist()
    assert all(one.read(name) == two.read(name) for name in one.namelist())
