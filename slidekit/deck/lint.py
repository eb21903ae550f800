"""Checks that only `slidekit check` runs: pure functions from a deck (and its text) to diagnostics.

The build itself already reports broken YAML, unknown directives, bad values, unknown themes and sizes
and missing images; the checks here find what builds without complaint but is probably not what the
author meant.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..diagnostics import Diagnostic
from .model import Deck

# A setext underline made of dashes: what an author types as a slide break.
_DASH_UNDERLINE = re.compile(r"^ {0,3}-{3,}[ \t]*$")


def slide_at_line(deck: Deck, line: int) -> int | None:
    """The slide a file line belongs to (front-matter counts as slide 1)."""
    number = None
    for slide in deck.slides:
        if slide.line <= line:
            number = slide.number
        else:
            break
    return number or (1 if deck.slides else None)


def setext_slide_breaks(deck: Deck, text: str) -> list[Diagnostic]:
    """`---` right under a paragraph line makes that line a level-2 heading instead of starting a slide."""
    lines = text.split("\n")
    found = []
    for slide in deck.slides:
        for tok in slide.tokens:
            if tok.get("type") != "heading" or tok.get("style") != "setext" or tok["attrs"].get("level") != 2:
                continue
            start = deck.line_of(tok.get("_pos"))
            if start is None:
                continue
            underline = next((n for n in range(start, min(start + 200, len(lines) + 1))
                              if _DASH_UNDERLINE.match(lines[n - 1])), None)
            if underline is None:
                continue
            heading = lines[underline - 2].strip()
            if len(heading) > 40:
                heading = heading[:37] + "..."
            found.append(Diagnostic(
                "warning", "setext-heading",
                f"'---' right under the line '{heading}' makes it a heading, not a new slide; "
                "put a blank line before '---' to start a slide (or use '## ' for a heading)",
                file=deck.file, line=underline, slide=slide.number))
    return found


# Mis-decoded text ---------------------------------------------------------------------------------
# UTF-8 bytes read as a one-byte encoding give runs of characters that are all outside ASCII.
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")
_WORD = re.compile(r"\S+")
ENCODINGS = (("mac_roman", "Mac Roman"), ("cp1252", "Windows-1252"), ("latin-1", "Latin-1"))


def _plausible(text: str) -> bool:
    """Decoded text a person could have typed: no ASCII (those bytes never need repair), no controls or
    unassigned code points, not starting with a combining mark."""
    import unicodedata      # (here: a build imports this module to place its messages, and never needs it)
    if unicodedata.category(text[0]).startswith("M"):
        return False
    return not any(ord(c) < 0x80 or unicodedata.category(c) in ("Cc", "Cn", "Co", "Cs") for c in text)


def repair_mojibake(text: str) -> tuple[str, str] | None:
    """(repaired text, encoding name) when every non-ASCII run of `text` reads as UTF-8 once encoded
    back with one legacy encoding; None when the text does not look mis-decoded."""
    runs = _NON_ASCII_RUN.findall(text)
    if not runs:
        return None
    for codec, label in ENCODINGS:
        repaired = []
        for run in runs:
            try:
                fixed = run.encode(codec).decode("utf-8")
            except (UnicodeEncodeError, UnicodeDecodeError):
                break
            # genuine UTF-8 text re-read this way gets shorter; a lone accent never decodes
            if fixed == run or len(fixed) >= len(run) or not _plausible(fixed):
                break
            repaired.append(fixed)
        else:
            it = iter(repaired)
            return _NON_ASCII_RUN.sub(lambda m: next(it), text), label
    return None


def mis_decoded_text(deck: Deck, text: str) -> list[Diagnostic]:
    """Words that look like UTF-8 read as Mac Roman or Windows-1252 (`didn‚Äôt` for `didn’t`)."""
    found = []
    for number, line in enumerate(text.split("\n"), start=1):
        if line.isascii():
            continue
        fixes = []
        label = None
        for m in _WORD.finditer(line):
            word = m.group(0)
            if word.isascii():
                continue
            repaired = repair_mojibake(word)
            if repaired:
                fixes.append((word, repaired[0]))
                label = label or repaired[1]
        if not fixes:
            continue
        shown = ", ".join(f"'{bad}' -> '{good}'" for bad, good in fixes[:4])
        more = f" and {len(fixes) - 4} more" if len(fixes) > 4 else ""
        found.append(Diagnostic(
            "warning", "mis-decoded",
            f"text looks mis-decoded (UTF-8 read as {label}): {shown}{more}; "
            "re-save the file as UTF-8 with the repaired text",
            file=deck.file, line=number, slide=slide_at_line(deck, number)))
    return found


# Fonts -------------------------------------------------------------------------------------------
_FONT_FACE = re.compile(r"@font-face\s*\{([^}]*)\}", re.I | re.S)
_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""", re.I)


