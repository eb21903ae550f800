"""The `slidekit` command: parse arguments, call the API, print diagnostics, return an exit code.

Each command lives in slidekit/commands/ and registers itself through `add_parser`; heavy imports happen
inside the commands.
"""

from __future__ import annotations

import argparse
import sys

from . import __version__
from .commands import COMMANDS, EXIT_USAGE


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="slidekit", description="Marp-style Markdown slide decks to HTML and PDF.")
    parser.add_argument("--version", action="version", version=f"slidekit {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 for --help/--version
        return int(exc.code or 0)
    if getattr(args, "run", None) is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    return args.run(args)
