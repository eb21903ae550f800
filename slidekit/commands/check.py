"""`slidekit check`: every diagnostic of the decks, nothing written."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from . import EXIT_ERRORS, EXIT_OK, EXIT_USAGE

_COLOURS = {"error": "\033[1;31m", "warning": "\033[1;33m", "info": "\033[1;36m"}


def add_parser(subparsers) -> None:
    check = subparsers.add_parser(
        "check", help="report problems in decks without writing anything",
        description="Report every problem slidekit finds in the decks (YAML, directives, themes, images, "
                    "slide breaks, mis-decoded text, fonts) without writing outputs.")
    check.add_argument("inputs", nargs="+", metavar="INPUT", help="deck files (.md) or folders of decks")
    from ..settings import CHECK, add_arguments
    add_arguments(check, CHECK)
    check.set_defaults(run=run)


def _decks(inputs: list[str]) -> list[Path] | str:
    decks: list[Path] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            decks.extend(sorted(path.rglob("*.md")))
        elif path.is_file():
            decks.append(path)
        else:
            return f"no such file or folder: {item}"
    return decks or f"no Markdown decks found in {', '.join(inputs)}"


def check_deck(deck: Path, options) -> list:
    """The diagnostics of one deck: the normal HTML build (nothing written) and the lints; with `--layout`
    the PDF build (nothing written), whose layout reports overflowing slides."""
    from ..api import build_file
    from ..deck.lint import lint_deck, locate
    from ..diagnostics import Diagnostic
    from ..source import decode, normalise_newlines

    try:
        result = build_file(deck, options)
    except OSError as exc:
        return [Diagnostic("error", "read", f"cannot read the deck: {exc.strerror or exc}", file=str(deck))]
    except Exception as exc:  # a bug of ours must still read as one line, not a traceback
        return [Diagnostic("error", "internal", f"internal error while building ({exc.__class__.__name__}: "
                           f"{exc}); please report it with the deck", file=str(deck))]
    found = list(result.diagnostics)
    if result.deck is not None:
        text = normalise_newlines(decode(deck.read_bytes())[0])
        found = locate(found, result.deck, text)
        found += lint_deck(result.deck, text, deck.parent)
    return sorted(found, key=lambda d: (d.line or 0))


def _coloured(diagnostic) -> str:
    text = diagnostic.format()
    marker = f"{diagnostic.level}:"
    return text.replace(marker, f"{_COLOURS.get(diagnostic.level, '')}{marker}\033[0m", 1)


def run(args) -> int:
    from ..api import BuildOptions
    from ..config import resolve
    from ..settings import CHECK

    settings, config_diagnostics = resolve(args, CHECK, args.inputs)
    if any(d.level == "error" for d in config_diagnostics):
        for diagnostic in config_diagnostics:
            print(diagnostic.format(), file=sys.stderr)
        return EXIT_USAGE
    decks = _decks(args.inputs)
    if isinstance(decks, str):
        print(f"slidekit: error: {decks}", file=sys.stderr)
        return EXIT_USAGE
    found = list(config_diagnostics)
    for deck in decks:
        options = BuildOptions.of(settings, "pdf" if settings.layout else "html")
        options.offline = True
        found += check_deck(deck, options)
    failing = ("error", "warning") if settings.strict else ("error",)
    status = EXIT_ERRORS if any(d.level in failing for d in found) else EXIT_OK
    if settings.format == "json":
        import json
        print(json.dumps([{**d.to_dict(), "text": d.format()} for d in found], ensure_ascii=False, indent=1))
        return status
    colour = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    for diagnostic in found:
        print(_coloured(diagnostic) if colour else diagnostic.format())
    errors = sum(d.level == "error" for d in found)
    warnings = sum(d.level == "warning" for d in found)
    summary = f"{len(decks)} deck{'s' * (len(decks) != 1)} checked: {errors} error{'s' * (errors != 1)}, " \
              f"{warnings} warning{'s' * (warnings != 1)}"
    print(summary, file=sys.stderr)
    return status
