"""Themes: Marp theme CSS with its metadata comments (`/* @theme name */`, `/* @size 4:3 960px 720px */`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

DEFAULT_SIZES = {"16:9": (1280, 720), "4:3": (960, 720)}
# A slide larger than this a side is no slide: a 100,000 px page ran the picture export out of memory.
MAX_SLIDE_SIDE = 10_000
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
    problems: list[tuple[int, str]] = field(default_factory=list)   # (line, message): sizes out of bounds

    @cached_property
    def default_size(self) -> tuple[int, int]:
        """The size its `section` (or `:root`) rule gives; read when asked for: a build uses one theme of
        the several it knows, and scanning a theme's CSS for it took a third of a millisecond."""
        (width, height), line = _section_size(self.css)
        bounded = bounded_size(width, height)
        if bounded != (width, height):
            self.problems.append((line, f"the theme's slide size {width}x{height}px is larger than "
                                        f"{MAX_SLIDE_SIDE:,}px a side; using {bounded[0]}x{bounded[1]}px"))
        return bounded


def bounded_size(width: int, height: int) -> tuple[int, int]:
    """A slide size scaled down, in its ratio, to at most MAX_SLIDE_SIDE a side."""
    scale = min(1.0, MAX_SLIDE_SIDE / max(width, height, 1))
    return (max(1, round(width * scale)), max(1, round(height * scale))) if scale < 1 else (width, height)


def parse_theme(css: str, fallback_name: str = "", origin: str = "") -> Theme:
    css = css.replace("\x00", "\ufffd")    # as CSS reads it: no NUL reaches a theme's name or the page
    meta: dict[str, list[tuple[str, int]]] = {}
    for m in _META.finditer(css):
        meta.setdefault(m.group(1).lower(), []).append((m.group(2).strip(), m.start()))
    name = (meta.get("theme") or [(fallback_name, 0)])[0][0].split()[0] if (meta.get("theme") or fallback_name) else ""
    sizes: dict[str, tuple[int, int]] = {}
    problems: list[tuple[int, str]] = []
    for value, at in meta.get("size", []):
        parts = value.split()
        if len(parts) == 3 and parts[1].endswith("px") and parts[2].endswith("px"):
            try:
                width, height = int(float(parts[1][:-2])), int(float(parts[2][:-2]))
            except (ValueError, OverflowError):
                continue
            line = css.count("\n", 0, at) + 1
            if width <= 0 or height <= 0:
                problems.append((line, f"`@size {value}` is not a slide size (a side of 0 or less); ignored"))
                continue
            sizes[parts[0]] = bounded_size(width, height)
            if sizes[parts[0]] != (width, height):
                problems.append((line, f"`@size {value}` is larger than {MAX_SLIDE_SIDE:,}px a side; using "
                                       f"{sizes[parts[0]][0]}x{sizes[parts[0]][1]}px"))
    return Theme(name=name, css=css, sizes=sizes, origin=origin, problems=problems)


def _section_size(css: str) -> tuple[tuple[int, int], int]:
    """(width, height) and the line of the last rule that gave one."""
    width = height = None
    line = 1
    for m in _SECTION_SIZE.finditer(css):
        block = m.group(1)
        w = re.search(r"(?<![-\w])width\s*:\s*(\d+(?:\.\d+)?)px", block)
        h = re.search(r"(?<![-\w])height\s*:\s*(\d+(?:\.\d+)?)px", block)
        width = int(float(w.group(1))) if w else width
        height = int(float(h.group(1))) if h else height
        if w or h:
            line = css.count("\n", 0, m.start(1)) + 1
    return (width or 1280, height or 720), line


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
