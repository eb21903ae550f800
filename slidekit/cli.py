"""The `slidekit` command: parse arguments, call the API, print diagnostics, return an exit code.

Each command lives in slidekit/commands/ and registers itself through `add_parser`; heavy imports happen
inside the commands.
"""

from __future__ import annotations

import argparse
import gc
import sys

from . import __version__


def _parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The argument parser; when `argv` starts with a command's name, with that command's arguments only
    (building every command's parser costs a few milliseconds of each run)."""
    from .commands import COMMANDS      # (imported here: `entry` sets up what their imports use first)
    parser = argparse.ArgumentParser(prog="slidekit", description="Marp-style Markdown slide decks to HTML and PDF.")
    parser.add_argument("--version", action="version", version=f"slidekit {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    named = [c for c in COMMANDS if argv and argv[0] == c.__name__.rsplit(".", 1)[-1]]
    for command in named or COMMANDS:
        command.add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    # A one-shot command builds and ends: Python's cycle collector, run every 700 new objects, walked the
    # modules and the parser's tokens by the hundred thousand again and again (some 15 % of a long deck's
    # HTML build). It is off until the command ends; reference counting frees memory as usual, and a PDF's
    # layout manages the collector itself (export/pdf_chunks.py). `serve` and `--watch` run for hours: on.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        parser = _parser(sys.argv[1:] if argv is None else argv)
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:  # argparse exits 2 on usage errors, 0 for --help/--version
            return int(exc.code or 0)
        if getattr(args, "run", None) is None:
            from .commands import EXIT_USAGE
            parser.print_help(sys.stderr)
            return EXIT_USAGE
        if args.command == "serve" or getattr(args, "watch", False):
            gc.enable()
        return args.run(args)
    finally:
        (gc.enable if was_enabled else gc.disable)()


def entry() -> int:
    """The `slidekit` command and `python -m slidekit`: `main`, for a process that ends right after it.

    The regular expressions and the dataclasses' methods compiled by earlier runs are loaded compiled
    (regex_cache.py, dataclass_cache.py: ~20 ms and ~6 ms of a fresh process), `dataclasses` is imported
    without `inspect` (dataclass_docs.py), and what this run compiled anew is stored at its end. The
    process then ends at once (`_exit_now`): its final collection and teardown would walk everything the
    build made. The cycle collector stays off until then: `main` leaves it as it found it, and turns it on
    itself for `serve` and `--watch`, which run for hours."""
    gc.disable()
    from . import dataclass_docs
    dataclass_docs.install()        # (first: it imports `dataclasses` itself)
    from . import dataclass_cache, regex_cache
    dataclass_cache.install()
    regex_cache.preload()
    code = main()
    regex_cache.store_new()
    dataclass_cache.store_new()
    _exit_now(code)
    return code      # (not reached)


def _exit_now(code: int) -> None:
    """End the process without tearing its modules and objects down one by one (~10 ms of every build,
    more after a long deck): the exit handlers run and the standard streams are flushed, as at any exit,
    and everything the command wrote is closed by then."""
    import atexit
    import os
    try:
        atexit._run_exitfuncs()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):      # a closed pipe (`| head`) or stream: nothing more to say
                pass
        os._exit(code if isinstance(code, int) and 0 <= code <= 255 else 1)
