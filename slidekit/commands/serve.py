"""`slidekit serve`: a live preview of a deck, or of a folder of decks, on 127.0.0.1."""

from __future__ import annotations

import sys
from pathlib import Path

from . import EXIT_OK, EXIT_USAGE


def add_parser(subparsers) -> None:
    serve = subparsers.add_parser(
        "serve", help="preview a deck (or a folder of decks) in the browser, rebuilt as you save",
        description="Serve the built HTML on 127.0.0.1; open pages reload on every save and show the first slide "
                    "it changed (add ?follow=0 to the address to keep the slide). Each build's new warnings and "
                    "errors are printed here. DECK.md?pdf gives the PDF.")
    serve.add_argument("inputs", nargs="?", default=None, metavar="DECK.md|FOLDER",
                       help="a deck or a folder of decks (default: the input dir of the config, or here)")
    from ..settings import SERVE, add_arguments
    add_arguments(serve, SERVE)   # --port, --host, --open, --html, --theme, --theme-set, --allow-local-files, -c
    serve.set_defaults(run=run)


def run(args) -> int:
    from ..api import BuildOptions
    from ..serve import Preview, PreviewServer
    from ..config import resolve
    from ..settings import SERVE

    settings, diagnostics = resolve(args, SERVE, [args.inputs] if args.inputs else [])
    for diagnostic in diagnostics:
        if diagnostic.level != "info":
            print(diagnostic.format(), file=sys.stderr)
    if any(d.level == "error" for d in diagnostics):
        return EXIT_USAGE
    args = settings
    target = Path(args.inputs[0] if args.inputs else ".")
    if not target.exists():
        print(f"slidekit: error: no such file or folder: {target}", file=sys.stderr)
        return EXIT_USAGE
    theme_set = [Path(p) for p in args.theme_set or []]

    def options(fmt: str) -> BuildOptions:
        return BuildOptions.of(settings, fmt)

    extra = theme_set + ([Path(args.theme)] if args.theme and args.theme.endswith(".css") else [])
    preview = Preview(target, options, extra_watch=extra, log=lambda line: print(line, file=sys.stderr))
    try:
        server = PreviewServer(preview, port=args.port, host=args.host)
    except (OSError, OverflowError, UnicodeError) as exc:
        print(f"slidekit: error: cannot listen on {args.host}:{args.port}: {getattr(exc, 'strerror', None) or exc}",
              file=sys.stderr)
        return EXIT_USAGE
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"slidekit: warning: listening on {args.host}: other machines can read the served folder",
              file=sys.stderr)
    url = server.url + (preview.single.name if preview.single else "")
    print(f"serving {target} at {url} (Ctrl+C to stop)", file=sys.stderr)
    if args.open:
        import webbrowser
        webbrowser.open(url)
    server.serve_until_interrupted()
    return EXIT_OK
