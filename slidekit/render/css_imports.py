"""`@import` in a deck's own CSS (the `style` directive, `<style>` elements), applied as Marp applies it.

Marpit comments out an `@import` of a theme's name (postcss/import/suppress.js) and hoists every other one
to the top of the slides' stylesheet (postcss/import/hoisting.js), where the browser loads it: so the
imported rules come before the theme's, and win over them only where they are more specific. slidekit reads
such a file itself when it lies under the deck's folder (or anywhere with --allow-local-files), scopes it to
the slides like the deck's CSS, and puts it first; anything else (a remote or outside file, a media
condition) is a warning, not a silent loss.
"""

from __future__ import annotations

import posixpath
import re
from typing import Callable
from urllib.parse import urlsplit

MAX_DEPTH = 5
_URL = re.compile(r"""url\(\s*(["']?)([^"')]+)\1\s*\)""")


def import_rules(css: str) -> list[tuple[str, str]]:
    """(address, media or supports condition) of each top-level `@import` of a stylesheet, in order."""
    if "@import" not in css:
        return []
    import tinycss2

    found = []
    for rule in tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True):
        if rule.type != "at-rule" or rule.lower_at_keyword != "import":
            continue
        tokens = [t for t in rule.prelude if t.type not in ("whitespace", "comment")]
        if not tokens:
            continue
        first = tokens[0]
        if first.type in ("string", "url"):
            address = first.value
        elif first.type == "function" and first.lower_name == "url":
            address = next((t.value for t in first.arguments if t.type == "string"), "")
        else:
            continue
        found.append((address, tinycss2.serialize(tokens[1:]).strip()))
    return found


def _rebase(css: str, base: str) -> str:
    """Relative `url()`s of a file imported from folder `base` (deck-relative), made deck-relative: the
    browser reads them relative to the imported file."""
    if not base:
        return css

    def rebase(m: re.Match) -> str:
        url = m.group(2).strip()
        if not url or url.startswith(("#", "/", "data:")) or urlsplit(url).scheme:
            return m.group(0)
        return f'url("{posixpath.normpath(posixpath.join(base, url))}")'
    return _URL.sub(rebase, css)


def imported_css(stylesheets: list[str], theme_names, read: Callable[[str], str | None],
                 warn: Callable[[str, str], None]) -> list[str]:
    """The CSS of the files the deck's stylesheets import, in cascade order (a file's own imports before
    it). `read(address)` gives a local file's text or None (it warns itself: missing, outside the folder,
    remote); `warn(address, message)` reports an import that is not applied."""
    out: list[str] = []
    seen: set[str] = set()

    def visit(css: str, base: str, depth: int) -> None:
        for address, condition in import_rules(css):
            if not base and address in theme_names:      # Marp leaves a theme's name out of a deck's CSS
                continue
            if condition:
                warn(address, f"@import {address} {condition}: imports with a media or supports condition "
                              "are not applied; import the file without one")
                continue
            path = posixpath.normpath(posixpath.join(base, address)) if base and not urlsplit(address).scheme \
                and not address.startswith("/") else address
            if path in seen or depth >= MAX_DEPTH:
                continue
            seen.add(path)
            text = read(path)
            if text is None:
                continue
            folder = posixpath.dirname(path)
            visit(text, folder, depth + 1)
            out.append(_rebase(text, folder))

    for css in stylesheets:
        visit(css, "", 0)
    return out
