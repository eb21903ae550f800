"""A deck's PDF, made a chunk of slides at a time, in parallel processes when there are several CPUs.

WeasyPrint lays out and writes about 40 slides a second on one core, and its laid-out pages cannot be sent
from one process to another. So a deck of `CHUNK_FROM` slides or more is cut into chunks of consecutive
slides; each chunk is fitted, laid out and turned into PDF objects on its own (in a forked process, or in
this one), and the chunks' objects are joined into one PDF (slidekit/export/pdf_merge.py). The processes
start with the build (`start_processes`), so that they load WeasyPrint while the deck compiles.

How a deck is cut depends on its number of slides only (`plan_chunks`), never on the number of CPUs or of
processes: the PDF is the same whether it was made by one process or eight (except where text has no
font at all: README, "Known gaps"). A deck shorter than `CHUNK_FROM` slides is one chunk: its PDF is
written by WeasyPrint directly. A deck whose internal links (`[see](#12)`) cross from one chunk to another
is made as one chunk too, so that every link keeps its destination.

Each chunk made is kept on disk (slidekit/export/pdf_cache.py), so that a build after an edit lays out
only the chunks whose slides changed: a deck of 16 to 800 slides is cut into four to eight chunks of
about 6 slides, or 100 at most (the seed deck's 45 slides, into eight chunks of 5 or 6), and a one-slide
edit then costs one chunk's layout.
"""

from __future__ import annotations

import dataclasses
import os
import re
import sys

from ..diagnostics import Diagnostics

CHUNK_FROM = 16         # slides: a shorter deck is laid out in one piece (two processes gain little there)
CHUNK_SLIDES = 100      # slides a chunk at most; chunks are as even as can be, and of an even number (so that
                        # two processes share them fairly) since each chunk costs a little (fonts, joining)
SMALL_CHUNK = 6         # slides a chunk aims at, up to SMALL_CHUNKS_AT_MOST chunks: what a rebuild after a
SMALL_CHUNKS_AT_MOST = 8  # one-slide edit lays out (the seed deck's: 6 slides rather than 12)

