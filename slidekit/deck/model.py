"""The deck model: plain data that the passes read and fill in."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from ..diagnostics import Diagnostics
from ..markdown.images import ImageSpec


@dataclass
class Background:
    """An image of a slide's background (`![bg ...]`), with the keywords of its alt text."""

    url: str
    spec: ImageSpec
    src: str = ""            # the URL written to the output, once resolved


@dataclass
class Slide:
    """One slide: its tokens, where it starts in the file, the directives in force and what passes add."""

    number: int                                   # 1-based
    tokens: list[dict]
    line: int                                     # line in the file where the slide starts
    directives: dict[str, Any] = field(default_factory=dict)   # local directives in force here
    explicit: set[str] = field(default_factory=set)            # local directives set on this slide
    notes: list[str] = field(default_factory=list)
    scoped_css: list[str] = field(default_factory=list)
    backgrounds: list[Background] = field(default_factory=list)
    split: str | None = None                      # "left" / "right" when a background takes a side
    split_size: str = "50%"
    bg_direction: str = "horizontal"
    pagination: int | None = None
    title: str = ""
    fit_comment: bool = False
    html: str = ""
    header_html: str = ""
    footer_html: str = ""
    notes_html: str = ""
    fragments: int = 0


@dataclass
class Deck:
    """A compiled deck: its slides, global directives, global CSS and what compiling it found."""

    slides: list[Slide]
    globals: dict[str, Any] = field(default_factory=dict)
    global_css: list[str] = field(default_factory=list)   # <style> tags and the style directive
    imported_css: list[str] = field(default_factory=list)  # files that CSS @imports (render/css_imports.py)
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    file: str | None = None
    body_line: int = 1
    line_starts: list[int] = field(default_factory=list)
    markdown_env: dict = field(default_factory=dict)     # mistune's env: reference definitions
    # A view of some of a deck's slides (a chunk of a long PDF, slidekit/export/pdf_chunks.py) keeps the
    # whole deck's counts: "Slide 3 of 45", the page total.
    whole_count: int | None = None
    whole_pagination_total: int | None = None

    @property
    def slide_count(self) -> int:
        return len(self.slides) if self.whole_count is None else self.whole_count

    @property
    def pagination_total(self) -> int:
        if self.whole_pagination_total is not None:
            return self.whole_pagination_total
        return sum(1 for s in self.slides if s.directives.get("paginate") not in ("hold", "skip"))

    def view(self, start: int, stop: int) -> "Deck":
        """The deck with only slides[start:stop], counted as in the whole deck."""
        return replace(self, slides=self.slides[start:stop], whole_count=self.slide_count,
                       whole_pagination_total=self.pagination_total)

    def line_of(self, pos: int | None) -> int | None:
        """File line of an offset into the Markdown body."""
        if pos is None:
            return None
        import bisect
        return bisect.bisect_right(self.line_starts, pos) - 1 + self.body_line
