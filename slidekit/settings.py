"""Every setting of the commands, declared once: its command-line flags, its config key, marp-cli's
spelling, its type, default and help.

From this table come the commands' argparse options (`add_arguments`), the reading of config files
(`slidekit.yaml`, `[tool.slidekit]`, marp-cli's `.marprc*`: slidekit/config.py), and the typed `Options`
that the build, its exports, `check` and `serve` take (`resolve`). Command line over config file over
defaults. marp-cli's flags and keys that have no equivalent are answered in one line (`UNSUPPORTED`), and
docs/marp-cli-flags.md is the table made by `marp_table` (tests/test_settings.py keeps them equal).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field, make_dataclass
from pathlib import Path
from typing import Any

BUILD, SERVE, CHECK = "build", "serve", "check"
ALL = (BUILD, SERVE, CHECK)
IMAGE_FORMATS = ("png", "jpeg")
HANDOUT_LAYOUTS = ("notes", "lines")
HANDOUT_PAPERS = ("a4", "letter")


@dataclass(frozen=True)
class Setting:
    name: str                              # the Options field; its config key is the camelCase of it
    kind: str                              # bool text path paths theme heading jobs scale choice port
    help: str
    flags: tuple[str, ...] = ()            # the command line's spellings (none: config file only)
    commands: tuple[str, ...] = (BUILD,)
    default: Any = None
    choices: tuple = ()
    metavar: str | None = None
    marp: str | None = ""                  # marp-cli's flag ("": the same as ours; None: marp-cli has none)
    config: bool = True                    # may be set in a config file


SETTINGS: tuple[Setting, ...] = (
    Setting("input_dir", "path", "build every deck of this folder", ("-I", "--input-dir"), metavar="DIR"),
    Setting("output", "path", "output file (format from its extension; - for standard output) or, for "
            "several decks, a folder", ("-o", "--output"), metavar="PATH"),
    Setting("pdf", "bool", "write a PDF (WeasyPrint, no browser)", ("--pdf",)),
    Setting("html", "bool", "allow any raw HTML in the decks (trusted decks only)", ("--html",), ALL),
    Setting("theme", "theme", "theme to use instead of the deck's", ("--theme",), ALL, metavar="NAME|FILE.css"),
    Setting("theme_set", "paths", "CSS files or folders of themes", ("--theme-set",), ALL, default=(),
            metavar="PATH"),
    Setting("allow_local_files", "bool", "let decks read files outside their own folder",
            ("--allow-local-files",), ALL),
    Setting("offline", "bool", "never fetch remote images", ("--offline",), marp=None),
    Setting("heading_divider", "heading", "start a slide at every heading of level 1..N", ("--heading-divider",),
            metavar="N", marp=None),
    Setting("title", "text", "set the deck's title", ("--title",)),
    Setting("description", "text", "set the deck's description", ("--description",)),
    Setting("author", "text", "set the deck's author", ("--author",)),
    Setting("url", "text", "set the deck's canonical URL", ("--url",)),
    Setting("og_image", "text", "set the deck's social preview image", ("--og-image",), metavar="URL"),
    Setting("quiet", "bool", "print errors only", ("-q", "--quiet"), marp=None),
    Setting("jobs", "jobs", "processes used at once (default: the number of CPUs): decks built side by side, "
            "or for one deck the chunks of a long PDF", ("-j", "--jobs", "-P", "--parallel"), metavar="N",
            marp="--parallel"),
    Setting("watch", "bool", "rebuild when a deck, its images, its themes or the config change (Ctrl+C to stop)",
            ("-w", "--watch")),
    Setting("notes", "bool", "write the speaker notes as text (.txt)", ("--notes",)),
    Setting("pdf_notes", "bool", "add each slide's notes to the PDF as a note (implies --pdf)", ("--pdf-notes",)),
    Setting("pdf_outlines", "bool", "add PDF bookmarks: one a slide, with its headings nested below "
            "(implies --pdf)", ("--pdf-outlines",)),
    Setting("handout", "bool", "write a handout PDF: the slides and their notes", ("--handout",), marp=None),
    Setting("handout_layout", "choice", "notes: one slide a page with its notes; lines: three slides a page "
            "with lines", ("--handout-layout",), default="notes", choices=HANDOUT_LAYOUTS, marp=None),
    Setting("handout_paper", "choice", "handout paper size", ("--handout-paper",), default="a4",
            choices=HANDOUT_PAPERS, marp=None),
    Setting("images", "choice", "write one picture a slide (deck.001.png, ...)", ("--images",),
            choices=IMAGE_FORMATS),
    Setting("image", "choice", "write a picture of the title slide alone", ("--image",), choices=IMAGE_FORMATS),
    Setting("image_scale", "scale", "picture scale (1: one pixel a CSS pixel, 1280x720 for 16:9)",
            ("--image-scale",), default=1.0, metavar="N"),
    Setting("pptx", "bool", "write an editable PowerPoint file", ("--pptx",)),
    Setting("port", "port", "port (default: a free one)", ("-p", "--port"), (SERVE,), default=0, marp=None),
    Setting("host", "text", "address to listen on (default: 127.0.0.1, this machine only); 0.0.0.0 shows your "
            "decks to the whole network", ("--host",), (SERVE,), default="127.0.0.1", marp=None, config=False),
    Setting("open", "bool", "open the page in a browser", ("--open",), (SERVE,), marp="--preview"),
    Setting("layout", "bool", "also lay the slides out as for the PDF and report content that overflows a "
            "slide (slower)", ("--layout",), (CHECK,), marp=None),
    Setting("strict", "bool", "count warnings as errors", ("--strict",), (CHECK,), marp=None),
    Setting("format", "choice", "text (default) or json", ("--format",), (CHECK,), default="text",
            choices=("text", "json"), marp=None, config=False),
    Setting("config_file", "path", "read this config file instead of looking for one",
            ("-c", "--config-file", "--config"), ALL, metavar="PATH", config=False),
    Setting("no_config", "bool", "ignore config files", ("--no-config", "--no-config-file"), ALL,
            marp="--no-config-file", config=False),
)
BY_NAME = {s.name: s for s in SETTINGS}

_TYPES = {"bool": bool, "text": str, "path": str, "paths": tuple, "theme": str, "heading": Any, "jobs": int,
          "scale": float, "choice": str, "port": int}

# The typed settings of one command run: every setting (those a command does not take keep their
# default), the inputs, and the processes a PDF's chunks may use (set by the build's plan).
Options = make_dataclass(
    "Options",
    [(s.name, _TYPES[s.kind] | None, field(default=s.default)) for s in SETTINGS]
    + [("inputs", tuple, field(default=())), ("pdf_jobs", int, field(default=1))])
Options.__module__ = __name__       # (pickled for the build's worker processes)
Options.__doc__ = "The settings of a command, typed: the command line over the config file over defaults."

# marp-cli's flags (and config keys) with no slidekit equivalent: what to use instead.
UNSUPPORTED: dict[str, str] = {
    "--server": "run `slidekit serve DECK.md` (or a folder) for a live preview",
    "-s": "run `slidekit serve DECK.md` (or a folder) for a live preview",
    "--preview": "run `slidekit serve --open DECK.md` to open a preview in the browser",
    "-p": "run `slidekit serve --open DECK.md` to open a preview in the browser",
    "--template": "slidekit has one HTML template (with presenter view, progress and keyboard control)",
    "--bespoke": "the viewer's on-screen controls are always on; a `transition` is set per deck or slide",
    "--engine": "slidekit's Markdown engine is built in; custom markdown-it engines are not supported",
    "--options": "engine options are not supported",
    "--browser": "slidekit needs no browser: PDF, PPTX and images are made with WeasyPrint",
    "--browser-path": "slidekit needs no browser: PDF, PPTX and images are made with WeasyPrint",
    "--browser-protocol": "slidekit needs no browser: PDF, PPTX and images are made with WeasyPrint",
    "--browser-timeout": "slidekit needs no browser: PDF, PPTX and images are made with WeasyPrint",
    "--pptx-editable": "slidekit's --pptx is always editable",
    "--jpeg-quality": "slidekit's JPEG quality is fixed",
    "--keywords": "set `keywords:` in the deck's front-matter",
    "--lang": "set `lang:` in the deck's front-matter",
    "--pdf-outlines.pages": "--pdf-outlines makes a bookmark a slide with its headings nested; no finer choice",
    "--pdf-outlines.headings": "--pdf-outlines makes a bookmark a slide with its headings nested; no finer choice",
    "--debug": "slidekit prints every problem it finds as it is",
    "-d": "slidekit prints every problem it finds as it is",
    "--stdin": "give - as the input to read a deck from standard input",
}
_SHORT_FOR_BUILD_ONLY = {"-s", "-p", "-d"}     # (`serve -p` is the port)


def unsupported_flag(args: list[str], command: str) -> str | None:
    """The one-line answer to the first marp-cli flag without an equivalent among `args`, or None."""
    for arg in args:
        if arg == "--":
            break
        name = arg.split("=", 1)[0]
        if name.startswith("--no-"):
            name = "--" + name[5:]
        key = name if name in UNSUPPORTED else ("--bespoke" if name.startswith("--bespoke.") else None)
        if key is None or (key in _SHORT_FOR_BUILD_ONLY and command != BUILD):
            continue
        if key == "--browser" and name != "--browser":
            continue
        return f"{name} is a marp-cli option slidekit does not have: {UNSUPPORTED[key]}"
    return None


def config_key(setting: Setting) -> str:
    head, *rest = setting.name.split("_")
    return head + "".join(p.capitalize() for p in rest)


def unsupported_key(key: str) -> str | None:
    """The advice for a marp-cli config key without an equivalent (`server`, `bespoke`, ...), or None."""
    import re
    flag = "--" + re.sub(r"(?<=[a-z0-9])([A-Z])", r"-\1", key).lower()
    return UNSUPPORTED.get(flag)


# The command line -----------------------------------------------------------------------------------------
def add_arguments(parser: argparse.ArgumentParser, command: str) -> None:
    """The command's options; a setting not given is absent from the parsed namespace (the config and the
    defaults fill it in `resolve`)."""
    for s in SETTINGS:
        if command not in s.commands or not s.flags:
            continue
        kwargs: dict[str, Any] = {"dest": s.name, "help": s.help, "default": argparse.SUPPRESS}
        if s.kind == "bool":
            kwargs["action"] = "store_true"
        else:
            kwargs["metavar"] = s.metavar
            if s.kind == "paths":
                kwargs["nargs"] = "+"
            elif s.kind == "choice":
                kwargs["choices"] = s.choices
            elif s.kind in _ARG_TYPES:
                kwargs["type"] = _ARG_TYPES[s.kind]
        parser.add_argument(*s.flags, **kwargs)


def _heading_divider(text: str) -> int | list[int]:
    try:
        levels = [int(p) for p in str(text).split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError("expected a level 1-6 or a list like 1,2") from None
    if not all(1 <= v <= 6 for v in levels):
        raise argparse.ArgumentTypeError("heading levels go from 1 to 6")
    return levels[0] if len(levels) == 1 else levels


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("expected a number of jobs such as 4") from None
    if value < 1:
        raise argparse.ArgumentTypeError("at least one job")
    return value


def _scale(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError("expected a number such as 1 or 2") from None
    if not 0.1 <= value <= 10:
        raise argparse.ArgumentTypeError("the scale goes from 0.1 to 10")
    return value


def _port(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("expected a port number") from None


_ARG_TYPES = {"heading": _heading_divider, "jobs": _positive, "scale": _scale, "port": _port}


# Config files ---------------------------------------------------------------------------------------------
def convert(setting: Setting, value: Any, base: Path | None) -> Any:
    """A config file's value for `setting`, typed (paths made relative to the file's folder `base`);
    raises ValueError with what was expected."""
    kind = setting.kind
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, dict) and setting.name == "pdf_outlines":
            return True           # marp-cli's {pages, headings}: slidekit makes both
        if isinstance(value, dict):
            raise ValueError("an allowlist of HTML elements is not supported, use true or false")
        raise ValueError("expected true or false")
    if kind == "heading":
        from .deck.directives import DirectiveValueError, as_heading_divider
        try:
            return as_heading_divider(value)
        except DirectiveValueError as exc:
            raise ValueError(str(exc)) from None
    if kind == "paths":
        items = value if isinstance(value, list) else [value]
        if not all(isinstance(v, str) and v for v in items):
            raise ValueError("expected a path or a list of paths")
        return tuple(str(base / v) for v in items)
    if kind in _ARG_TYPES:
        if kind == "jobs" and value is True:
            return None
        if kind == "jobs" and value is False:
            return 1
        try:
            return _ARG_TYPES[kind](str(value)) if not isinstance(value, bool) else _ARG_TYPES[kind]("x")
        except argparse.ArgumentTypeError as exc:
            raise ValueError(str(exc)) from None
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise ValueError("expected a text value")
    value = str(value)
    if kind == "choice" and value not in setting.choices:
        raise ValueError(f"expected one of {', '.join(setting.choices)}")
    if base is not None and (kind == "path" or (kind == "theme" and value.endswith(".css"))):
        return str(base / value)
    return value


def marp_table() -> str:
    """docs/marp-cli-flags.md's table: marp-cli's flags and config keys beside slidekit's."""
    rows = ["| marp-cli flag | config key | slidekit |", "| :-- | :-- | :-- |"]
    for s in SETTINGS:
        if s.marp is None:
            continue
        marp_flag = s.marp or max((f for f in s.flags if f.startswith("--")), key=len)
        ours = " ".join(f"`{f}`" for f in s.flags)
        where = "" if s.commands == (BUILD,) else f" ({', '.join(f'`{c}`' for c in s.commands)})"
        key = f"`{config_key(s)}`" if s.config else ""
        if s.name == "jobs":
            key = "`parallel`, `jobs`"
        rows.append(f"| `{marp_flag}` | {key} | {ours}{where} |")
    for flag, advice in UNSUPPORTED.items():
        if flag.startswith("--"):
            rows.append(f"| `{flag}{'.*' if flag == '--bespoke' else ''}` | | none: {advice} |")
    return "\n".join(rows) + "\n"
