"""`slidekit init [DIR]`: a starter deck, a theme override and a config file."""

from __future__ import annotations

import sys
from pathlib import Path

from . import EXIT_ERRORS, EXIT_OK

DECK = """\
---
marp: true
theme: custom
paginate: true
title: My talk
---

<!-- _class: lead -->

# My talk

Your name · the event · the date

---

## A slide

- Write Markdown; `---` on a line of its own (with a blank line above) starts a new slide
- `slidekit serve deck.md` shows the slides and reloads them as you save
- `slidekit check deck.md` finds mistakes before the talk

<!-- Speaker notes go in comments like this one. -->

---

<!-- _class: invert -->

## Images

Put images beside the deck and write `![bg right:40%](picture.jpg)`:
the picture takes the right 40% of the slide, the text the rest.

---

<!-- _paginate: skip -->

# Thank you
"""

THEME = """\
/* @theme custom */
/* A theme of your own on top of the built-in default theme: change what you like below. */
@import 'default';

section {
  --sk-accent: #0b6e99;
  font-size: 30px;
}

h1, h2 {
  color: var(--sk-accent);
}

section.lead h1 {
  font-size: 2.2em;
}
"""

CONFIG = """\
# slidekit settings (marp-cli's option names; the command line wins over this file)
themeSet:
  - theme.css
# html: false            # allow any raw HTML in the decks
# allowLocalFiles: false # let decks read images outside their folder
# pdf: false             # build PDF instead of HTML
# output: deck.html
"""

FILES = {"deck.md": DECK, "theme.css": THEME, "slidekit.yaml": CONFIG}


def add_parser(subparsers) -> None:
    init = subparsers.add_parser("init", help="start a deck: deck.md, theme.css and slidekit.yaml",
                                 description="Write a starter deck, a theme override and a config file.")
    init.add_argument("folder", nargs="?", default=".", metavar="DIR", help="where to write (default: here)")
    init.add_argument("--force", action="store_true", help="overwrite files that already exist")
    init.set_defaults(run=run)


def run(args) -> int:
    from ..export.files import write_atomic

    folder = Path(args.folder)
    existing = [name for name in FILES if (folder / name).exists()]
    if existing and not args.force:
        print(f"slidekit: error: {', '.join(str(folder / n) for n in existing)} already exist"
              f"{'s' if len(existing) == 1 else ''}; use --force to overwrite", file=sys.stderr)
        return EXIT_ERRORS
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in FILES.items():
            write_atomic(folder / name, text)
    except OSError as exc:
        print(f"slidekit: error: cannot write in {folder}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_ERRORS
    print(f"wrote {', '.join(str(folder / n) for n in FILES)}; preview with: "
          f"slidekit serve {folder / 'deck.md'}", file=sys.stderr)
    return EXIT_OK
