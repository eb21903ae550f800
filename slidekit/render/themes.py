"""Themes: Marp theme CSS with its metadata comments (`/* @theme name */`, `/* @size 4:3 960px 720px */`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

DEFAULT_SIZES = {"16:9": (1280, 720), "4:3": (960, 720)}
_META = re.compile(r"/\*[\s*!]*@(\w+)\s+([^*]*?)\s*\*+/")
_SECTION_SIZE = re.compile(r"(?:^|[},\s])(?:section|:root)\s*\{([^}]*)\}", re.S)
_IMPORT = re.compile(r"""@import(?:-theme)?\s+(?:url\()?\s*["']([^"')]+)["']\s*\)?\s*;""")


@dataclass
class Theme:
    """A theme's CSS, with the slide sizes it declares and where it comes from."""

    name: str
    css: str
    sizes: dict[str, tuple[int, int]] = field(default_factory=dict)
    origin: str = ""

    @cached_property
    def default_size(self) -> tuple[int, int]:
        """The size its `section` (or `:root`) rule gives; read when asked for: a build uses one theme of
        the several it knows, and scanning a theme's CSS for it took a third of a millisecond."""
        return _section_size(self.css)


def parse_theme(css: str, fallback_name: str = "", origin: str = "") -> Theme:
    css = css.replace("\x00", "\ufffd")    # as CSS reads it: no NUL reaches a theme's name or the page
    meta: dict[str, list[str]] = {}
    for key, value in _META.findall(css):
        meta.setdefault(key.lower(), []).append(value.strip())
    name = (meta.get("theme") or [fallback_name])[0].split()[0] if (meta.get("theme") or fallback_name) else ""
    sizes: dict[str, tuple[int, int]] = {}
    for value in meta.get("size", []):
        parts = value.split()
        if len(parts) == 3 and parts[1].endswith("px") and parts[2].endswith("px"):
            try:
                sizes[parts[0]] = (int(float(parts[1][:-2])), int(float(parts[2][:-2])))
            except ValueError:
                pass
    return Theme(name=name, css=css, sizes=sizes, origin=origin)


def _section_size(css: str) -> tuple[int, int]:
    width = height = None
    for block in _SECTION_SIZE.findall(css):
        w = re.search(r"(?<![-\w])width\s*:\s*(\d+(?:\.\d+)?)px", block)
        h = re.search(r"(?<![-\w])height\s*:\s*(\d+(?:\.\d+)?)px", block)
        width = int(float(w.group(1))) if w else width
        height = int(float(h.group(1))) if h else height
    return (width or 1280, height or 720)


class ThemeSet:
    """Themes by name. Built-ins first, then the user's (a user theme may replace a built-in)."""

    def __init__(self) -> None:
        self.themes: dict[str, Theme] = {}

    def add(self, theme: Theme) -> None:
        if theme.name:
            self.themes[theme.name] = theme

    def get(self, name: str | None) -> Theme | None:
        return self.themes.get(name or "default")

    def css_with_imports(self, theme: Theme, depth: int = 0) -> str:
        """Inline `@import 'gaia';` (a theme extending another) the way Marp resolves theme imports."""
        def replace(m: re.Match) -> str:
            base = self.themes.get(m.group(1))
            if base is None or depth > 5:
                return m.group(0)
            return self.css_with_imports(base, depth + 1)
        return _IMPORT.sub(replace, theme.css)

    def size_of(self, theme: Theme, size: str | None) -> tuple[tuple[int, int], bool]:
        """(width, height) for a `size` directive, and whether the size was known."""
        presets = {**DEFAULT_SIZES, **theme.sizes}
        if size is None:
            return theme.default_size, True
        if size in presets:
            return presets[size], True
        return theme.default_size, False
