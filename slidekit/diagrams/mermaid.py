"""Mermaid drawn by merm (pure Python, WTFPL; https://pypi.org/project/merm/), version 0.1.5 assumed: its
`render_diagram(source, theme=...)` entry point and `ParseError(message, line)`.

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

    try:
        return merm.render_diagram(body, theme="default")
    except ParseError as exc:
        line = getattr(exc, "line", None)
        message = re.sub(r"^Line \d+:\s*", "", str(exc))
        raise MermaidError(message, None if line is None else line + skipped) from exc
    except RecursionError as exc:
        raise MermaidError("the diagram nests too deeply to draw") from exc
    except Exception as exc:     # merm is alpha: any failure on a diagram means "cannot draw this one"
        raise MermaidError(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__) from exc
