"""`slidekit build`: decks to HTML or PDF files.

Several decks (files, or folders of decks whose layout is kept under `-o DIR`) are built in parallel
processes (`-j N`, the CPU count by default); messages come out in the decks' order whatever the order the
builds finish in. A folder built into `-o DIR` gets `DIR/index.html` listing its decks (slidekit/export/
site.py); with `--pdf` such a site holds each deck's HTML and PDF. `--watch` rebuilds on every save.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from . import EXIT_ERRORS, EXIT_OK, EXIT_USAGE


def add_parser(subparsers) -> None:
    build = subparsers.add_parser("build", help="build decks into HTML or PDF",
                                description="Build Markdown decks into one self-contained HTML file or a PDF. "
                                            "A folder built into -o DIR keeps its layout and gets DIR/index.html "
                                            "listing the decks (with --pdf: each deck's HTML and PDF).")
    build.add_argument("inputs", nargs="*", metavar="INPUT", help="deck files (.md) or folders of decks")
    build.add_argument("-I", "--input-dir", metavar="DIR", help="build every deck of this folder")
    build.add_argument("-o", "--output", metavar="PATH",
                       help="output file (format from its extension) or, for several decks, a folder")
    build.add_argument("--pdf", action="store_true", help="write a PDF (WeasyPrint, no browser)")
    build.add_argument("--html", action="store_true", help="allow any raw HTML in the decks (trusted decks only)")
    build.add_argument("--theme", metavar="NAME|FILE.css", help="theme to use instead of the deck's")
    build.add_argument("--theme-set", nargs="+", default=[], metavar="PATH", help="CSS files or folders of themes")
    build.add_argument("--allow-local-files", action="store_true",
                       help="let decks read files outside their own folder")
    build.add_argument("--offline", action="store_true", help="never fetch remote images")
    build.add_argument("--heading-divider", type=_heading_divider, metavar="N",
                       help="start a slide at every heading of level 1..N")
    for name in ("title", "description", "author", "url"):
        build.add_argument(f"--{name}", help=f"set the deck's {name}")
    build.add_argument("--og-image", dest="image", help="set the deck's social preview image")
    build.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    build.add_argument("-j", "--jobs", type=_positive, default=None, metavar="N",
                       help="processes used at once (default: the number of CPUs): decks built side by side, "
                            "or for one deck the chunks of a long PDF")
    build.add_argument("-w", "--watch", action="store_true",
                       help="rebuild when a deck, its images, its themes or the config change (Ctrl+C to stop)")
    from ..config import add_arguments
    add_arguments(build)   # -c/--config-file, --no-config
    from ..export.outputs import add_arguments as add_export_arguments
    add_export_arguments(build)   # --notes, --handout, --images, --image, --pptx, --pdf-notes, --pdf-outlines
    build.set_defaults(run=run)


def _heading_divider(text: str) -> int | list[int]:
    try:
        levels = [int(p) for p in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError("expected a level 1-6 or a list like 1,2") from None
    if not all(1 <= v <= 6 for v in levels):
        raise argparse.ArgumentTypeError("heading levels go from 1 to 6")
    return levels[0] if len(levels) == 1 else levels


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("expected a number of jobs such as 4") from None
    if value < 1:
        raise argparse.ArgumentTypeError("at least one job")
    return value


# The plan: which deck goes where ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Job:
    """One deck to build, where its output goes, and how a site's index names it."""

    deck: Path
    target: Path
    html: Path | None = None     # a site built with --pdf: the HTML beside the PDF
    source: str = ""             # the deck as the index names it


@dataclass
class Plan:
    """The decks a `build` command makes and, for a folder, the site that lists them."""

    jobs: list[Job]
    site: Path | None = None     # the folder that gets index.html
    site_title: str = ""


def _jobs(args) -> list[tuple[Path, Path]] | str:
    """(deck, output) pairs, or a usage error message."""
    plan = _plan(args)
    return plan if isinstance(plan, str) else [(job.deck, job.target) for job in plan.jobs]