_ID = re.compile(r'\sid="([^"]*)"')
_HREF = re.compile(r'\shref="#([^"]*)"')


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity, where the system says)."""
    count = getattr(os, "process_cpu_count", None)        # Python 3.13
    count = count() if count else (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None)
    return max(1, count or os.cpu_count() or 1)


def plan_chunks(count: int) -> list[range]:
    """Consecutive ranges of slide indexes covering `count` slides."""
    if count < CHUNK_FROM:
        return [range(count)]
    chunks = max(2, -(-count // CHUNK_SLIDES), min(SMALL_CHUNKS_AT_MOST, -(-count // SMALL_CHUNK)))
    chunks += chunks % 2
    bounds = [count * i // chunks for i in range(chunks + 1)]
    return [range(a, b) for a, b in zip(bounds, bounds[1:])]


# What laying a chunk out costs, in bytes of its document (a slide of text is about 1.5 KB and 20 ms): each
# local file it reads a little, an SVG image much more (WeasyPrint draws it from its source, in Python).
SVG_BYTE_COST = 1 / 14
FILE_COST = 1024


def estimated_costs(documents: list[str], folder) -> list[float]:
    """A rough cost of laying out each chunk's document, from its length and the local files it reads (their
    sizes only: nothing is opened). The processes are given the costliest chunks first, so that the last
    chunk to finish is a cheap one."""
    from pathlib import Path

    from .pdf_cache import dependencies

    costs = []
    for document in documents:
        cost = float(len(document))
        for path in dependencies(document, Path(folder)) or ():
            cost += FILE_COST
            if path.suffix.lower() in (".svg", ".svgz"):
                try:
                    cost += path.stat().st_size * SVG_BYTE_COST
                except OSError:
                    pass
        costs.append(cost)
    return costs


def links_cross_chunks(documents: list[str]) -> bool:
    """Whether a document links (`href="#x"`) to an id that only another document has."""
    ids = [set(_ID.findall(d)) for d in documents]
    every = set().union(*ids) if ids else set()
    return any(target in every and target not in own
               for document, own in zip(documents, ids) for target in _HREF.findall(document))


@dataclasses.dataclass
class ChunkResult:
    chunk: object                          # pdf_merge.ChunkPDF (None when pictures or shapes were asked)
    diagnostics: list
    fitted: dict[int, tuple]               # slide number -> (html, sk_fit_font, sk_fit_scale)
    pictures: list[bytes] | None = None    # the slides' pictures, when the job asks for them
    shapes: list | None = None             # the slides' PPTX shapes (pptx.SlideShapes), when the job asks


DRAWN_ONLY = {"pdf_tags": False, "uncompressed_pdf": True}     # write_pdf's options for a PDF only drawn


@dataclasses.dataclass
class PdfJob:
    """Everything a process needs to make the PDF of some of a deck's slides (it is pickled to the layout
    processes): the slides' stylesheet and size, the render options, where files may be read from."""
    stylesheet: str
    size: tuple[int, int]
    render_options: object                 # render.html.RenderOptions, target "pdf"
    theme: str
    size_label: str
    folder: object                         # Path: the deck's folder
    metadata: dict
    allow_remote: bool
    local_roots: list | None
    disk_cache: bool = True                # chunks kept on disk (pdf_cache.py); off when the pages are needed
    # (format, scale): the slides' pictures instead of a PDF (--images). Each process draws the pictures of
    # the chunks it lays out, so drawing runs in parallel and no joined PDF is made.
    pictures: tuple[str, float] | None = None
    picture_threads: int = 1               # threads a process encodes its pictures in (no effect on bytes)
    shapes: bool = False                   # describe the slides' PPTX shapes from their layout (--pptx)

    def render(self, view) -> str:
        from ..render.html import render_document
        return render_document(view, self.stylesheet, self.size, self.render_options, self.theme, self.size_label)

    def run(self, view) -> ChunkResult:
        """Fit, lay out and write the slides of `view` (the whole deck, or a chunk of a long one): the PDF's
        objects, to be joined (export/pdf_merge.py). The laid-out slides are the ones fitting measured."""
        from .overflow import check_overflow
        from .pdf import fit_slides, write_pdf
        found = Diagnostics()
        fit_slides(view, self.render, self.folder, found, allow_remote=self.allow_remote,
                   local_roots=self.local_roots, whole_deck=True)
        shapes = None

        def drawn_pages():
            # A PPTX needs only the pages it draws pictures from: most are said by their layout alone.
            nonlocal shapes
            from .pptx import PT_PER_PX, describe_pages
            shapes = describe_pages(view.slides, (self.size[0] * PT_PER_PX, self.size[1] * PT_PER_PX))
            if shapes is None:
                return None
            return [n for n, described in enumerate(shapes) if described.drawn]

        pdf = write_pdf(self.render(view), self.folder, self.metadata, found, allow_remote=self.allow_remote,
                        local_roots=self.local_roots, capture=not (self.pictures or self.shapes),
                        inspect=lambda laid_out: check_overflow(laid_out, view, found),
                        select=drawn_pages if self.shapes else None,
                        # a PDF only drawn here, at once: no structure tree, nothing deflated to be inflated
                        pdf_options=DRAWN_ONLY if self.pictures or self.shapes else None)
        fitted = {s.number: (s.html, getattr(s, "sk_fit_font", None), getattr(s, "sk_fit_scale", None))
                  for s in view.slides}
        if self.pictures:
            from .images import render_pages
            fmt, scale = self.pictures
            return ChunkResult(None, list(found), fitted, render_pages(pdf, fmt, scale, threads=self.picture_threads))
        if self.shapes:
            # Their pictures drawn here too, in parallel: no PDF goes to the PPTX.
            if shapes is not None:
                from .pptx import draw_pixels
                draw_pixels(pdf, shapes)
            return ChunkResult(None, list(found), fitted, shapes=shapes)
        return ChunkResult(pdf, list(found), fitted)