def missing_fonts(deck: Deck, text: str, folder: Path | None, exists=lambda p: p.is_file()) -> list[Diagnostic]:
    """`@font-face` sources in the deck's own CSS that name local files which are not there."""
    if folder is None:
        return []
    css = "\n".join(deck.global_css + [c for s in deck.slides for c in s.scoped_css])
    found, seen = [], set()
    for block in _FONT_FACE.findall(css):
        for _, url in _URL.findall(block):
            url = url.strip()
            if re.match(r"^[a-z][a-z0-9+.-]*:", url, re.I) or url.startswith("//") or url in seen:
                continue
            seen.add(url)
            if not exists(folder / url.split("?")[0].split("#")[0]):
                found.append(Diagnostic("warning", "missing-font", f"font file not found: {url}",
                                        file=deck.file, line=_line_of(text, url)))
    return found


def _line_of(text: str, needle: str) -> int | None:
    at = text.find(needle)
    return text.count("\n", 0, at) + 1 if at >= 0 else None


def lint_deck(deck: Deck, text: str, folder: Path | None = None) -> list[Diagnostic]:
    """All the checks of this module, in file order."""
    found = setext_slide_breaks(deck, text) + mis_decoded_text(deck, text) + missing_fonts(deck, text, folder)
    return sorted(found, key=lambda d: d.line or 0)


# Better places for the build's own diagnostics ----------------------------------------------------
_FRONT_KEYS = {"unknown-theme": "theme", "unknown-size": "size"}
_QUOTED = re.compile(r"^'(_?[\w-]+)")


def locate(diagnostics: list[Diagnostic], deck: Deck, text: str) -> list[Diagnostic]:
    """The same diagnostics, pointed at the line that causes them when the build only knew the slide:
    front-matter keys (unknown directive, bad value, theme, size) and image URLs."""
    from dataclasses import replace

    lines = text.split("\n")
    front_end = 0
    if lines and lines[0].strip() == "---":
        front_end = next((n for n in range(2, len(lines) + 1) if lines[n - 1].strip() in ("---", "...")), 0)

    def front_line(key: str) -> int | None:
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*:")
        return next((n for n in range(2, front_end) if pattern.match(lines[n - 1])), None)

    def line_after(start: int, needle: str) -> int | None:
        for n in range(max(start, 1), len(lines) + 1):
            if needle in lines[n - 1]:
                return n
        return None

    placed = []
    for d in diagnostics:
        line = None
        if d.code in _FRONT_KEYS:
            line = front_line(_FRONT_KEYS[d.code])
        elif d.code in ("unknown-directive", "directive-value", "spot-global") and not d.line:
            m = _QUOTED.match(d.message.split("directive ", 1)[-1])
            line = front_line(m.group(1)) if m else None
        elif d.code in ("missing-image", "bad-image", "outside-folder") and d.line:
            m = (re.search(r"not found: (\S+?);", d.message) or re.search(r"^image (\S+) is", d.message)
                 or re.search(r"^'(.+?)' is not", d.message))
            line = line_after(d.line, "(" + m.group(1)) if m else None
        placed.append(replace(d, line=line) if line else d)
    return placed
