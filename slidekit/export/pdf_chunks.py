"""A deck's PDF, made a chunk of slides at a time, in parallel processes when there are several CPUs.

WeasyPrint lays out and writes about 40 slides a second on one core, and its laid-out pages cannot be sent
from one process to another. So a deck of `CHUNK_FROM` slides or more is cut into chunks of consecutive
slides; each chunk is fitted, laid out
and turned into PDF objects on its own (in a forked process, or in this one), and the chunks' objects are
joined into one PDF (slidekit/export/pdf_merge.py).

How a deck is cut depends on its number of slides only (`plan_chunks`), never on the number of CPUs or of
processes: the PDF is the same whether it was made by one process or eight. A deck shorter than
`CHUNK_FROM` slides is one chunk: its PDF is written by WeasyPrint directly, as before chunks existed. A deck
whose internal links (`[see](#12)`) cross from one chunk to another is made as one chunk too, so that every
link keeps its destination.
"""

from __future__ import annotations

import dataclasses
import re
import sys
from typing import Callable

from ..diagnostics import Diagnostics

CHUNK_FROM = 30         # slides: a shorter deck is laid out in one piece (two processes gain little there)
CHUNK_SLIDES = 100      # slides a chunk at most; chunks are as even as can be, and of an even number (so that
                        # two processes share them fairly) since each chunk costs a little (fonts, joining)

_ID = re.compile(r'\sid="([^"]*)"')
_HREF = re.compile(r'\shref="#([^"]*)"')


def plan_chunks(count: int) -> list[range]:
    """Consecutive ranges of slide indexes covering `count` slides."""
    if count < CHUNK_FROM:
        return [range(count)]
    chunks = max(2, -(-count // CHUNK_SLIDES))
    chunks += chunks % 2
    bounds = [count * i // chunks for i in range(chunks + 1)]
    return [range(a, b) for a, b in zip(bounds, bounds[1:])]


def links_cross_chunks(documents: list[str]) -> bool:
    """Whether a document links (`href="#x"`) to an id that only another document has."""
    ids = [set(_ID.findall(d)) for d in documents]
    every = set().union(*ids) if ids else set()
    return any(target in every and target not in own
               for document, own in zip(documents, ids) for target in _HREF.findall(document))


@dataclasses.dataclass
class ChunkResult:
    chunk: object                          # pdf_merge.ChunkPDF
    diagnostics: list
    fitted: dict[int, tuple]               # slide number -> (html, sk_fit_font, sk_fit_scale)


# The job of the forked processes: set just before they are forked, so they inherit it (nothing is pickled
# on the way in; a ChunkResult of plain data comes back).
_JOB: Callable[[int], ChunkResult] | None = None


def _run(index: int) -> ChunkResult:
    return _JOB(index)


def build_pdf(deck, make_chunk: Callable[[object, Diagnostics, bool], object], render_view: Callable[[object], str],
              diagnostics: Diagnostics, jobs: int = 1):
    """The deck's PDF bytes. `make_chunk(view, diagnostics, capture)` fits, lays out and writes the slides of
    `view` (the deck with some of its slides): bytes, or with `capture` the PDF's objects.
    `render_view(view)` is the view's PDF document (to look for links across chunks)."""
    from .pdf import begin_build
    from .pdf_merge import merge

    begin_build()
    chunks = plan_chunks(len(deck.slides))
    if len(chunks) > 1:
        views = [deck.view(c.start, c.stop) for c in chunks]
        if links_cross_chunks([render_view(view) for view in views]):
            chunks = [range(len(deck.slides))]
    if len(chunks) == 1:
        return make_chunk(deck, diagnostics, False)

    def job(index: int) -> ChunkResult:
        view = views[index]
        found = Diagnostics()
        chunk = make_chunk(view, found, True)
        fitted = {s.number: (s.html, getattr(s, "sk_fit_font", None), getattr(s, "sk_fit_scale", None))
                  for s in view.slides}
        return ChunkResult(chunk, list(found), fitted)

    results = _in_processes(job, len(views), jobs) if jobs > 1 else None
    if results is None:
        from . import pdf as pdf_export
        results, pages = [], []
        for index in range(len(views)):
            results.append(job(index))
            pages += pdf_export.last_pages()
        pdf_export._LAST_PAGES[:] = pages
    seen = set(diagnostics)
    for result in results:
        for diagnostic in result.diagnostics:
            if diagnostic not in seen:
                seen.add(diagnostic)
                diagnostics.append(diagnostic)
        for slide in deck.slides:           # the slides as fitted in the chunk's process
            if slide.number in result.fitted:
                slide.html, font, scale = result.fitted[slide.number]
                if font is not None:
                    slide.sk_fit_font, slide.sk_fit_scale = font, scale
    return merge([result.chunk for result in results])


def _in_processes(job: Callable[[int], ChunkResult], count: int, jobs: int) -> list[ChunkResult] | None:
    """job(0..count-1) in up to `jobs` forked processes, in order; None where forking is not available (the
    caller then runs the chunks here) or a process was lost."""
    import multiprocessing
    import warnings
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    if not sys.platform.startswith("linux") or "fork" not in multiprocessing.get_all_start_methods():
        return None
    global _JOB
    _JOB = job
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)   # fork with threads: our workers only compute
            with ProcessPoolExecutor(max_workers=min(jobs, count),
                                     mp_context=multiprocessing.get_context("fork")) as executor:
                return list(executor.map(_run, range(count)))
    except (BrokenProcessPool, OSError):
        return None
    finally:
        _JOB = None