class LayoutProcesses:
    """Processes that lay out chunks. The first is forked from this process (which has slidekit loaded) as
    the build starts, and loads WeasyPrint while the deck compiles here; then it forks the others, which so
    start with WeasyPrint loaded (a fork costs milliseconds; loading WeasyPrint 0.3 s, and on two CPUs,
    beside the compiling, more). A rebuild whose chunks nearly all come from the disk cache keeps the others
    idle. Each process talks to this one through its own pipe: a chunk goes to whichever process is free,
    the costliest first (`estimated_costs`).
    Processes that cannot be started or are lost make `run` return None, and the caller lays the chunks
    out itself."""

    def __init__(self, jobs: int) -> None:
        import multiprocessing

        sys.stdout.flush()
        sys.stderr.flush()
        pairs = [multiprocessing.Pipe() for _ in range(jobs)]
        self.connections = [ours for ours, _ in pairs]
        theirs = [end for _, end in pairs]
        self.pids: list[int] = []
        self.first = _start(_first_process, theirs, self.connections)
        self.in_flight = -1                     # chunks sent and not answered (-1: nothing sent yet)
        for end in theirs:
            end.close()

    def run(self, job: PdfJob, views: list, order: list[int] | None = None, done=None) -> list[ChunkResult] | None:
        """job.run(view) for every view, given to the processes in `order` (by default, the views'), the
        results in the views' order; None if a process was lost. An error in a chunk is raised here.
        `done(index, result)` is called as each result comes, once its process has its next chunk."""
        from multiprocessing.connection import wait

        results: list[ChunkResult | None] = [None] * len(views)
        todo = list(order) if order is not None else list(range(len(views)))
        busy: dict = {}                         # connection -> view index
        if not views:
            return []
        self.in_flight = 0
        try:
            for connection in self.connections:
                if todo:
                    n = todo.pop(0)
                    connection.send((job, views[n]))
                    busy[connection] = n
            while busy:
                for connection in wait(list(busy)):
                    kind, value = connection.recv()
                    if kind == "ready":
                        self.pids.append(value)
                        continue
                    n = busy.pop(connection)
                    if kind == "error":
                        raise value
                    results[n] = value
                    if todo:
                        following = todo.pop(0)
                        connection.send((job, views[following]))
                        busy[connection] = following
                    if done is not None:
                        done(n, value)
        except (EOFError, OSError):
            return None
        finally:
            self.in_flight = len(busy)
        return results

    def stop(self) -> None:
        """End the processes. Idle ones end when their pipe closes, the first after waiting for the others
        (so that their CPU time is counted as this process's children's). The rest are terminated: the first
        may still be loading WeasyPrint for nothing (every chunk came from the disk cache), or a chunk be
        under way when the build failed."""
        import signal
        import time
        for connection in self.connections:
            connection.close()
        if self.in_flight == 0:
            self.first.join(5)
            if self.first.exitcode is not None:
                return
        for pid in [self.first.pid, *self.pids]:
            try:
                os.kill(pid, signal.SIGTERM)
            except OSError:
                pass
        self.first.join()


def _start(target, *args):
    """A forked process running target(*args) (multiprocessing's, so it ends as such processes do: its
    parent's exit handlers and buffers are not run again)."""
    import multiprocessing
    import warnings
    process = multiprocessing.get_context("fork").Process(target=target, args=args)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)   # a forked process only computes, then exits
        process.start()
    return process


def _first_process(ends: list, parents_ends: list) -> None:
    """The first layout process: load WeasyPrint, fork the others, then lay out chunks like them."""
    import signal
    for connection in parents_ends:
        connection.close()
    signal.signal(signal.SIGINT, signal.SIG_IGN)       # Ctrl-C is the main process's to handle
    try:
        from .weasy import load
        from .weasy_ua import preload
        load()
        preload()                   # the stylesheet slides are laid out with, shared by the forked processes
        from ..render import html  # noqa: F401 - what a chunk's layout uses (it may have been forked before it)
        from . import overflow, pdf  # noqa: F401
    except Exception:  # noqa: BLE001 - each chunk's layout reports it
        pass
    others = [_start(_serve_one, ends, index) for index in range(1, len(ends))]
    for end in ends[1:]:
        end.close()
    _serve(ends[0])
    for process in others:
        process.join()


