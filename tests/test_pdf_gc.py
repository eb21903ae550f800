"""The garbage collector while the PDF's slides are laid out (slidekit/export/pdf_chunks.py): off in a
layout process, collecting every COLLECT_EVERY slides; paused around a chunk laid out in the build's own
process."""

from __future__ import annotations

import gc
import subprocess
import sys
import types

from slidekit.export import pdf_chunks


def test_a_layout_process_freezes_what_it_loaded_and_stops_collecting():
    code = ("import gc\nfrom slidekit.export.pdf_chunks import _collect_less\n"
            "assert gc.isenabled() and gc.get_freeze_count() == 0\n_collect_less()\n"
            "print(gc.isenabled(), gc.get_freeze_count() > 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "True"]


def test_the_collector_is_paused_around_a_chunk_and_restored():
    assert gc.isenabled()
    with pdf_chunks.collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with pdf_chunks.collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()            # off it was, off it stays
    finally:
        gc.enable()


class _Connection:
    def __init__(self, sizes):
        self.todo = [(_Job(), types.SimpleNamespace(slides=[None] * n), True) for n in sizes]
        self.sent = []

    def recv(self):
        if not self.todo:
            raise EOFError
        return self.todo.pop(0)

    def send(self, message):
        self.sent.append(message)


class _Job:
    def run(self, view, capture):
        _Job.events.append(("run", len(view.slides)))
        return len(view.slides)


def test_a_layout_process_collects_every_so_many_slides(monkeypatch):
    _Job.events = []
    monkeypatch.setattr(pdf_chunks, "COLLECT_EVERY", 200)
    monkeypatch.setattr(gc, "isenabled", lambda: False)
    monkeypatch.setattr(gc, "collect", lambda *args: _Job.events.append(("collect",)))
    connection = _Connection([100, 100, 100, 50, 50, 100])
    pdf_chunks._serve(connection)
    assert _Job.events == [("run", 100), ("run", 100), ("collect",), ("run", 100), ("run", 50), ("run", 50),
                           ("collect",), ("run", 100)]
    assert [kind for kind, _ in connection.sent] == ["ready"] + ["done"] * 6


def test_chunks_laid_out_here_with_the_collector_off_are_collected_every_so_many_slides(monkeypatch, tmp_path):
    # the CLI's one-shot build turns the collector off: the chunks made in its own process (-j 1) are then
    # collected as a layout process's are, not never
    from slidekit.api import BuildOptions, build_text
    collected = []
    monkeypatch.setattr(pdf_chunks, "COLLECT_EVERY", 10)
    monkeypatch.setattr(pdf_chunks, "plan_chunks", lambda count: [range(i, min(i + 6, count)) for i in range(0, count, 6)])
    deck = "\n\n---\n\n".join(f"# Slide {i}" for i in range(24))
    real_collect = gc.collect
    monkeypatch.setattr(gc, "collect", lambda *args: collected.append(1) or real_collect())
    gc.disable()
    try:
        result = build_text(deck, BuildOptions(format="pdf", jobs=1, pdf_cache=False), folder=tmp_path)
    finally:
        gc.enable()
    assert result.ok
    assert len(collected) == 1          # after 12 slides (6 + 6 >= 10), before the third chunk; not after 24


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
