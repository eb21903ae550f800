"""Configuration files: `slidekit.yaml`, `[tool.slidekit]` in pyproject.toml, and marp-cli's `.marprc*`.

Settings use marp-cli's option names (`themeSet`, `allowLocalFiles`, `ogImage`, ...); kebab-case and
snake_case spellings are accepted too. The file is looked for from the deck's folder upward, the way
marp-cli (cosmiconfig) looks from its working folder: the first folder holding one wins. Command line over
config file over defaults.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .diagnostics import Diagnostic, Diagnostics

# tomllib, json, difflib and the YAML loader are imported where a config file needs them: most builds find
# no config file, and every build goes through here.

# In each folder, in this order (slidekit's own files first, then marp-cli's).
CONFIG_FILES = ("slidekit.yaml", "slidekit.yml", "pyproject.toml", "package.json",
                ".marprc", ".marprc.json", ".marprc.yaml", ".marprc.yml")

# setting -> (kind, is a path relative to the config file)
SETTINGS: dict[str, tuple[str, bool]] = {
    "html": ("bool", False),
    "theme": ("theme", True),
    "theme_set": ("paths", True),
    "allow_local_files": ("bool", False),
    "title": ("text", False),
    "description": ("text", False),
    "author": ("text", False),
    "url": ("text", False),
    "og_image": ("text", False),
    "output": ("path", True),
    "pdf": ("bool", False),
    "input_dir": ("path", True),
    "offline": ("bool", False),
    "heading_divider": ("heading", False),
}
# marp-cli options that mean nothing here: read without complaint, noted once.
MARP_ONLY = {"engine", "server", "watch", "preview", "bespoke", "browser", "browserPath", "browserTimeout",
             "browserProtocol", "pdfNotes", "pdfOutlines", "images", "image", "imageScale", "jpegQuality",
             "pptx", "pptxEditable", "notes", "options", "parallel", "template", "stdin", "lang",
             "keywords", "configFile", "port"}


def canonical(key: str) -> str:
    """`themeSet`, `theme-set` and `theme_set` are one setting."""
    key = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", key).replace("-", "_").lower()
    return key


@dataclass
class Config:
    """The settings read from a config file (None: no file), by canonical name, and what reading them found."""

    path: Path | None = None
    values: dict[str, Any] = field(default_factory=dict)     # canonical name -> value
    diagnostics: Diagnostics = field(default_factory=Diagnostics)


def find_config(start: Path, stop: Path | None = None) -> Path | None:
    """The first config file from `start` (a folder) upward; pyproject.toml counts only with
    [tool.slidekit] and package.json only with a "marp" key. Stops after `stop` (home by default)."""
    start = Path(start).resolve()
    stop = (stop or Path.home()).resolve()
    for folder in [start, *start.parents]:
        for name in CONFIG_FILES:
            candidate = folder / name
            if candidate.is_file() and _holds_config(candidate):
                return candidate
        if folder == stop:
            break
    return None


def _holds_config(path: Path) -> bool:
    if path.name == "pyproject.toml":
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return False
        if "slidekit" not in text:     # most projects' pyproject.toml: not parsed (tomllib costs ~3 ms)
            return False
        import tomllib
        try:
            return "slidekit" in tomllib.loads(text).get("tool", {})
        except tomllib.TOMLDecodeError:
            return False
    if path.name == "package.json":
        import json
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):
            return False
        return isinstance(data, dict) and "marp" in data
    return True


def read_raw(path: Path) -> tuple[Any, str | None]:
    """The mapping a config file holds, or (None, error message)."""
    import json
    import tomllib

    import yaml

    from .source import load_yaml
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, f"cannot read: {exc}"
    try:
        if path.name == "pyproject.toml":
            return tomllib.loads(text).get("tool", {}).get("slidekit", {}), None
        if path.suffix == ".json" or (path.name == ".marprc" and text.lstrip().startswith("{")):
            data = json.loads(text)
            return (data.get("marp") if path.name == "package.json" else data), None
        return load_yaml(text) or {}, None
    except tomllib.TOMLDecodeError as exc:
        return None, f"not valid TOML: {exc}"
    except ValueError as exc:
        return None, f"not valid JSON: {exc}"
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return None, f"not valid YAML: {problem}"


def parse_config(raw: Any, path: Path | None) -> Config:
    """Check and normalise a config mapping; problems are warnings and the setting is left out."""
    config = Config(path=path)
    name = str(path) if path else None
    base = path.parent if path else Path.cwd()
    if raw is None:
        return config
    if not isinstance(raw, dict):
        config.diagnostics.error("config", "the configuration must be a mapping of `name: value`", file=name)
        return config
    for key, value in raw.items():
        key = str(key)
        setting = canonical(key)
        if key in MARP_ONLY or setting in {canonical(k) for k in MARP_ONLY}:
            config.diagnostics.info("config", f"'{key}' is a marp-cli option slidekit does not use; ignored",
                                    file=name)
            continue
        if setting not in SETTINGS:
            import difflib
            close = difflib.get_close_matches(setting, list(SETTINGS), n=1, cutoff=0.7)
            hint = f" (did you mean '{_marp_name(close[0])}'?)" if close else ""
            config.diagnostics.warning("config", f"unknown setting '{key}'{hint}; it is ignored", file=name)
            continue
        kind, is_path = SETTINGS[setting]
        try:
            config.values[setting] = _convert(kind, value, base if is_path else None)
        except ValueError as exc:
            config.diagnostics.warning("config", f"'{key}: {value}': {exc}; it is ignored", file=name)
    return config


def _marp_name(setting: str) -> str:
    head, *rest = setting.split("_")
    return head + "".join(p.capitalize() for p in rest)


def _convert(kind: str, value: Any, base: Path | None) -> Any:
    if kind == "bool":
        if isinstance(value, bool):
            return value
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
        return [str(base / v) for v in items]
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise ValueError("expected a text value")
    value = str(value)
    if kind == "path" or (kind == "theme" and value.endswith(".css")):
        return str(base / value)
    return value


def load_config(start: Path | None = None, explicit: Path | None = None) -> Config:
    """The config for decks under `start` (a file or folder), or the file named with --config-file."""
    if explicit is not None:
        path = Path(explicit)
        if not path.is_file():
            config = Config(path=path)
            config.diagnostics.error("config", "config file not found", file=str(path))
            return config
    else:
        start = Path(start or Path.cwd())
        path = find_config(start if start.is_dir() else start.parent)
        if path is None:
            return Config()
    raw, problem = read_raw(path)
    if problem:
        config = Config(path=path)
        config.diagnostics.error("config", problem, file=str(path))
        return config
    return parse_config(raw, path)


# Command-line integration -------------------------------------------------------------------------
def add_arguments(parser) -> None:
    """--config-file / --no-config, as marp-cli spells them."""
    parser.add_argument("-c", "--config-file", "--config", dest="config_file", metavar="PATH",
                        help="read this config file instead of looking for one")
    parser.add_argument("--no-config", "--no-config-file", dest="no_config", action="store_true",
                        help="ignore config files")


# argparse destination -> setting; a command-line value that is set wins over the file.
_ARGS = {"html": "html", "theme": "theme", "theme_set": "theme_set", "allow_local_files": "allow_local_files",
         "title": "title", "description": "description", "author": "author", "url": "url", "image": "og_image",
         "output": "output", "pdf": "pdf", "input_dir": "input_dir", "offline": "offline",
         "heading_divider": "heading_divider"}


def merge_into_args(args, config: Config) -> None:
    """Fill the arguments the command line left unset (None, False, empty) from the config."""
    for dest, setting in _ARGS.items():
        if setting not in config.values or not hasattr(args, dest):
            continue
        current = getattr(args, dest)
        if current is None or current is False or current == []:
            setattr(args, dest, config.values[setting])


def apply_config(args) -> list[Diagnostic]:
    """Load the config for the command's inputs and merge it into `args`; returns its diagnostics."""
    if getattr(args, "no_config", False):
        return []
    inputs = [p for p in (getattr(args, "inputs", None) or []) if p]
    start = Path(inputs[0]) if inputs else Path(getattr(args, "input_dir", None) or Path.cwd())
    config = load_config(start, getattr(args, "config_file", None))
    merge_into_args(args, config)
    if inputs == [] and hasattr(args, "inputs") and getattr(args, "input_dir", None):
        args.inputs = [args.input_dir]
    return list(config.diagnostics)
