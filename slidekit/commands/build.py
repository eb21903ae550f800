"""`slidekit build`: decks to HTML, PDF or an export. Parses, prints and returns the exit code; the plan,
the worker processes, the site's index and --watch are slidekit/app's."""

from __future__ import annotations

import sys
from pathlib import Path

from . import EXIT_USAGE


def add_parser(subparsers) -> None:
    from ..settings import BUILD, add_arguments
    build = subparsers.add_parser("build", help="build decks into HTML or PDF",
                                description="Build Markdown decks into one self-contained HTML file or a PDF. "
                                            "A folder built into -o DIR keeps its layout and gets DIR/index.html "
                                            "listing the decks (with --pdf: each deck's HTML and PDF). "
                                            "- reads a deck from standard input.")
    build.add_argument("inputs", nargs="*", metavar="INPUT", help="deck files (.md), folders of decks, or -")
    add_arguments(build, BUILD)
    build.set_defaults(run=run)


def configure(args, quiet_notes: bool = False):
    """(Options, plan or a usage error message) from the command line and the config files; the config's
    messages are printed (a config that cannot be read is a usage error)."""
    from ..app.plan import make_plan
    from ..config import resolve
    from ..settings import BUILD

    options, diagnostics = resolve(args, BUILD, list(args.inputs or []))
    for diagnostic in diagnostics:
        if diagnostic.level == "error" or not (options.quiet or diagnostic.level == "info"):
            print(diagnostic.format(), file=sys.stderr)
    if any(d.level == "error" for d in diagnostics):
        return options, "the config file cannot be used (-c FILE names another, --no-config reads none)"
    return options, make_plan(options)


def run(args) -> int:
    from ..app.builder import Builder, lays_out_a_pdf, pdf_processes, usable_cpus

    options, plan = configure(args)
    if isinstance(plan, str):
        print(f"slidekit: error: {plan}", file=sys.stderr)
        return EXIT_USAGE
    workers = options.jobs or usable_cpus()
    folders = any(Path(p).is_dir() for p in options.inputs)   # --watch may see decks added to a folder
    deck_workers = workers if options.watch and folders else min(workers, len(plan.jobs))
    options.pdf_jobs = pdf_processes(workers, deck_workers, options.watch)
    if options.pdf_jobs > 1 and len(plan.jobs) == 1 and lays_out_a_pdf(plan.jobs[0], options):
        from ..export.pdf_chunks import prestart
        prestart(options.pdf_jobs)       # WeasyPrint loads there while the compiler loads here
    builder = Builder(options, deck_workers)
    try:
        if options.watch:
            from ..app.watch import watch

            def reconfigure():
                again, new_plan = configure(args)
                again.pdf_jobs = options.pdf_jobs
                return again, new_plan
            return watch(reconfigure, builder, plan)
        return builder.build(plan)
    except KeyboardInterrupt:
        return 130
    finally:
        builder.close()
        chunks = sys.modules.get("slidekit.export.pdf_chunks")      # (an HTML build never loads it)
        if chunks is not None:
            chunks.drop_prestarted()