def _serve_one(ends: list, index: int) -> None:
    """A layout process forked by the first: lay out what comes through `ends[index]`."""
    for other, end in enumerate(ends):
        if other != index:
            end.close()
    _serve(ends[index])


def _serve(connection) -> None:
    """Lay out the chunks sent through `connection` until it is closed."""
    from .pdf import forget_pages
    connection.send(("ready", os.getpid()))
    while True:
        try:
            job, view = connection.recv()
        except (EOFError, OSError):
            return
        # Its earlier chunks' pages are garbage now: kept, they held memory and every collection went through
        # them again.
        forget_pages()
        try:
            answer = ("done", job.run(view))
        except Exception as exc:  # noqa: BLE001 - raised again in the main process
            answer = ("error", exc)
        try:
            connection.send(answer)
        except (EOFError, OSError):
            return
        except Exception as exc:  # noqa: BLE001 - an error that cannot be pickled: its text
            connection.send(("error", RuntimeError(f"{exc.__class__.__name__}: {exc}")))


_PRESTARTED: list = []      # [(jobs, LayoutProcesses)] started by `prestart`, not taken yet


def start_processes(jobs: int) -> LayoutProcesses | None:
    """Layout processes for a PDF build, started at once, before the deck is even compiled (or taken from
    `prestart`); None for one job, or where processes cannot be forked (the chunks are then made here)."""
    if _PRESTARTED and _PRESTARTED[0][0] == jobs:
        return _PRESTARTED.pop()[1]
    if jobs <= 1 or not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return None
    try:
        return LayoutProcesses(jobs)
    except OSError:
        return None


def prestart(jobs: int) -> None:
    """Start the layout processes of the next `start_processes(jobs)` now: the `build` command of one PDF
    knows it wants them before it loads the compiler and reads the deck (~40 ms sooner)."""
    drop_prestarted()
    processes = start_processes(jobs)
    if processes is not None:
        _PRESTARTED.append((jobs, processes))


def drop_prestarted() -> None:
    """Stop prestarted processes no build took (the build failed before, say)."""
    while _PRESTARTED:
        _PRESTARTED.pop()[1].stop()


def build_pdf(deck, job: PdfJob, diagnostics: Diagnostics, processes=None):
    """The deck's PDF bytes, made in `processes` (from start_processes) or in this process; with
    `job.pictures`, the slides' pictures in order; with `job.shapes`, no PDF (b""): the slides' shapes and
    pictures are written into the deck's PPTX as their chunks come back (`deck.sk_pptx`, pptx.PptxWriter)."""
    from .pdf import begin_build
    from .pdf_merge import merge

    begin_build()
    chunks = plan_chunks(len(deck.slides))
    views = [deck.view(c.start, c.stop) for c in chunks] if len(chunks) > 1 else [deck]
    documents = [job.render(view) for view in views]       # (also reports what the image resolver finds)
    if len(views) > 1 and not job.pictures and links_cross_chunks(documents):     # (pictures have no links)
        views, documents = [deck], [job.render(deck)]
    # Every PDF is written by the join (export/pdf_merge.py), one chunk's too: it stores what several pages
    # draw alike once, where WeasyPrint writes it for each page.
    kept = _kept_chunks(job, views, documents)
    todo = [n for n, (_, found) in enumerate(kept) if found is None]
    results = [found for _, found in kept]
    taken = 0           # the chunks whose slides are in the PPTX (job.shapes), in order

    def take_ready():
        # A PPTX is written as its chunks come back, in the slides' order, while later ones are laid out.
        nonlocal taken
        while job.shapes and taken < len(views) and results[taken] is not None:
            _place_shapes(deck, views[taken], results[taken])
            deck.sk_pptx.add([deck.slides[s.number - 1] for s in views[taken].slides])
            taken += 1

    def done(index, result):
        results[todo[index]] = result
        take_ready()

    if job.shapes:
        from .pptx import PptxWriter
        deck.sk_pptx = PptxWriter(deck)
    made = None
    if processes is not None:
        if job.shapes and todo:
            _import_meanwhile("pptx")
        order = None
        if len(todo) > 2:
            order = dispatch_order(estimated_costs([documents[n] for n in todo], job.folder), in_order=job.shapes)
        take_ready()
        made = processes.run(job, [views[n] for n in todo], order=order, done=done)
    if made is None:
        from . import pdf as pdf_export
        made, pages = [], []
        for n in todo:
            made.append(job.run(views[n]))
            pages += pdf_export.last_pages()
        pdf_export._LAST_PAGES[:] = pages
    for n, result in zip(todo, made):
        results[n] = result
        _keep_chunk(kept[n][0], result)
    seen = set(diagnostics)
    for view, result in zip(views, results):
        for diagnostic in result.diagnostics:
            if diagnostic not in seen:
                seen.add(diagnostic)
                diagnostics.append(diagnostic)
        for slide in deck.slides:           # the slides as fitted in the chunk's process
            if slide.number in result.fitted:
                slide.html, font, scale = result.fitted[slide.number]
                if font is not None:
                    slide.sk_fit_font, slide.sk_fit_scale = font, scale
    if job.pictures:
        return [picture for result in results for picture in result.pictures]
    if job.shapes:      # (the slides' shapes and pictures are the PPTX's; no PDF is made)
        take_ready()
        return b""
    return merge([result.chunk for result in results])


