"""Diagrams as code, drawn at build time into inline SVG: ```` ```mermaid ```` fences with merm (mermaid.py),
```` ```dot ```` and ```` ```graphviz ```` fences with Graphviz (graphviz.py). No JavaScript, no browser, no
network: the HTML holds the drawing itself, and the PDF draws it as vectors with selectable labels.

A fence's info string may size the drawing as Marp sizes images: ```` ```mermaid w:600 ```` or `h:300`
(`width:`/`height:`; px unless a unit is given). A diagram that cannot be drawn is shown as its source, as
code, and the compiler reports the engine's words (`diagram_problems`). Drawings are kept in the on-disk
cache by content (slidekit/cache.py), so a rebuild draws only the diagrams that changed.
"""

from __future__ import annotations

import functools
import html
import json
import re
from dataclasses import dataclass

ENGINES = {"mermaid": "mermaid", "dot": "graphviz", "graphviz": "graphviz"}
MAX_DIAGRAM_CHARS = 50_000
_SIZE_OPTION = re.compile(r"^(w|h|width|height):(\d{1,5}(?:\.\d+)?)(px|em|rem|%|cm|mm|in|pt)?$", re.I)


@dataclass(frozen=True)
class Drawing:
    """An engine's answer for one diagram: the adapted SVG (ids prefixed with svg.ID_PLACEHOLDER), or the
    reason it was not drawn and the line of the diagram (1-based) the engine named."""

    svg: str | None = None
    error: str | None = None
    line: int | None = None


def fence_engine(info: str | None) -> str | None:
    """'mermaid' or 'graphviz' for a diagram fence's info string; None for other code."""
    if not info:
        return None
    word = info.split(None, 1)[0].lower() if info.strip() else ""
    return ENGINES.get(word)


def size_style(info: str) -> str:
    """CSS `width`/`height` from a fence's `w:`/`h:` options ('' when none)."""
    out = []
    for word in info.split()[1:]:
        m = _SIZE_OPTION.match(word)
        if m:
            prop = "width" if m.group(1).lower().startswith("w") else "height"
            out.append(f"{prop}:{m.group(2)}{m.group(3) or 'px'}")
    return ";".join(out)


def _draw_now(engine: str, code: str) -> Drawing:
    from .svg import UnsafeSVG, adapt_svg

    if len(code) > MAX_DIAGRAM_CHARS:
        return Drawing(error=f"the diagram is longer than {MAX_DIAGRAM_CHARS} characters; not drawn")
    try:
        if engine == "mermaid":
            from .mermaid import draw_mermaid
            return Drawing(svg=adapt_svg(draw_mermaid(code), font_px=16.0))
        from .graphviz import draw_dot
        return Drawing(svg=adapt_svg(draw_dot(code), font_px=14 * 4 / 3))
    except UnsafeSVG as exc:
        return Drawing(error=str(exc))
    except ValueError as exc:      # MermaidError, GraphvizError
        return Drawing(error=str(exc), line=getattr(exc, "line", None))


def _engine_version(engine: str) -> str:
    if engine == "mermaid":     # (merm's version file is read, not imported: a cached deck never loads merm)
        import importlib.util
        from pathlib import Path
        from .. import cache
        spec = importlib.util.find_spec("merm")
        try:
            version = (Path(spec.origin).parent / "__version__.py").read_text() if spec and spec.origin else ""
        except OSError:
            version = ""
        return cache.code_key("slidekit.diagrams.mermaid", "slidekit.diagrams.flow_dot", "slidekit.diagrams.graphviz",
                              "merm") + version
    from .graphviz import dot_path
    import os
    path = dot_path()
    try:
        return f"{path}:{os.stat(path).st_mtime_ns}" if path else "no-dot"
    except OSError:
        return "no-dot"


@functools.lru_cache(maxsize=256)
def draw(engine: str, code: str) -> Drawing:
    """The drawing of one diagram, from the on-disk cache when this code was drawn before (the compiler's
    check and the renderer ask for the same diagram: the second asks this process's memory)."""
    from .. import cache

    key = cache.digest(cache.code_key(__name__, "slidekit.diagrams.svg"), _engine_version(engine), engine, code)
    found = cache.get_text("diagram", key)
    if found is not None:
        try:
            data = json.loads(found)
            return Drawing(data.get("svg"), data.get("error"), data.get("line"))
        except (ValueError, AttributeError):
            pass
    drawing = _draw_now(engine, code)
    cache.put_text("diagram", key, json.dumps({"svg": drawing.svg, "error": drawing.error, "line": drawing.line}))
    return drawing


def fence_html(code: str, info: str, renderer) -> str | None:
    """The HTML of a diagram fence: the inline `<svg>`, or None when it cannot be drawn (the renderer then
    shows the source as code; the compiler has reported why). Ids are made unique in the renderer's
    document: a digest of the diagram, then a count when the same diagram comes again."""
    from .. import cache
    from .svg import ID_PLACEHOLDER

    engine = fence_engine(info)
    drawing = draw(engine, code)
    if drawing.svg is None:
        return None
    seen = renderer.__dict__.setdefault("diagram_ids", {})
    base = "sk-dg-" + cache.digest(engine, code)[:10]
    seen[base] = seen.get(base, 0) + 1
    prefix = base if seen[base] == 1 else f"{base}-{seen[base]}"
    svg = drawing.svg.replace(ID_PLACEHOLDER, prefix)
    size = size_style(info)
    if size:     # (style's width/height win over the attributes)
        svg = svg.replace('style="display:block;', f'style="{_sized(svg, size)};display:block;', 1)
    kind = html.escape(info.split(None, 1)[0].lower())
    return f'<p class="sk-diagram-box" data-diagram="{kind}">{svg}</p>\n'


_EM_SIZE = re.compile(r'<svg[^>]*? width="([\d.]+)em" height="([\d.]+)em"')


def _sized(svg: str, size: str) -> str:
    """A fence's `w:`/`h:` as CSS, the other side following the drawing's ratio when the unit allows."""
    m = _EM_SIZE.match(svg)
    props = dict(part.split(":", 1) for part in size.split(";"))
    if m and len(props) == 1:
        ratio = float(m.group(2)) / float(m.group(1))
        (prop, value), = props.items()
        number, unit = re.fullmatch(r"([\d.]+)(\D*)", value).groups()
        if unit != "%":
            other = float(number) * ratio if prop == "width" else float(number) / ratio
            props["height" if prop == "width" else "width"] = f"{other:.1f}".rstrip("0").rstrip(".") + unit
    return ";".join(f"{k}:{v}" for k, v in props.items())


_CONTAINERS = frozenset({"list", "list_item", "block_quote"})


def diagram_problems(tokens: list[dict]):
    """(code, message, top-level token, line offset in the fence) for each diagram fence that cannot be
    drawn; the offset counts from the fence's opening line."""
    def visit(level, top):
        for tok in level:
            kind = tok["type"]
            if kind == "block_code":
                info = (tok.get("attrs") or {}).get("info")
                engine = fence_engine(info)
                if engine is None:
                    continue
                drawing = draw(engine, tok.get("raw", ""))
                if drawing.error is not None:
                    name = info.split(None, 1)[0]
                    yield ("bad-diagram", f"cannot draw the {name} diagram: {drawing.error}; "
                           "its source is shown as code", top or tok, drawing.line or 0)
            elif kind in _CONTAINERS:
                yield from visit(tok.get("children") or (), top or tok)
    yield from visit(tokens, None)