def _plan(args) -> Plan | str:
    fmt = "pdf" if args.pdf else None
    from ..export.outputs import EXTENSIONS, default_suffix, output_kind
    try:
        kind = output_kind(args)
    except ValueError as exc:
        return str(exc)
    decks: list[tuple[Path, Path | None]] = []
    folders: list[Path] = []
    for item in args.inputs:
        path = Path(item)
        if path.is_dir():
            folders.append(path)
            for deck in sorted(path.rglob("*.md")):
                rel = deck.relative_to(path)
                if any(part.startswith(".") or part == "node_modules" for part in rel.parts[:-1]):
                    continue
                decks.append((deck, rel))
        elif path.is_file():
            decks.append((path, None))
        else:
            return f"no such file or folder: {item}"
    if not decks:
        return "no Markdown decks found"
    out = Path(args.output) if args.output else None
    several = len(decks) > 1 or any(rel is not None for _, rel in decks)
    site = out if (out is not None and several and folders and kind is None) else None
    jobs = []
    for deck, rel in decks:
        if out is not None and not several:
            ext = out.suffix.lower().lstrip(".")
            if kind and ext not in EXTENSIONS[kind]:
                return f"--{kind} writes {' or '.join('.' + e for e in EXTENSIONS[kind])} files, not {out}"
            if not kind and ext not in ("html", "htm", "pdf"):
                return f"cannot tell the format of {out}: use a .html or .pdf name"
            if fmt and ext != "pdf":
                return f"--pdf given but the output {out} is not a .pdf file"
            target = out
        else:
            suffix = default_suffix(kind, args) if kind else "." + (fmt or "html")
            base = (out / (rel or deck.name)) if out is not None else deck
            target = base.with_suffix(suffix)
        if target.resolve() == deck.resolve():
            return f"refusing to write over the input {deck}"
        html = target.with_suffix(".html") if site is not None and fmt == "pdf" else None
        jobs.append(Job(deck, target, html, (rel or Path(deck.name)).as_posix()))
    if site is not None:
        index = (site / "index.html").resolve()
        if any(index in (job.target.resolve(), job.html and job.html.resolve()) for job in jobs):
            site = None   # a deck called index.md owns index.html: no listing
    title = folders[0].resolve().name if folders else ""
    return Plan(jobs, site, title)


# One deck (in a worker process) ----------------------------------------------------------------------------
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


def _settings(args) -> argparse.Namespace:
    """The arguments a worker needs (no functions: they cross a process boundary)."""
    return argparse.Namespace(**{k: v for k, v in vars(args).items() if not callable(v)})


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
            found = locate(found, result.deck, normalise_newlines(decode(deck.read_bytes())[0]))
        except Exception:  # noqa: BLE001 - placing a message better is never worth failing the build
            pass
    return sorted(found, key=lambda d: d.line or 0)


def build_one(job: Job, args: argparse.Namespace, site: bool = False) -> Outcome:
    """Build and write one deck; never raises (a bug of ours is one message)."""
    try:
        return _build_one(job, args, site)
    except Exception as exc:  # noqa: BLE001
        return Outcome([_diagnostic("error", "internal", f"internal error while building "
                                    f"({exc.__class__.__name__}: {exc}); please report it with the deck",
                                    job.deck)], ok=False)