HEAVY_CHUNK = 1.5          # a chunk this many times the typical one's estimated cost is laid out first


def dispatch_order(costs: list[float], in_order: bool = False) -> list[int]:
    """The order the chunks are given to the processes: the costliest first, so that the last to finish is a
    cheap one. `in_order` (a PPTX, which takes the chunks in the slides' order as they come back): only the
    chunks much costlier than the typical one first, the others in order."""
    costliest = sorted(range(len(costs)), key=lambda n: -costs[n])
    if not in_order:
        return costliest
    typical = sorted(costs)[len(costs) // 2]
    heavy = [n for n in costliest if costs[n] > HEAVY_CHUNK * typical]
    return heavy + [n for n in range(len(costs)) if n not in heavy]


def _place_shapes(deck, view, result: ChunkResult) -> None:
    """The chunk's slides' PPTX shapes onto the deck's slides (None where the chunk's pages could not be read
    back: the PPTX is then estimated)."""
    for slide, shapes in zip(view.slides, result.shapes or [None] * len(view.slides)):
        deck.slides[slide.number - 1].sk_shapes = shapes


def _import_meanwhile(module: str) -> None:
    """Import `module` in a thread of this process, which only waits for the layout processes meanwhile (the
    export that needs it imports it again, and so waits for this import or reports its error)."""
    import importlib
    import threading

    def load():
        try:
            importlib.import_module(module)
        except Exception:  # noqa: BLE001 - reported by the export's own import
            pass
    threading.Thread(target=load, name="slidekit-import", daemon=True).start()


def _kept_chunks(job: PdfJob, views: list, documents: list[str]) -> list[tuple]:
    """For each chunk: ((its key, the files it reads, its view), or None when it is not to be kept) and its
    result from the on-disk cache, or None."""
    from .. import cache
    if not job.disk_cache or cache.cache_dir() is None or not views:
        return [(None, None)] * len(views)
    from . import pdf_cache
    found = []
    for view, document in zip(views, documents):
        files = pdf_cache.dependencies(document, job.folder)
        if files is None:
            found.append((None, None))
            continue
        key = pdf_cache.chunk_key(job, view, document)
        found.append(((key, files, view), pdf_cache.load(key, view)))
    return found


def _keep_chunk(where, result: ChunkResult) -> None:
    if where is not None:
        from . import pdf_cache
        key, files, view = where
        pdf_cache.store(key, files, result, view)
