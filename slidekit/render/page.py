"""The page around the slides: templates/deck.html.j2, rendered by Jinja.

The template takes a few small values (title, language, size, theme...), which Jinja escapes, and a few
big parts that are HTML, CSS or script already (the slides' sections, the stylesheet, the viewer), which it
puts in as they are. The template rendered with a marker where each big part goes (the page's *frame*)
depends on the small values alone, so it is kept in slidekit's on-disk cache: a rebuild of a deck fills
the frame it rendered last time and does not load Jinja at all (loading it is ~18 ms, a sixth of a small
deck's HTML build). The bytes are the same either way (tests/test_page_frame.py).
"""

from __future__ import annotations

from pathlib import Path

TEMPLATE = Path(__file__).parent / "templates" / "deck.html.j2"
PARTS = ("stylesheet", "sections_html", "notes_html", "viewer_css", "fit_js", "viewer_js")
_MARK = "\x00"      # frame = literal, NUL, part name, NUL, literal... (a template's text holds no NUL)

_frames: dict[str, list[str]] = {}     # frame key -> the frame split at its marks (for `serve` and PDF chunks)


def render_page(values: dict, parts: dict[str, str]) -> str:
    """The template rendered with `values` (escaped) and `parts` (put in as they are)."""
    if any(_MARK in str(value) for value in values.values()):
        return _render({**values, **parts})     # a value holding a mark could pass for one: no frame
    pieces = _frame(values)
    # pieces[odd] are the names of the parts, pieces[even] the template's text between them
    return "".join([parts[piece] if i % 2 else piece for i, piece in enumerate(pieces)])


def _frame(values: dict) -> list[str]:
    from .. import cache

    source = TEMPLATE.read_text(encoding="utf-8")
    # the key: the template, the code that renders it (Jinja's __init__.py names its version; read, not
    # imported), the values
    key = cache.digest("page-frame", source, cache.code_key(__name__, f"{__package__}.jinja_env", "jinja2"),
                       repr(sorted(values.items())))
    pieces = _frames.get(key)
    if pieces is None:
        text = cache.get_text("page", key)
        pieces = text.split(_MARK) if text is not None else []
        if not _is_frame(pieces):
            text = _render({**values, **{name: f"{_MARK}{name}{_MARK}" for name in PARTS}})
            pieces = text.split(_MARK)
            cache.put_text("page", key, text)
        _frames[key] = pieces
    return pieces


def _is_frame(pieces: list[str]) -> bool:
    """A frame names each part at most once, the stylesheet and the sections always (both targets)."""
    names = pieces[1::2]
    return (len(pieces) % 2 == 1 and len(set(names)) == len(names) and set(names) <= set(PARTS)
            and {"stylesheet", "sections_html"} <= set(names))


def _render(context: dict) -> str:
    from .jinja_env import ENV
    return ENV.get_template(TEMPLATE.name).render(**context)
