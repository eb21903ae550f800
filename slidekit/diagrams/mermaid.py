"""Mermaid drawn by merm (pure Python, WTFPL; https://pypi.org/project/merm/), version 0.1.5 assumed: its
`render_diagram(source, theme=...)` entry point and `ParseError(message, line)`.

Three things merm 0.1.5 does not read are done here (candidates for merm upstream): a label written on
several lines (`A -->|git push` / `git pull| B`, `db[(Containerized` / `artifact)]`: a line break in
mermaid.js), a space between an arrow and its label (`A --> |label| B`), and `linkStyle N css` (taken out of
the source and put on the N-th drawn edge). All keep the source's line numbers.

merm picks a diagram's type by searching every line for a keyword, and draws anything else as a flowchart;
here the type is read from the first line that is not front-matter, a comment or a directive (as mermaid.js
does), and a type merm does not draw is refused with its name instead of being misread.
"""

from __future__ import annotations

import re

ENGINE_VERSION = "0.1.5"
# mermaid.js keyword -> the name the bench and messages use
DRAWN_TYPES = {
    "flowchart": "flowchart", "graph": "flowchart", "sequenceDiagram": "sequenceDiagram", "pie": "pie",
    "stateDiagram": "stateDiagram", "stateDiagram-v2": "stateDiagram", "classDiagram": "classDiagram",
    "classDiagram-v2": "classDiagram", "erDiagram": "erDiagram", "gantt": "gantt", "mindmap": "mindmap",
    "gitGraph": "gitGraph",
}
_FRONT_MATTER = re.compile(r"\A\s*---[ \t]*\n.*?\n---[ \t]*(?:\n|\Z)", re.S)
_DIRECTIVE = re.compile(r"%%\{.*?\}%%", re.S)


class MermaidError(ValueError):
    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def prepare(source: str) -> tuple[str, str, int]:
    """(diagram type keyword, the source merm is given, lines taken off its top). Front-matter and
    `%%{init}%%` directives are left out: they configure mermaid.js, and merm reads neither."""
    skipped = 0
    m = _FRONT_MATTER.match(source)
    if m:
        skipped = m.group(0).count("\n")
        source = source[m.end():]
    source = _DIRECTIVE.sub(lambda d: "\n" * d.group(0).count("\n"), source)
    lines = source.split("\n")
    for line in lines:
        stripped = line.strip()
        if stripped and not stripped.startswith("%%"):
            return stripped.split()[0].rstrip(";:"), source, skipped
    return "", source, skipped


_LINK_STYLE = re.compile(r"^\s*linkStyle\s+(default|[\d,\s]+?)\s+(.+?);?\s*$")
_EDGE_GROUP = re.compile(r'<g class="edge"')


_ARROW_SPACE_LABEL = re.compile(r"((?:--|==|-\.)[-.=]*[>ox]?)[ \t]+\|")


def _open(line: str) -> bool:
    """Whether a flowchart line leaves a label open (an odd `|`, more `[` or `(` opened than closed)."""
    if line.lstrip().startswith("%%"):
        return False
    return line.count("|") % 2 == 1 or line.count("[") > line.count("]") or line.count("(") > line.count(")")


def _fill_merm_gaps(body: str) -> tuple[str, list[tuple[str, str]]]:
    """(the flowchart with multi-line edge labels joined and linkStyle lines blanked, the link styles)."""
    lines = body.split("\n")
    out: list[str] = []
    styles: list[tuple[str, str]] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        m = _LINK_STYLE.match(line)
        if m:
            styles.append((m.group(1), m.group(2)))
            out.append("")
            i += 1
            continue
        joined = 0
        while _open(line) and i + joined + 1 < len(lines) and joined < 20:
            joined += 1
            line = line.rstrip() + "<br/>" + lines[i + joined].strip()
        if _open(line):     # never closed: left as written, for merm to report
            line, joined = lines[i], 0
        out.append(_ARROW_SPACE_LABEL.sub(r"\1|", line))
        out.extend([""] * joined)
        i += joined + 1
    return "\n".join(out), styles


def _apply_link_styles(svg: str, styles: list[tuple[str, str]]) -> str:
    """`linkStyle` declarations as a style on the edges they number (in the order merm draws them, which is
    the order of the source)."""
    if not styles:
        return svg
    starts = [m.start() for m in _EDGE_GROUP.finditer(svg)]
    per_edge: dict[int, list[str]] = {}
    for which, css in styles:
        css = ";".join(part.strip() for part in css.split(",") if ":" in part and "url(" not in part)
        numbers = range(len(starts)) if which == "default" else \
            [int(n) for n in re.split(r"[,\s]+", which) if n.strip().isdigit()]
        for n in numbers:
            if 0 <= n < len(starts):
                per_edge.setdefault(n, []).append(css)
    for n in sorted(per_edge, reverse=True):
        at = starts[n] + len('<g class="edge"')
        style = ";".join(per_edge[n]).replace('"', "")
        svg = svg[:at] + f' style="{style}"' + svg[at:]
    return svg


def _through_graphviz(body: str, styles: list[tuple[str, str]]) -> str | None:
    """A flowchart with subgraphs parsed by merm and laid out by Graphviz (flow_dot.py); None without Graphviz."""
    from merm.parser import parse_flowchart

    from .flow_dot import apply_styles, to_dot
    from .graphviz import GraphvizError, dot_path, draw_dot

    if dot_path() is None:
        return None
    diagram = parse_flowchart(body)
    try:
        return apply_styles(draw_dot(to_dot(diagram)), diagram, styles)
    except GraphvizError:
        return None


def diagram_type(source: str) -> str:
    """The diagram's type keyword as written (`flowchart`, `sequenceDiagram`, `journey`...)."""
    return prepare(source)[0]


def draw_mermaid(source: str) -> str:
    """merm's SVG for a Mermaid diagram; MermaidError with the parser's words (and the line in `source`)."""
    keyword, body, skipped = prepare(source)
    if not keyword:
        raise MermaidError("the diagram is empty")
    if keyword not in DRAWN_TYPES:
        raise MermaidError(f"'{keyword}' diagrams are not drawn (merm {ENGINE_VERSION} draws "
                           "flowchart, sequence, class, state, ER, pie, gantt, mindmap and gitGraph diagrams)", 1 + skipped)
    import merm
    from merm.parser.flowchart import ParseError

    styles: list[tuple[str, str]] = []
    if DRAWN_TYPES[keyword] == "flowchart":
        body, styles = _fill_merm_gaps(body)
    try:
        if DRAWN_TYPES[keyword] == "flowchart" and re.search(r"^\s*subgraph\b", body, re.M):
            drawn = _through_graphviz(body, styles)
            if drawn is not None:
                return drawn
        return _apply_link_styles(merm.render_diagram(body, theme="default"), styles)
    except ParseError as exc:
        line = getattr(exc, "line", None)
        message = re.sub(r"^Line \d+:\s*", "", str(exc))
        raise MermaidError(message, None if line is None else line + skipped) from exc
    except RecursionError as exc:
        raise MermaidError("the diagram nests too deeply to draw") from exc
    except Exception as exc:     # merm is alpha: any failure on a diagram means "cannot draw this one"
        raise MermaidError(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__) from exc
