"""Reading a deck: bytes to text, front-matter apart from the Markdown body."""

from __future__ import annotations

import functools
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from .diagnostics import Diagnostics

# Front-matter: `---` on the first line, YAML, then `---` (or `...`) on a line of its own.
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)


@dataclass
class Source:
    """The text of a deck, split into front-matter and body."""

    text: str                      # whole text, newlines normalised to \n
    body: str                      # the Markdown after the front-matter
    body_line: int = 1             # line number (1-based) of the body's first line in the file
    front_matter: dict = field(default_factory=dict)
    path: Path | None = None

    @property
    def name(self) -> str:
        return str(self.path) if self.path else "<string>"

    @property
    def folder(self) -> Path:
        return self.path.parent if self.path else Path.cwd()


# Marp reads directive values loosely: `footer: ![logo](x.png)` or `color: #fff` is text, though strict YAML
# reads a tag or a comment there. Such plain values (starting with ! & * # @ ` %) are quoted before parsing.
_LOOSE_VALUE = re.compile(r"^(_?[A-Za-z][\w-]*[ \t]*:[ \t]+)([!&*#@`%][^\n]*?)[ \t]*$", re.M)
# Marp goes further for its directives' names (Marpit's `looseYAML`, markdown/directives/yaml.js): a value
# that starts with none of [ " ' { | > ~ & * is read as a YAML double-quoted string (its own `"` escaped).
# So `footer: Issue #3` keeps its `#3`, `footer: Lecture 08: React 2` is text where strict YAML refuses the
# whole front-matter, and a backslash starts an escape: `One\nTwo` is two lines, `\\` one backslash, and an
# unknown escape (`C:\path`) makes the whole comment a note, not directives. Done here only where it
# changes the text read: a value with a backslash, ` #` (a comment to plain YAML), or `: ` or a final `:`
# (a mapping to plain YAML, an error there).
_MARP_QUOTED = re.compile(r"""^((?:_?([A-Za-z][\w-]*)|"_?([A-Za-z][\w-]*)"|'_?([A-Za-z][\w-]*)')[ \t]*:)"""
                          r"""([ \t]*)([^\["'{|>~&*\s][^\n]*?)[ \t]*$""", re.M)
_PLAIN_YAML_MISREADS = re.compile(r"\\|[ \t]#|:[ \t]|:$")


def _quote_loose_values(text: str, names: frozenset = frozenset()) -> str:
    if names and ("\\" in text or "#" in text or ":" in text):
        text = _quote_as_marp(text, names)

    def quote(m: re.Match) -> str:
        value = m.group(2)
        return m.group(1) + "'" + value.replace("'", "''") + "'"
    return _LOOSE_VALUE.sub(quote, text)


def _quote_as_marp(text: str, names: frozenset) -> str:
    """Directive values plain YAML misreads (a backslash, ` #`, `: `) as double-quoted strings, as Marp does."""
    def quote(m: re.Match) -> str:
        prop, name, spaces, value = m.group(1), m.group(2) or m.group(3) or m.group(4), m.group(5), m.group(6)
        if name not in names or not _PLAIN_YAML_MISREADS.search(value):
            return m.group(0)
        return prop + (spaces or " ") + '"' + value.replace('"', '\\"') + '"'
    return _MARP_QUOTED.sub(quote, text)


def marp_quoted(text: str, names: frozenset) -> bool:
    """Whether reading `text` as Marp does quotes a directive's value with a backslash (so that an unknown
    escape there is an error, where Marp reads the comment as a note)."""
    if "\\" not in text:
        return False
    text = textwrap.dedent(text.rstrip())
    return _quote_as_marp(text, names) != text


@functools.cache
def yaml_loaders() -> tuple[type, type]:
    """(loader on libyaml's parser where PyYAML has it, else the pure-Python one; the pure-Python loader),
    reading YAML as people mean it in a deck: `size: 16:9` is text, not the base-60 number YAML 1.1 reads.
    PyYAML is imported here, for the YAML that needs it."""
    import yaml

    class DeckLoader(yaml.SafeLoader):
        pass

    DeckLoader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers
                if tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool")]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    # YAML 1.2's booleans, as js-yaml (Marp) reads them: `yes`, `no`, `on`, `off` are words, so that
    # `header: on` is the text "on" and `paginate: yes` is no "true".
    DeckLoader.add_implicit_resolver(
        "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
    DeckLoader.add_implicit_resolver(
        "tag:yaml.org,2002:int",
        re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"),
        list("-+0123456789"))
    DeckLoader.add_implicit_resolver(
        "tag:yaml.org,2002:float",
        re.compile(r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"
                   r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
        list("-+0123456789."))

    # On libyaml's parser, when PyYAML has it: directive comments parse about 4 times faster.
    class FastDeckLoader(getattr(yaml, "CSafeLoader", DeckLoader)):
        pass

    FastDeckLoader.yaml_implicit_resolvers = DeckLoader.yaml_implicit_resolvers
    return FastDeckLoader, DeckLoader


def yaml_error() -> type:
    """PyYAML's error class, for an `except` clause (evaluated only when something was raised)."""
    import yaml
    return yaml.YAMLError


# Most directive comments and notes are lines of `key: word words`, and most front-matters add a `style: |`
# block: they are read here, as YAML reads them, without PyYAML (importing it costs ~8 ms, and a libyaml parse
# some 50 µs a comment, for hundreds of comments). Anything else (numbers but plain integers and ratios such as
# 16:9, dates, escapes, flow collections, ': ' or ' #' in a value, nested mappings, tabs or special
# characters...) is None and goes to PyYAML. tests/test_source_yaml.py checks that the two agree.
_SIMPLE_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_ .-]*?) *: +(?:'([^'\n]*)'|\"([^\"\\\n]*)\"|(\|-?)|"
                          r"(0|[1-9][0-9]{0,17})|([0-9]+(?::[0-9]+)+)|([A-Za-z_/(][^\n]*))")
