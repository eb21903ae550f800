"""Marp's directives: one table entry each. Reading them (from front-matter and comments) is kept
apart from applying them (the cascade of local directives over slides)."""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass, field
from typing import Any

from ..markdown.comments import is_comment_block
from ..markdown.renderer import comment_spans
from ..markdown.tokens import walk_tokens
from ..source import load_yaml, marp_quoted, yaml_error
from .directive_table import DIRECTIVE_NAMES, DIRECTIVES, Directive, DirectiveValueError  # noqa: F401
from .directive_table import DirectiveValueReadAs
from .directive_table import as_heading_divider  # noqa: F401 - (read from here by config.py)


# Comments that are neither directives nor notes (as in Marp).
_IGNORED_COMMENT = re.compile(r"^\s*(fit|(markdownlint|prettier|textlint|eslint|cspell)[-\s:].*)\s*$", re.S)
# (no indentation: Marpit trims the block as a whole, and a line indented below an unindented one is no YAML)
_LOOSE_LINE = re.compile(r"^(_?[A-Za-z][\w-]*)\s*:\s*(.*?)\s*$")


def is_ignored_comment(text: str) -> bool:
    return bool(_IGNORED_COMMENT.match(text))


# A comment's content as Marpit reads it (`<!--+\s*(.*?)\s*--+>`): the dashes right after `<!--` and right
# before `-->` are not part of it, so `<!--- _class: x --->` is a directive
_EXTRA_DASHES = re.compile(r"\A-+|-+\Z")


def parse_comment_yaml(text: str) -> dict | None:
    """A comment's content as a mapping, or None when it is not `key: value` YAML.

    Marp reads directive comments loosely: when strict YAML fails (a colon in a value, tabs), each
    `key: value` line still counts. `<!---` and `--->` (an extra dash, common in decks) are comments too.
    """
    text = _EXTRA_DASHES.sub("", text)
    try:
        data = load_yaml(text, DIRECTIVE_NAMES)
    except yaml_error():
        if marp_quoted(text, DIRECTIVE_NAMES):     # an unknown escape (`C:\path`): a note in Marp too
            return None
        data = None
    if isinstance(data, dict):
        return {str(k): v for k, v in data.items()}
    loose = {}
    for line in text.strip().splitlines():
        m = _LOOSE_LINE.match(line)
        if not m:
            return None
        loose[m.group(1)] = m.group(2)
    return loose or None


def directive_name(key: str) -> tuple[Directive | None, bool]:
    """(directive, spot) for a key; `_name` is the spot form of a local directive."""
    if key in DIRECTIVES:
        return DIRECTIVES[key], False
    if key.startswith("_") and DIRECTIVES.get(key[1:]) and DIRECTIVES[key[1:]].scope == "local":
        return DIRECTIVES[key[1:]], True
    return None, False


@functools.lru_cache(maxsize=256)   # the same unknown key in many notes
def suggest(key: str) -> str:
    if len(key.split()) > 2:     # "Speaker note for slide 3: ..." is a sentence, not a misspelt name
        return ""
    import difflib   # only for a misspelt directive
    names = list(DIRECTIVES) + ["_" + n for n, d in DIRECTIVES.items() if d.scope == "local"]
    close = difflib.get_close_matches(key, names, n=1, cutoff=0.7)
    return f" (did you mean '{close[0]}'?)" if close else ""


@dataclass
class DirectiveEntry:
    """One directive as written: where, and its normalised value."""

    name: str
    value: Any
    spot: bool
    line: int | None


@dataclass
class SlideReading:
    """What the comments of one slide say."""

    entries: list[DirectiveEntry] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    fit: bool = False


def read_mapping(mapping: dict, line: int | None, report, from_comment: bool) -> list[DirectiveEntry] | None:
    """Directive entries of a mapping. In a comment, a mapping with no known key is not a directive
    comment (it is a note): None. Unknown keys and bad values go to `report(code, message, line)`."""
    known = [k for k in mapping if directive_name(k)[0] is not None]
    if from_comment and not known:
        return None
    entries = []
    for key, raw in mapping.items():
        directive, spot = directive_name(key)
        if directive is None:
            report("unknown-directive", f"unknown directive '{key}'{suggest(key)}; it is ignored", line)
            continue
        if spot and directive.scope == "global":
            report("spot-global", f"'{key}': global directives have no spot form; it is ignored", line)
            continue
        try:
            value = directive.read(raw)
        except DirectiveValueReadAs as exc:
            report("directive-value", f"'{key}: {raw}': {exc}", line)
            value = exc.value
        except DirectiveValueError as exc:
            report("directive-value", f"'{key}: {raw}': {exc}; it is ignored", line)
            continue
        entries.append(DirectiveEntry(directive.name, value, spot, line))
    return entries


def iter_comments(tokens: list[dict], line_of_token):
    """(comment text, line) for every comment Marpit reads in a slide's tokens, in order: an inline
    comment, or the first comment of a block that starts with `<!--` (markdown/comment.js: the rest of
    such a block is hidden, not read). A comment inside other raw HTML is neither read nor shown."""
    for tok in tokens:
        line = None         # (looked up for a token that holds a comment only)
        for node in walk_tokens([tok]):
            kind, raw = node["type"], node.get("raw", "")
            if kind == "inline_html" and raw.startswith("<!--") or kind == "block_html" and is_comment_block(raw):
                for _, _, text in itertools.islice(comment_spans(raw), 1):
                    if line is None:
                        line = line_of_token(tok)
                    yield text, line


def read_slide_comments(tokens, line_of_token, report) -> SlideReading:
    reading = SlideReading()
    for text, line in iter_comments(tokens, line_of_token):
        if is_ignored_comment(text):
            reading.fit = reading.fit or text.strip() == "fit"
            continue
        mapping = parse_comment_yaml(text)
        entries = read_mapping(mapping, line, report, from_comment=True) if mapping else None
        if entries is None:
            for key in mapping or {}:
                hint = suggest(key)
                if hint:  # `<!-- pagnate: true -->` is a note to Marp, and surely a typo
                    report("unknown-directive", f"unknown directive '{key}'{hint}; the comment is kept "
                           "as a speaker note", line)
            note = _EXTRA_DASHES.sub("", text).strip()
            if note:
                reading.notes.append(note)
        else:
            reading.entries.extend(entries)
    return reading


def apply_directives(readings: list[SlideReading], front_entries: list[DirectiveEntry]):
    """Resolve the cascade: returns (globals, [(locals in force, names set on that slide)] per slide).

    Front-matter counts as a comment on the first slide. Globals: the last definition wins.
    Locals carry over to later slides; spot (`_name`) ones hold for their slide only.
    """
    globals_: dict[str, Any] = {}
    per_slide = []
    cascade: dict[str, Any] = {}
    for index, reading in enumerate(readings):
        entries = (front_entries if index == 0 else []) + reading.entries
        spot: dict[str, Any] = {}
        explicit: set[str] = set()
        for entry in entries:
            if DIRECTIVES[entry.name].scope == "global":
                globals_[entry.name] = entry.value
            elif entry.spot:
                spot[entry.name] = entry.value
                explicit.add(entry.name)
            else:
                cascade[entry.name] = entry.value
                explicit.add(entry.name)
        per_slide.append(({**cascade, **spot}, explicit))
    return globals_, per_slide
