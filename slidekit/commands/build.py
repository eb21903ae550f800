"""`slidekit build`: decks to HTML or PDF files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import EXIT_ERRORS, EXIT_OK, EXIT_USAGE


def add_parser(subparsers) -> None:
    build = subparsers.add_parser("build", help="build decks into HTML or PDF",
                                description="Build Markdown decks into one self-contained HTML file or a PDF.")
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


def _jobs(args) -> list[tuple[Path, Path]] | str:
    """(deck, output) pairs, or a usage error message."""
    fmt = "pdf" if args.pdf else None
    from ..export.outputs import EXTENSIONS, default_suffix, output_kind
    try:
        kind = output_kind(args)
    except ValueError as exc:
        return str(exc)
    decks: list[tuple[Path, Path | None]] = []
    for item in args.inputs:
        path = Path(item)
        if path.is_dir():
            for deck in sorted(path.rglob("*.md")):
                decks.append((deck, deck.relative_to(path)))
        elif path.is_file():
            decks.append((path, None))
        else:
            return f"no such file or folder: {item}"
    if not decks:
        return "no Markdown decks found"
    out = Path(args.output) if args.output else None
    several = len(decks) > 1 or any(rel is not None for _, rel in decks)
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
        jobs.append((deck, target))
    return jobs


def run(args) -> int:
    from ..api import BuildOptions, build_file
    from ..export.files import write_atomic

    from ..config import apply_config
    for diagnostic in apply_config(args):   # slidekit.yaml, [tool.slidekit], .marprc*: under the command line
        if diagnostic.level == "error" or not (args.quiet or diagnostic.level == "info"):
            print(diagnostic.format(), file=sys.stderr)
    jobs = _jobs(args) if args.inputs else "no input: give decks, a folder or --input-dir"
    if isinstance(jobs, str):
        print(f"slidekit: error: {jobs}", file=sys.stderr)
        return EXIT_USAGE
    overrides = {k: getattr(args, k) for k in ("title", "description", "author", "url", "image")}
    status = EXIT_OK
    from ..export.outputs import build_format, export, output_kind
    kind = output_kind(args)
    for deck, target in jobs:
        options = BuildOptions(
            format=build_format(kind) if kind else ("pdf" if target.suffix.lower() == ".pdf" else "html"),
            allow_html=args.html, theme=args.theme, theme_set=[Path(p) for p in args.theme_set],
            allow_local_files=args.allow_local_files, offline=args.offline,
            heading_divider=args.heading_divider, overrides=overrides)
        try:
            result = build_file(deck, options)
        except OSError as exc:
            print(f"{deck}: error: cannot read the deck: {exc.strerror or exc}", file=sys.stderr)
            status = EXIT_ERRORS
            continue
        except Exception as exc:  # a bug of ours must still read as one line, not a traceback
            print(f"{deck}: error: internal error while building ({exc.__class__.__name__}: {exc}); "
                  "please report it with the deck", file=sys.stderr)
            status = EXIT_ERRORS
            continue
        for diagnostic in result.diagnostics:
            if diagnostic.level == "error" or not args.quiet:
                print(diagnostic.format(), file=sys.stderr)
        if result.output is None:
            status = EXIT_ERRORS
            continue
        try:
            files = export(kind, result, target, args)
        except Exception as exc:  # an export that fails is one line too
            print(f"{deck}: error: cannot make the {kind or 'output'} ({exc.__class__.__name__}: {exc})",
                  file=sys.stderr)
            status = EXIT_ERRORS
            continue
        try:
            for path, data in files:
                write_atomic(path, data)
        except OSError as exc:
            print(f"{target}: error: cannot write: {exc.strerror or exc}", file=sys.stderr)
            status = EXIT_ERRORS
            continue
        if result.diagnostics.has_errors:
            status = EXIT_ERRORS
        if not args.quiet:
            count = len(result.deck.slides) if result.deck else 0
            print(f"{deck} => {target} ({count} slides)", file=sys.stderr)
    return status
