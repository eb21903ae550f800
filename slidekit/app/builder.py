"""Building the plan's decks: one deck at a time in this process, or side by side in worker processes,
with messages in the decks' order whatever the order the builds finish in. (The site's index: site.py.)"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .plan import STDIO, Job, Plan

EXIT_OK, EXIT_ERRORS = 0, 1


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity, where the system says)."""
    count = getattr(os, "process_cpu_count", None)        # Python 3.13
    count = count() if count else (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None)
    return max(1, count or os.cpu_count() or 1)


@dataclass
class Outcome:
    """What building one deck gave: messages in order, success, files written, and a site entry's data."""

    messages: list = field(default_factory=list)       # Diagnostic, or a plain line
    ok: bool = True
    written: list[Path] = field(default_factory=list)
    title: str = ""
    slides: int = 0
    thumbnail: bytes | None = None
    live: object = None                                  # site.LiveCopy


def _diagnostic(level: str, code: str, message: str, deck: Path):
    from ..diagnostics import Diagnostic
    return Diagnostic(level, code, message, file=str(deck))


def _located(deck: Path, diagnostics, result) -> list:
    """The diagnostics with the line that causes them, as `slidekit check` prints them."""
    found = list(dict.fromkeys(diagnostics))    # an HTML and a PDF build report the same things once
    if found and result is not None and result.deck is not None:   # (nothing to place: no lint, no re-read)
        try:
            from ..deck.lint import locate
            from ..source import decode, normalise_newlines
            data = _stdin_deck() if deck == Path(STDIO) else deck.read_bytes()
            found = locate(found, result.deck, normalise_newlines(decode(data)[0]))
        except Exception:  # noqa: BLE001 - placing a message better is never worth failing the build
            pass
    return sorted(found, key=lambda d: d.line or 0)


def build_one(job: Job, options, site: bool = False) -> Outcome:
    """Build and write one deck; never raises (a bug of ours is one message)."""
    try:
        return _build_one(job, options, site)
    except Exception as exc:  # noqa: BLE001
        return Outcome([_diagnostic("error", "internal", f"internal error while building "
                                    f"({exc.__class__.__name__}: {exc}); please report it with the deck",
                                    job.deck)], ok=False)


_STDIN: list[bytes] = []


def _stdin_deck() -> bytes:
    """The deck given on standard input, read once (an HTML and a PDF are built from it)."""
    if not _STDIN:
        _STDIN.append(sys.stdin.buffer.read())
    return _STDIN[0]


def _build(deck: Path, options):
    """Build a deck file, or the deck on standard input (its images relative to the working folder)."""
    from ..api import build_file, build_source
    if deck != Path(STDIO):
        return build_file(deck, options)
    from ..diagnostics import Diagnostics
    from ..source import read_source
    diagnostics = Diagnostics()
    return build_source(read_source(None, diagnostics, data=_stdin_deck()), options, diagnostics,
                        folder=Path.cwd())


def _write(path: Path, data: bytes | str) -> None:
    from ..export.files import write_atomic
    if str(path) == STDIO:
        sys.stdout.buffer.write(data.encode("utf-8") if isinstance(data, str) else data)
        sys.stdout.buffer.flush()
    else:
        write_atomic(path, data)


def _image_density(kind: str | None, settings) -> float | None:
    """The image pixels a CSS pixel that an export drawn from the PDF shows: pictures at their scale, the
    PPTX's pictures at the scale they are cut at; None (the PDF's own rule) for the PDF and the handout."""
    if kind in ("images", "image"):
        return max(0.1, float(settings.image_scale or 1))
    if kind == "pptx":
        from ..export.pptx import PICTURE_DENSITY
        return PICTURE_DENSITY
    return None


