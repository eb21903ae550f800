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
    serve.add_argument("-p", "--port", type=int, default=0, help="port (default: a free one)")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default: 127.0.0.1, this machine only); "
                            "0.0.0.0 shows your decks to the whole network")
    serve.add_argument("--open", action="store_true", help="open the page in a browser")
    serve.add_argument("--html", action="store_true", help="allow any raw HTML in the decks")
    serve.add_argument("--theme", metavar="NAME|FILE.css", help="theme to use instead of the deck's")
    serve.add_argument("--theme-set", nargs="+", default=[], metavar="PATH", help="CSS files or folders of themes")
    serve.add_argument("--allow-local-files", action="store_true", help="let decks read files outside their folder")
    from ..config import add_arguments
    add_arguments(serve)
    serve.set_defaults(run=run)


def run(args) -> int:
    from ..api import BuildOptions
    from ..config import apply_config
    from ..serve import Preview, PreviewServer

    args.inputs = [args.inputs] if args.inputs else []
    for diagnostic in apply_config(args):
        if diagnostic.level != "info":
            print(diagnostic.format(), file=sys.stderr)
    target = Path(args.inputs[0] if args.inputs else ".")
    if not target.exists():
        print(f"slidekit: error: no such file or folder: {target}", file=sys.stderr)
        return EXIT_USAGE
    theme_set = [Path(p) for p in args.theme_set or []]

    def options(fmt: str) -> BuildOptions:
        return BuildOptions(format=fmt, allow_html=bool(args.html), theme=args.theme, theme_set=theme_set,
                            allow_local_files=bool(args.allow_local_files))

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
