"""Configuration files: `slidekit.yaml`, `[tool.slidekit]` in pyproject.toml, and marp-cli's `.marprc*`.

Settings use marp-cli's option names (`themeSet`, `allowLocalFiles`, `ogImage`, ...); kebab-case and
snake_case spellings are accepted too; which settings there are is slidekit/settings.py's table. The file is
looked for from the deck's folder upward: the first folder holding one wins, and the search ends at the
project's root (a folder with .git or pyproject.toml) and at home. A file found that another user owns, or
others may write, is not read (a warning). Command line over config file over defaults.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .diagnostics import Diagnostics

# tomllib, json, difflib and the YAML loader are imported where a config file needs them: most builds find
# no config file, and every build goes through here.

# In each folder, in this order (slidekit's own files first, then marp-cli's).
CONFIG_FILES = ("slidekit.yaml", "slidekit.yml", "pyproject.toml", "package.json",
                ".marprc", ".marprc.json", ".marprc.yaml", ".marprc.yml")

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


# A folder holding one of these is a project's root: the search for a config file stops there.
ROOT_MARKERS = (".git", "pyproject.toml")


def find_config(start: Path, stop: Path | None = None) -> Path | None:
    """The first config file from `start` (a folder) upward; pyproject.toml counts only with
    [tool.slidekit] and package.json only with a "marp" key. The search ends at the project's root (the
    first folder holding .git or pyproject.toml) and at `stop` (home by default): a file above those is
    not this project's, and may be anybody's."""
    start = Path(start).resolve()
    stop = (stop or Path.home()).resolve()
    for folder in [start, *start.parents]:
        for name in CONFIG_FILES:
            candidate = folder / name
            if candidate.is_file() and _holds_config(candidate):
                return candidate
        if folder == stop or any((folder / marker).exists() for marker in ROOT_MARKERS):
            break
    return None


def unsafe(path: Path) -> str | None:
    """Why a config file found by the search may have been planted by somebody else, or None: it is owned
    by another user, or others than its owner may write it (a config can turn on raw HTML and local files)."""
    import os
    import stat
    try:
        info = path.stat()
    except OSError:
        return None
    uid = getattr(os, "getuid", None)
    if uid is not None and info.st_uid not in (uid(), 0):
        return "it belongs to another user"
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return "other users may write it (chmod go-w to use it)"
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
    """Check and normalise a config mapping by the settings' table (slidekit/settings.py); problems are
    warnings and the setting is left out."""
    from .settings import BY_NAME, config_key, convert, unsupported_key
    config = Config(path=path)
    name = str(path) if path else None
    base = path.parent if path else Path.cwd()
    if raw is None:
        return config
    if not isinstance(raw, dict):
        config.diagnostics.error("config", "the configuration must be a mapping of `name: value`", file=name)
        return config
    aliases = {"parallel": "jobs"}
    known = {n: s for n, s in BY_NAME.items() if s.config}
    for key, value in raw.items():
        key = str(key)
        setting = aliases.get(canonical(key), canonical(key))
        if setting not in known:
            advice = unsupported_key(key)
            if advice:
                config.diagnostics.info("config", f"'{key}' is a marp-cli option slidekit does not have "
                                        f"({advice}); ignored", file=name)
                continue
            import difflib
            close = difflib.get_close_matches(setting, list(known), n=1, cutoff=0.7)
            hint = f" (did you mean '{config_key(known[close[0]])}'?)" if close else ""
            config.diagnostics.warning("config", f"unknown setting '{key}'{hint}; it is ignored", file=name)
            continue
        try:
            config.values[setting] = convert(known[setting], value, base)
        except ValueError as exc:
            config.diagnostics.warning("config", f"'{key}: {value}': {exc}; it is ignored", file=name)
    return config


def load_config(start: Path | None = None, explicit: Path | None = None) -> Config:
    """The config for decks under `start` (a file or folder), or the file named with --config-file. A file
    that cannot be read is an error (a usage error for the command); a found file that may not be the
    user's own is a warning, and not read."""
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
        why = unsafe(path)
        if why:
            config = Config()
            config.diagnostics.warning("config", f"not read: {why}", file=str(path))
            return config
    raw, problem = read_raw(path)
    if problem:
        config = Config(path=path)
        config.diagnostics.error("config", problem, file=str(path))
        return config
    return parse_config(raw, path)


# Options: the command line's settings over the config file's ----------------------------------------------
_TOLD: set = set()       # (config file, setting) already said on the console: once a run


def resolve(namespace: Any, command: str, inputs: list[str] | None = None):
    """(Options, diagnostics): the config file's settings under the command line's, over the defaults. An
    error among the diagnostics (a config that cannot be read) is a usage error for the command."""
    from .diagnostics import Diagnostic
    from .settings import BY_NAME, SETTINGS, Options, config_key

    given = {s.name: getattr(namespace, s.name) for s in SETTINGS if hasattr(namespace, s.name)}
    inputs = [p for p in (inputs or []) if p]
    diagnostics: list[Diagnostic] = []
    values: dict[str, Any] = {}
    if not given.get("no_config"):
        start = Path(inputs[0]) if inputs and inputs[0] != "-" else Path(given.get("input_dir") or Path.cwd())
        config = load_config(start, given.get("config_file"))
        diagnostics += list(config.diagnostics)
        values = {k: v for k, v in config.values.items() if command in BY_NAME[k].commands}
        for name in ("html", "allow_local_files"):
            if values.get(name) is True and name not in given and (config.path, name) not in _TOLD:
                _TOLD.add((config.path, name))
                what = "raw HTML in decks" if name == "html" else "reading files outside the deck's folder"
                diagnostics.append(Diagnostic("warning", "config", f"`{config_key(BY_NAME[name])}: true` turns on "
                                              f"{what}", file=str(config.path)))
    values.update(given)
    if not inputs and values.get("input_dir"):
        inputs = [values["input_dir"]]
    options = Options(**values, inputs=tuple(inputs))
    if (options.pdf_notes or options.pdf_outlines) and not any(
            (options.notes, options.handout, options.images, options.image, options.pptx)):
        options.pdf = True        # as in marp-cli: they are PDF options
    return options, diagnostics