def _build_one(job: Job, settings, site: bool) -> Outcome:
    from ..api import BuildOptions
    from ..export.outputs import build_format, export, output_kind

    deck, target = job.deck, job.target
    kind = output_kind(settings)
    outcome = Outcome()

    def options(fmt: str) -> BuildOptions:
        return BuildOptions.of(settings, fmt,
                               # a long deck's PDF is laid out in parallel chunks (export/pdf_chunks.py), which
                               # also describe the PPTX's shapes from their layout
                               jobs=settings.pdf_jobs, pptx_shapes=kind == "pptx" and fmt == "pdf",
                               image_density=_image_density(kind, settings) if fmt == "pdf" else None,
                               # --images: the layout processes draw the pictures of the slides they lay out
                               pictures=(settings.images, settings.image_scale)
                               if kind == "images" and fmt == "pdf" else None,
                               lossless_images=fmt == "pdf" and kind in ("images", "image")
                               and (settings.images if kind == "images" else settings.image) == "png")

    fmt = build_format(kind) if kind else \
        ("pdf" if target.suffix.lower() == ".pdf" or (str(target) == STDIO and settings.pdf) else "html")
    builds = [("html", job.html)] if job.html is not None else []
    builds.append((fmt, target))
    diagnostics, results = [], []
    for build_fmt, _ in builds:
        try:
            result = _build(deck, options(build_fmt))
        except OSError as exc:
            outcome.messages.append(_diagnostic("error", "read", f"cannot read the deck: {exc.strerror or exc}",
                                                deck))
            outcome.ok = False
            return outcome
        diagnostics += result.diagnostics
        results.append(result)
    result = results[-1]
    outcome.messages += _located(deck, diagnostics, result)
    if result.deck is not None:
        g = result.deck.globals
        outcome.slides = len(result.deck.slides)
        outcome.title = str(g.get("title") or next((s.title for s in result.deck.slides if s.title), "")
                            or deck.stem)
    if any(r.output is None or r.diagnostics.has_errors for r in results):
        # A failed build never replaces a good file: what was there stays until the errors are fixed.
        outcome.ok = False
        kept = [p for p in (job.html, target) if p is not None and p.exists()]
        outcome.messages.append(_diagnostic("error", "not-written", "nothing written: fix the errors above"
                                            + (f" ({', '.join(map(str, kept))} kept as it was)" if kept else ""),
                                            deck))
        return outcome
    try:
        files = export(kind, result, target, settings)
        if job.html is not None:
            files.insert(0, (job.html, results[0].output))
    except Exception as exc:  # an export that fails is one line too
        outcome.messages.append(_diagnostic("error", "export", f"cannot make the {kind or 'output'} "
                                            f"({exc.__class__.__name__}: {exc})", deck))
        outcome.ok = False
        return outcome
    try:
        for path, data in files:
            _write(path, data)
            outcome.written.append(path)
    except OSError as exc:
        outcome.messages.append(f"{path}: error: cannot write: {exc.strerror or exc}")
        outcome.ok = False
        return outcome
    if site:
        from ..export import site as site_page
        try:
            if isinstance(result.output, bytes):
                outcome.thumbnail = site_page.thumbnail(result.output)
            else:
                outcome.live = site_page.live_copy(str(results[0].output))
        except Exception as exc:  # noqa: BLE001 - a deck without a thumbnail is still listed
            outcome.messages.append(_diagnostic("warning", "thumbnail", f"no thumbnail for the index "
                                                f"({exc.__class__.__name__}: {exc})", deck))
    written = ["standard output" if str(p) == STDIO else str(p) for p in outcome.written]
    outputs = ", ".join(written) if len(written) <= 2 else \
        f"{written[0]} ... {written[-1]} ({len(written)} files)"
    name = "standard input" if deck == Path(STDIO) else deck
    outcome.messages.append(f"{name} => {outputs} ({outcome.slides} slide{'s' * (outcome.slides != 1)})")
    return outcome


# Many decks -------------------------------------------------------------------------------------------------
def _html_only(job: Job, options) -> bool:
    """Whether the job writes one HTML file and nothing else (no export, no PDF)."""
    from ..export.outputs import output_kind
    try:
        kind = output_kind(options)
    except ValueError:
        return False
    return kind is None and job.html is None and not options.pdf and job.target.suffix.lower() in (".html", ".htm")


def make_executor(workers: int, needs_pdf: bool):
    """Processes when more than one deck may be built at once, else a single thread of this process."""
    if workers <= 1:
        from concurrent.futures import ThreadPoolExecutor   # (the process pool's modules are not loaded)
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix="slidekit-build")
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from .. import api  # noqa: F401 - loaded once here, inherited by forked workers
    if needs_pdf:
        try:
            from ..export.weasy import load
            load()
        except Exception:  # noqa: BLE001 - a worker reports it properly
            pass
    context = None
    if sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("fork")   # workers start at once, with slidekit imported
        if needs_pdf:
            from .. import cache
            if cache.cache_dir() is None:
                # the workers' temporary folders of prepared images go inside this process's, which it removes
                from ..export.image_prep import shared_temporary_folder
                shared_temporary_folder()
    executor = ProcessPoolExecutor(max_workers=workers, mp_context=context)
    for future in [executor.submit(int) for _ in range(workers)]:   # all workers up before any thread starts
        future.result()
    return executor