def _build_one(job: Job, args, site: bool) -> Outcome:
    from ..api import BuildOptions, build_file
    from ..export.files import write_atomic
    from ..export.outputs import build_format, export, output_kind

    deck, target = job.deck, job.target
    kind = output_kind(args)
    overrides = {k: getattr(args, k, None) for k in ("title", "description", "author", "url", "image")}
    outcome = Outcome()

    def options(fmt: str) -> BuildOptions:
        return BuildOptions(format=fmt, allow_html=args.html, theme=args.theme,
                            theme_set=[Path(p) for p in args.theme_set or []],
                            allow_local_files=args.allow_local_files, offline=args.offline,
                            heading_divider=args.heading_divider, overrides=overrides,
                            # a long deck's PDF is laid out in parallel chunks (export/pdf_chunks.py); the
                            # PPTX is placed from the pages laid out in this process
                            jobs=1 if kind == "pptx" else getattr(args, "pdf_jobs", 1),
                            pdf_cache=kind != "pptx")

    fmt = build_format(kind) if kind else ("pdf" if target.suffix.lower() == ".pdf" else "html")
    builds = [("html", job.html)] if job.html is not None else []
    builds.append((fmt, target))
    diagnostics, results = [], []
    for build_fmt, _ in builds:
        try:
            result = build_file(deck, options(build_fmt))
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
    if any(r.output is None for r in results):
        outcome.ok = False
        return outcome
    try:
        files = export(kind, result, target, args)
        if job.html is not None:
            files.insert(0, (job.html, results[0].output))
    except Exception as exc:  # an export that fails is one line too
        outcome.messages.append(_diagnostic("error", "export", f"cannot make the {kind or 'output'} "
                                            f"({exc.__class__.__name__}: {exc})", deck))
        outcome.ok = False
        return outcome
    try:
        for path, data in files:
            write_atomic(path, data)
            outcome.written.append(path)
    except OSError as exc:
        outcome.messages.append(f"{path}: error: cannot write: {exc.strerror or exc}")
        outcome.ok = False
        return outcome
    if result.diagnostics.has_errors or any(r.diagnostics.has_errors for r in results):
        outcome.ok = False
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
    outputs = ", ".join(str(p) for p in outcome.written) if len(outcome.written) <= 2 else \
        f"{target} and {len(outcome.written) - 1} more files"
    outcome.messages.append(f"{deck} => {outputs} ({outcome.slides} slides)")
    return outcome


# Many decks -------------------------------------------------------------------------------------------------
def _html_only(job: Job, args) -> bool:
    """Whether the job writes one HTML file and nothing else (no export, no PDF)."""
    from ..export.outputs import output_kind
    try:
        kind = output_kind(args)
    except ValueError:
        return False
    return kind is None and job.html is None and not args.pdf and job.target.suffix.lower() in (".html", ".htm")


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
    executor = ProcessPoolExecutor(max_workers=workers, mp_context=context)
    for future in [executor.submit(int) for _ in range(workers)]:   # all workers up before any thread starts
        future.result()
    return executor


