"""The `slidekit` command: parse arguments, call the API, print diagnostics, return an exit code.

Each command lives in slidekit/commands/ and registers itself through `add_parser`; heavy imports happen
inside the commands.
"""

from __future__ import annotations

import argparse
import sys

from . import __version__


def _parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The argument parser; when `argv` starts with a command's name, with that command's arguments only
    (building every command's parser costs a few milliseconds of each run)."""
    from .commands import build, check, init, serve
    commands = [build, check, init, serve]
    parser = argparse.ArgumentParser(prog="slidekit", description="Marp-style Markdown slide decks to HTML and PDF.")
    parser.add_argument("--version", action="version", version=f"slidekit {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    named = [c for c in commands if argv and argv[0] == c.__name__.rsplit(".", 1)[-1]]
    for command in named or commands:
        command.add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser(sys.argv[1:] if argv is None else argv)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 for --help/--version
        return int(exc.code or 0)
    if getattr(args, "run", None) is None:
        from .commands import EXIT_USAGE
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    return args.run(args)


def entry() -> None:
    """The `slidekit` command and `python -m slidekit`."""
    raise SystemExit(main())