_YAML_BOOLS = {w: value for value, words in ((True, "true"), (False, "false"))
               for word in words.split() for w in (word, word.title(), word.upper())}
_YAML_NULLS = {"null", "Null", "NULL"}


def simple_mapping(text: str) -> dict | None:
    """The mapping YAML reads in `text` (dedented) when every line is `key: value` with a plain word, a
    simple quoted value, a plain integer or ratio, or a `|` block; None when YAML has to decide."""
    mapping: dict = {}
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i].rstrip(" ")
        i += 1
        if not line:
            continue
        if not line.isprintable():     # tabs, and the control and special characters YAML refuses
            return None
        m = _SIMPLE_LINE.fullmatch(line)
        if m is None:
            return None
        key, single, double, block, integer, ratio, plain = m.groups()
        if key in _YAML_BOOLS or key in _YAML_NULLS:
            return None
        if plain is not None:
            if ": " in plain or " #" in plain or plain.endswith(":") or "\\" in plain:
                return None
            value = _YAML_BOOLS.get(plain, None if plain in _YAML_NULLS else plain)
        elif block is not None:
            value, i = _literal_block(lines, i, keep_last_newline=block == "|")
            if value is None:
                return None
        elif integer is not None:
            value = int(integer)
        else:
            value = next(v for v in (single, double, ratio) if v is not None)
        mapping[key] = value
    return mapping or None


def _literal_block(lines: list[str], i: int, keep_last_newline: bool) -> tuple[str | None, int]:
    """A `|` (clip) or `|-` (strip) block scalar starting at lines[i]: (its text, index of the line after),
    or (None, i) for what YAML reads otherwise or refuses (tabs, odd indentation)."""
    end = i
    while end < len(lines) and (not lines[end].strip(" ") or lines[end].startswith(" ")):
        end += 1
    body = lines[i:end]
    content = [line for line in body if line.strip(" ")]
    if not content:
        return "", end
    indent = len(content[0]) - len(content[0].lstrip(" "))
    out = []
    for line in body:
        if not line.isprintable():
            return None, i
        if line.strip(" "):
            if len(line) - len(line.lstrip(" ")) < indent:
                return None, i
            out.append(line[indent:])
        elif not out and len(line) > indent:      # YAML refuses a leading blank line deeper than the text
            return None, i
        else:
            out.append(line[indent:])
    while out and not out[-1]:
        out.pop()
    # clip keeps the last line's break, which the text's last line does not have
    last = i + max(k for k, line in enumerate(body) if line.strip(" "))
    return "\n".join(out) + ("\n" if keep_last_newline and last < len(lines) - 1 else ""), end


def load_yaml(text: str, directives: frozenset = frozenset()):
    """YAML, read as loosely as Marp reads directives (see _LOOSE_VALUE): `directives`, the names whose
    values Marp reads as quoted strings (_MARP_QUOTED; none in slidekit's config file)."""
    # Marpit trims a directive block as a whole (`<!-- _color: #fff -->`): only its first line loses its
    # indentation, so lines indented alike no longer line up and the block is no directives in Marp.
    text = text.strip() if directives else textwrap.dedent(text.rstrip())
    simple = simple_mapping(text)
    return simple if simple is not None else load_with_pyyaml(text, directives)


def load_with_pyyaml(text: str, directives: frozenset = frozenset()):
    """`text` (dedented) through PyYAML, values Marp reads loosely quoted first."""
    import yaml
    fast, pure = yaml_loaders()
    text = _quote_loose_values(text, directives)
    try:
        return yaml.load(text, Loader=fast)  # noqa: S506 - a SafeLoader
    except yaml.YAMLError:
        # Parsed again by PyYAML's own parser for the error: its messages and lines say more than libyaml's.
        return yaml.load(text, Loader=pure)  # noqa: S506 - a SafeLoader


