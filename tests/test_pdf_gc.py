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
