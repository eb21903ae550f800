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