class Builder:
    """Builds plans with one executor (kept across the rebuilds of --watch) and prints in deck order."""

    def __init__(self, options, workers: int) -> None:
        from ..progress import colour_wanted
        self.options = options
        self.workers = workers
        self.executor = None
        self.colour = colour_wanted(sys.stderr)
        self.entries: dict[Path, object] = {}     # deck -> site.SiteEntry, for the index
        self.written: set[Path] = set()

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.executor = None

    def _print(self, progress, message) -> None:
        from ..diagnostics import Diagnostic
        from ..progress import paint
        if isinstance(message, Diagnostic):
            if message.level == "error" or not self.options.quiet:
                progress.message(paint(message, self.colour))
        elif not self.options.quiet or ": error: " in message:
            progress.message(message)

    def build(self, plan: Plan, jobs: list[Job] | None = None) -> int:
        """Build `jobs` (all of the plan's by default), write the index; the exit status."""
        from ..progress import Progress

        jobs = plan.jobs if jobs is None else jobs
        settings = self.options
        site = plan.site is not None
        outcomes: list[Outcome | None] = [None] * len(jobs)
        shown = 0
        progress = Progress(len(jobs), enabled=False if self.options.quiet else None)   # None: on a terminal
        in_process = len(jobs) == 1 and (STDIO in (str(jobs[0].deck), str(jobs[0].target)) or (
            self.executor is None and self.workers <= 1 and _html_only(jobs[0], self.options)))
        if in_process:
            # One deck's HTML is built right here: the executor's thread and concurrent.futures (with logging)
            # would cost a fresh process milliseconds, and no progress bar is drawn for a single deck.
            outcomes[0] = build_one(jobs[0], settings, site)
            for message in outcomes[0].messages:
                self._print(progress, message)
            progress.close()
            return self._finish(plan, jobs, outcomes, site)
        if self.executor is None:
            self.executor = make_executor(self.workers, bool(self.options.pdf))
        from concurrent.futures import BrokenExecutor
        try:
            futures = {self.executor.submit(build_one, job, settings, site): n for n, job in enumerate(jobs)}
        except BrokenExecutor:   # a worker was killed (by the system, say) during an earlier build of --watch
            self.executor.shutdown(wait=False, cancel_futures=True)
            self.executor = make_executor(self.workers, bool(self.options.pdf))
            futures = {self.executor.submit(build_one, job, settings, site): n for n, job in enumerate(jobs)}
        from concurrent.futures import FIRST_COMPLETED, wait
        try:
            pending = set(futures)
            while shown < len(jobs):
                done, pending = wait(pending, timeout=0.1, return_when=FIRST_COMPLETED)
                for future in sorted(done, key=futures.get):
                    n = futures[future]
                    try:
                        outcomes[n] = future.result()
                    except Exception as exc:  # noqa: BLE001 - e.g. a worker killed by the system
                        outcomes[n] = Outcome([_diagnostic("error", "internal", f"the build stopped "
                                                           f"({exc.__class__.__name__}: {exc})", jobs[n].deck)],
                                              ok=False)
                    progress.advance(jobs[n].deck.name)
                while shown < len(jobs) and outcomes[shown] is not None:
                    for message in outcomes[shown].messages:
                        self._print(progress, message)
                    shown += 1
                progress.tick()
        finally:
            progress.close()
        return self._finish(plan, jobs, outcomes, site)

    def _finish(self, plan: Plan, jobs: list[Job], outcomes: list[Outcome], site: bool) -> int:
        """The exit status of built jobs; records what was written and, for a site, writes the index."""
        from .site import site_entry
        status = EXIT_OK
        for job, outcome in zip(jobs, outcomes):
            if not outcome.ok:
                status = EXIT_ERRORS
            self.written.update(p.resolve() for p in outcome.written)
            if site:
                self.entries[job.deck.resolve()] = site_entry(plan, job, outcome)
        if site:
            status = max(status, self.write_index(plan))
        return status

    def write_index(self, plan: Plan) -> int:
        from .site import write_index
        status, index = write_index(plan, self.entries, self.options.quiet)
        if index is not None:
            self.written.add(index.resolve())
        return status


def pdf_processes(workers: int, deck_workers: int, watching: bool) -> int:
    """Processes for one deck's PDF chunks (slidekit/export/pdf_chunks.py): all of them for a single deck
    built once; one under --watch, whose rebuilds reuse the slides laid out in this process (a fresh process
    would lay the whole deck out again at every save), and one when decks are built side by side."""
    return workers if deck_workers == 1 and not watching else 1


def lays_out_a_pdf(job: Job, options) -> bool:
    """Whether building `job` lays a PDF out in parallel processes (a PDF, or an export made from one)."""
    from ..export.outputs import build_format, output_kind
    try:
        kind = output_kind(options)
    except ValueError:
        return False
    fmt = build_format(kind) if kind else ("pdf" if job.target.suffix.lower() == ".pdf" else "html")
    return fmt == "pdf"


