"""The `slidekit` command: dispatch to a command of slidekit/commands/, which parses, calls slidekit/app
or the API, prints and returns an exit code. Heavy imports happen inside the commands."""

from __future__ import annotations

import argparse
import sys

from . import __version__


def _commands() -> list:
    """The command modules, in the order help lists them."""
    from .commands import build, check, init, serve
    return [build, check, init, serve]


def _parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The argument parser; when `argv` starts with a command's name, with that command's arguments only."""
    COMMANDS = _commands()
    parser = argparse.ArgumentParser(prog="slidekit", description="Marp-style Markdown slide decks to HTML and PDF.")
    parser.add_argument("--version", action="version", version=f"slidekit {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    named = [c for c in COMMANDS if argv and argv[0] == c.__name__.rsplit(".", 1)[-1]]
    for command in named or COMMANDS:
        command.add_parser(subparsers)
    return parser


def _with_command(argv: list[str]) -> list[str]:
    """marp-cli's habit `slidekit deck.md --pdf` (no command) is `build`: a first argument that is a deck,
    a folder, - or an option other than --help/--version."""
    names = {c.__name__.rsplit(".", 1)[-1] for c in _commands()}
    if not argv or argv[0] in names or argv[0] in ("-h", "--help", "--version"):
        return argv
    first = argv[0]
    if first.startswith("-") or first.lower().endswith((".md", ".markdown")):
        return ["build", *argv]
    from pathlib import Path
    return ["build", *argv] if Path(first).exists() else argv


def main(argv: list[str] | None = None) -> int:
    argv = _with_command(list(sys.argv[1:] if argv is None else argv))
    if argv:
        from .settings import unsupported_flag
        problem = unsupported_flag(argv[1:], argv[0])
        if problem:
            print(f"slidekit: error: {problem}", file=sys.stderr)
            return 2
    parser = _parser(argv)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 for --help/--version
        return int(exc.code or 0)
    if getattr(args, "run", None) is None:
        from .commands import EXIT_USAGE
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    return args.run(args)


def entry() -> int:
    """The `slidekit` command and `python -m slidekit`."""
    return main()