def directive_names() -> frozenset:
    """The names of the directives (deck/directive_table.py): Marp reads their values loosely."""
    from .deck.directive_table import DIRECTIVE_NAMES
    return DIRECTIVE_NAMES


def decode(data: bytes) -> tuple[str, bool]:
    """UTF-8 (with or without BOM); bytes that are not UTF-8 are replaced. Returns (text, was_valid)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), True
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace"), False


def normalise_newlines(text: str) -> str:
    """Line endings as `\\n`, and U+0000 as U+FFFD, as CommonMark's preprocessing does: a NUL would reach the
    HTML, the PDF's metadata and the diagnostics as it is."""
    text = text.lstrip("\ufeff")
    if "\x00" in text:
        text = text.replace("\x00", "\ufffd")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_source(text: str, path: Path | None = None, diagnostics: Diagnostics | None = None) -> Source:
    """Split front-matter from the body and parse its YAML. A front-matter that is not a YAML mapping is
    ignored, as Marp ignores it (the slides are built without its settings), with a warning on its line."""
    diagnostics = diagnostics if diagnostics is not None else Diagnostics()
    text = normalise_newlines(text)
    name = str(path) if path else None
    m = _FRONT_MATTER.match(text)
    if not m:
        return Source(text=text, body=text, path=path)
    yaml_text = m.group(1) or ""
    body = text[m.end():]
    body_line = text.count("\n", 0, m.end()) + 1
    front: dict = {}
    try:
        loaded = load_yaml(yaml_text, directive_names()) if yaml_text.strip() else {}
    except yaml_error() as exc:
        line = 2
        mark = getattr(exc, "problem_mark", None)
        if mark is not None:
            line = mark.line + 2  # +1 for 1-based, +1 for the opening ---
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        diagnostics.warning("yaml", f"front-matter is not valid YAML: {problem}; its settings are ignored "
                            "(as in Marp): fix it or quote the value", file=name, line=line, slide=1)
        loaded = {}
    if isinstance(loaded, dict):
        front = {str(k): v for k, v in loaded.items()}
    elif loaded is not None:
        diagnostics.warning("yaml", "front-matter must be a YAML mapping of `key: value` lines; it is ignored "
                            "(as in Marp)", file=name, line=2, slide=1)
    return Source(text=text, body=body, body_line=body_line, front_matter=front, path=path)


def read_source(path: Path | None, diagnostics: Diagnostics, data: bytes | None = None) -> Source:
    """Read a deck file (or its bytes `data`, from standard input). Bytes that are not UTF-8 are read as the
    legacy 8-bit encoding they most likely are (Windows-1252, else Latin-1), with a warning that names the
    first such line and how to save the file as UTF-8; the text still builds."""
    if data is None:
        data = Path(path).read_bytes()
    text, valid = decode(data)
    if not valid:
        body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
        try:
            legacy, encoding = body.decode("cp1252"), "Windows-1252 (cp1252)"
        except UnicodeDecodeError:       # (five bytes cp1252 leaves undefined)
            legacy, encoding = body.decode("latin-1"), "Latin-1 (ISO-8859-1)"
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = body.count(b"\n", 0, exc.start) + 1
        text = legacy
        diagnostics.warning("encoding", f"the file is not UTF-8 (first at line {line}); it was read as "
                            f"{encoding}. Save it as UTF-8 (in most editors: Save with Encoding > UTF-8) "
                            "to be sure of its characters", file=str(path) if path else None, line=line)
    return parse_source(text, Path(path) if path else None, diagnostics)


# Themes -----------------------------------------------------------------------------------------------
def builtin_theme_dir() -> Path:
    """Themes ship inside the installed package (slidekit/themes); in a checkout they sit at ../themes."""
    packaged = Path(__file__).parent / "themes"
    return packaged if packaged.is_dir() else Path(__file__).parent.parent / "themes"


def read_theme_set(extra: list[Path] | None, diagnostics: Diagnostics):
    """Built-in themes, then every .css file named or found in the folders given (--theme-set)."""
    from .render.themes import ThemeSet, parse_theme

    themes = ThemeSet()
    for path in sorted(builtin_theme_dir().glob("*.css")):
        themes.add(parse_theme(path.read_text(encoding="utf-8"), path.stem, str(path)))
    for entry in extra or []:
        entry = Path(entry)
        files = sorted(entry.rglob("*.css")) if entry.is_dir() else [entry]
        if not entry.exists():
            diagnostics.warning("theme-set", f"theme file or folder not found: {entry}", file=str(entry))
            continue
        for path in files:
            text, _ = decode(path.read_bytes())
            theme = parse_theme(text, path.stem, str(path))
            if not theme.name:
                theme.name = path.stem
            themes.add(theme)
    return themes