class Builder:
    """Builds plans with one executor (kept across the rebuilds of --watch) and prints in deck order."""

    def __init__(self, args, workers: int) -> None:
        from ..progress import colour_wanted
        self.args = args
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
            if message.level == "error" or not self.args.quiet:
                progress.message(paint(message, self.colour))
        elif not self.args.quiet or ": error: " in message:
            progress.message(message)

    def build(self, plan: Plan, jobs: list[Job] | None = None) -> int:
        """Build `jobs` (all of the plan's by default), write the index; the exit status."""
        from ..progress import Progress

        jobs = plan.jobs if jobs is None else jobs
        settings = _settings(self.args)
        site = plan.site is not None
        outcomes: list[Outcome | None] = [None] * len(jobs)
        shown = 0
        progress = Progress(len(jobs), enabled=False if self.args.quiet else None)   # None: on a terminal
        if self.executor is None and self.workers <= 1 and len(jobs) == 1 and _html_only(jobs[0], self.args):
            # One deck's HTML is built right here: the executor's thread and concurrent.futures (with logging)
            # would cost a fresh process milliseconds, and no progress bar is drawn for a single deck.
            outcomes[0] = build_one(jobs[0], settings, site)
            for message in outcomes[0].messages:
                self._print(progress, message)
            progress.close()
            return self._finish(plan, jobs, outcomes, site)
        if self.executor is None:
            self.executor = make_executor(self.workers, bool(self.args.pdf))
        from concurrent.futures import BrokenExecutor
        try:
            futures = {self.executor.submit(build_one, job, settings, site): n for n, job in enumerate(jobs)}
        except BrokenExecutor:   # a worker was killed (by the system, say) during an earlier build of --watch
            self.executor.shutdown(wait=False, cancel_futures=True)
            self.executor = make_executor(self.workers, bool(self.args.pdf))
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
        status = EXIT_OK
        for job, outcome in zip(jobs, outcomes):
            if not outcome.ok:
                status = EXIT_ERRORS
            self.written.update(p.resolve() for p in outcome.written)
            if site:
                self.entries[job.deck.resolve()] = self._entry(plan, job, outcome)
        if site:
            status = max(status, self.write_index(plan))
        return status

    def _entry(self, plan: Plan, job: Job, outcome: Outcome):
        from ..export.site import SiteEntry

        def rel(path: Path | None) -> str | None:
            if path is None or path.resolve() not in {p.resolve() for p in outcome.written}:
                return None
            return path.resolve().relative_to(plan.site.resolve()).as_posix()

        html = rel(job.html) or (rel(job.target) if job.target.suffix.lower() in (".html", ".htm") else None)
        pdf = rel(job.target) if job.target.suffix.lower() == ".pdf" else None
        return SiteEntry(job.source, outcome.title or job.deck.stem, outcome.slides, html, pdf,
                         outcome.thumbnail, outcome.live, failed=not outcome.ok)

    def write_index(self, plan: Plan) -> int:
        from ..export.files import write_atomic
        from ..export.site import render_index

        entries = [self.entries[job.deck.resolve()] for job in plan.jobs if job.deck.resolve() in self.entries]
        index = plan.site / "index.html"
        try:
            write_atomic(index, render_index(plan.site_title, entries))
        except OSError as exc:
            print(f"{index}: error: cannot write: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_ERRORS
        self.written.add(index.resolve())
        if not self.args.quiet:
            print(f"index => {index} ({len(entries)} deck{'s' * (len(entries) != 1)})", file=sys.stderr)
        return EXIT_OK


def _configured(args):
    """A copy of the command line with the config files merged in, and the plan (or a usage error)."""
    from ..config import apply_config

    args = argparse.Namespace(**vars(args))
    args.inputs = list(args.inputs or [])
    args.theme_set = list(args.theme_set or [])
    for diagnostic in apply_config(args):   # slidekit.yaml, [tool.slidekit], .marprc*: under the command line
        if diagnostic.level == "error" or not (args.quiet or diagnostic.level == "info"):
            print(diagnostic.format(), file=sys.stderr)
    plan = _plan(args) if args.inputs else "no input: give decks, a folder or --input-dir"
    return args, plan


def pdf_processes(workers: int, deck_workers: int, watching: bool) -> int:
    """Processes for one deck's PDF chunks (slidekit/export/pdf_chunks.py): all of them for a single deck
    built once; one under --watch, whose rebuilds reuse the slides laid out in this process (a fresh process
    would lay the whole deck out again at every save), and one when decks are built side by side."""
    return workers if deck_workers == 1 and not watching else 1


def run(args) -> int:
    configured, plan = _configured(args)
    if isinstance(plan, str):
        print(f"slidekit: error: {plan}", file=sys.stderr)
        return EXIT_USAGE
    from ..export.pdf_chunks import usable_cpus
    workers = configured.jobs or usable_cpus()
    folders = any(Path(p).is_dir() for p in configured.inputs)   # --watch may see decks added to a folder
    deck_workers = workers if configured.watch and folders else min(workers, len(plan.jobs))
    configured.pdf_jobs = pdf_processes(workers, deck_workers, configured.watch)
    if configured.pdf_jobs > 1 and len(plan.jobs) == 1 and _lays_out_a_pdf(plan.jobs[0], configured):
        from ..export.pdf_chunks import prestart
        prestart(configured.pdf_jobs)       # WeasyPrint loads there while the compiler loads here
    builder = Builder(configured, deck_workers)
    try:
        if configured.watch:
            return watch(args, builder, plan)
        return builder.build(plan)
    except KeyboardInterrupt:
        return 130
    finally:
        builder.close()
        chunks = sys.modules.get("slidekit.export.pdf_chunks")      # (an HTML build never loads it)
        if chunks is not None:
            chunks.drop_prestarted()


def _lays_out_a_pdf(job: Job, args) -> bool:
    """Whether building `job` lays a PDF out in parallel processes (a PDF, or an export made from one)."""
    from ..export.outputs import build_format, output_kind
    try:
        kind = output_kind(args)
    except ValueError:
        return False
    fmt = build_format(kind) if kind else ("pdf" if job.target.suffix.lower() == ".pdf" else "html")
    return fmt == "pdf" and kind != "pptx"


# --watch ----------------------------------------------------------------------------------------------------
def _watched(args, plan: Plan) -> list[Path]:
    """The folders of the decks, the theme files and the config file."""
    from ..config import find_config

    paths = []
    for item in args.inputs:
        path = Path(item)
        paths.append(path if path.is_dir() else path.parent)
    paths += [Path(p) for p in args.theme_set or []]
    if args.theme and str(args.theme).endswith(".css"):
        paths.append(Path(args.theme))
    if getattr(args, "config_file", None):
        paths.append(Path(args.config_file))
    elif not getattr(args, "no_config", False) and args.inputs:
        start = Path(args.inputs[0])
        found = find_config(start if start.is_dir() else start.parent)
        if found is not None:
            paths.append(found)
    unique: list[Path] = []
    for path in (p.resolve() for p in paths if p.exists()):
        if path not in unique and not any(u.is_dir() and u in path.parents for u in unique):
            unique = [u for u in unique if not (path.is_dir() and path in u.parents)] + [path]
    return unique


def watch(original, builder: Builder, plan: Plan, stop=None, on_build=None) -> int:
    """Build, then rebuild on every change until Ctrl+C (or `stop`, a threading.Event, is set)."""
    import queue
    import threading

    from ..serve import WATCHED_SUFFIXES, Preview

    changes: "queue.Queue[set[Path]]" = queue.Queue()
    stop = stop or threading.Event()

    class Watcher(Preview):
        def on_change(self, paths: set[Path]) -> None:
            relevant = {p for p in paths if p.suffix.lower() in WATCHED_SUFFIXES and not p.name.startswith(".#")}
            if relevant:
                changes.put(relevant)

        def start(self) -> None:   # the preview's watching alone, no preview build
            self._watcher = threading.Thread(target=self._watch, name="slidekit-watch", daemon=True)
            self._watcher.start()
            self.ready.wait(10)

    builder.executor = builder.executor or make_executor(builder.workers, bool(builder.args.pdf))
    roots = _watched(builder.args, plan)
    watcher = Watcher(roots[0], extra_watch=roots[1:],
                      log=lambda line: print(line, file=sys.stderr))
    watcher.start()
    try:
        builder.build(plan)
        built = {job.deck.resolve() for job in plan.jobs}
        if on_build:
            on_build()
        if not builder.args.quiet:
            print(f"watching {', '.join(str(r) for r in roots)} (Ctrl+C to stop)", file=sys.stderr, flush=True)
        while not stop.is_set():
            try:
                paths = changes.get(timeout=0.2)
            except queue.Empty:
                continue
            try:
                while True:   # one rebuild for a burst of saves
                    paths |= changes.get(timeout=0.05)
            except queue.Empty:
                pass
            site = plan.site.resolve() if plan.site is not None else None
            paths = {p.resolve() for p in paths}
            paths = {p for p in paths if p not in builder.written and not (site and site in p.parents)}
            if not paths:
                continue
            configured, new_plan = _configured(original)
            if isinstance(new_plan, str):
                print(f"slidekit: error: {new_plan}", file=sys.stderr)
                continue
            builder.args = configured
            decks = {job.deck.resolve() for job in new_plan.jobs}
            if all(p.suffix.lower() in (".md", ".markdown") for p in paths) and new_plan.site == plan.site:
                jobs = [job for job in new_plan.jobs if job.deck.resolve() in paths or job.deck.resolve() not in built]
            else:
                jobs = new_plan.jobs   # an image, a theme, the config: every deck
            for gone in set(builder.entries) - decks:
                builder.entries.pop(gone, None)
            plan, built = new_plan, decks
            if jobs:
                builder.build(plan, jobs)
            elif plan.site is not None:
                builder.write_index(plan)
            if on_build:
                on_build()
    finally:
        watcher.stop()
    return EXIT_OK
