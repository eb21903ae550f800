"""Mermaid drawn by merm (pure Python, WTFPL; https://pypi.org/project/merm/), version 0.1.5 assumed: its
`render_diagram(source, theme=...)` entry point and `ParseError(message, line)`.

Things merm 0.1.5 does not read are done here (candidates for merm upstream), all keeping the source's
line numbers. In flowcharts: a label written on several lines (`A -->|git push` / `git pull| B`,
`db[(Containerized` / `artifact)]`: a line break in mermaid.js), an arrow written without spaces (`A-->B`),
a space between an arrow and its label (`A --> |label| B`), `linkStyle N css` (taken out of the source
and put on the N-th drawn edge), and the flag shape `id>label]` (drawn as a rectangle: merm has no flag).
In gantt charts merm reads only `[tags,] [id,] YYYY-MM-DD|after ID, Nd` tasks: the tasks are scheduled
here as mermaid.js does (a task without a start follows the previous one, `after a b` starts at the latest
end, durations in `h`/`d`/`w`, end dates) and handed over with a start date and whole days; `axisFormat`-
like directives merm would misread as tasks are left out. Weekends stay in (`excludes` is not applied, by
merm either), and charts timed within a day (`dateFormat HH:mm`) are refused with that reason.

merm picks a diagram's type by searching every line for a keyword, and draws anything else as a flowchart;
here the type is read from the first line that is not front-matter, a comment or a directive (as mermaid.js
does), and a type merm does not draw is refused with its name instead of being misread.
"""

from __future__ import annotations

import math
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
# an arrow merm reads only between spaces (`A-->B`); --o/--x are left alone (`A--oB` is ambiguous)
_ARROW = r"<?(?:-\.+->?|={2,}>?|-{2,}>|-{3,})"
_SPACELESS_BEFORE = re.compile(rf"(?<=\w)({_ARROW})")
_SPACELESS_AFTER = re.compile(rf"({_ARROW})(?=\w)")
# what an arrow inside must not be spaced in: a quoted text, an |edge label|, a node's [label]/(label)/{label}
_KEPT_AS_WRITTEN = re.compile(r'"[^"]*"|\|[^|]*\||\[[^\]]*\]|\([^)]*\)|\{[^}]*\}')
_NOT_EDGES = ("%%", "classDef", "class ", "style ", "click ", "linkStyle")
# the asymmetric (flag) shape `id>label]`, which merm 0.1.5 cannot parse: drawn as a rectangle instead
_FLAG_NODE = re.compile(r"(?<![\w-])(\w+)>([^\]\n]*)\]")


def _space_arrows(line: str) -> str:
    """The line with a space between an arrow and a node id written against it, outside labels, and flag
    shapes written as rectangles."""
    if line.lstrip().startswith(_NOT_EDGES) or not (re.search(_ARROW, line) or ">" in line):
        return line
    parts, last = [], 0
    for m in _KEPT_AS_WRITTEN.finditer(line):
        parts += [line[last:m.start()], m.group(0)]
        last = m.end()
    parts.append(line[last:])
    for i in range(0, len(parts), 2):
        flagless = _FLAG_NODE.sub(r"\1[\2]", parts[i])
        parts[i] = _SPACELESS_AFTER.sub(r"\1 ", _SPACELESS_BEFORE.sub(r" \1", flagless))
    return "".join(parts)


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
        out.append(_ARROW_SPACE_LABEL.sub(r"\1|", _space_arrows(line)))
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


_GANTT_SKIPPED = re.compile(r"^\s*(axisFormat|tickInterval|todayMarker|weekday|weekend|inclusiveEndDates|topAxis|"
                            r"displayMode|click|accTitle|accDescr)\b")
_GANTT_KEPT = re.compile(r"^\s*(gantt|title|dateFormat|excludes|includes|section)\b|^\s*(%%|$)")
_GANTT_TAGS = ("done", "active", "crit", "milestone")
_SPAN = re.compile(r"^(\d+(?:\.\d+)?)\s*(ms|s|min|m|h|d|w)$")
_SPAN_DAYS = {"ms": 1 / 86_400_000, "s": 1 / 86_400, "m": 1 / 1440, "min": 1 / 1440, "h": 1 / 24, "d": 1, "w": 7}


def _schedule_gantt(body: str) -> str:
    """The gantt chart with every task given as `name :[tags,] [id,] YYYY-MM-DD, Nd`, scheduled by mermaid.js's
    rules; a task it cannot schedule (unknown `after` id, unread date) is left as written for merm to report."""
    from datetime import date, timedelta

    m = re.search(r"^\s*dateFormat\s+(.+?)\s*$", body, re.M)
    if m and m.group(1) != "YYYY-MM-DD":
        raise MermaidError(f"gantt charts with 'dateFormat {m.group(1)}' are not drawn (merm {ENGINE_VERSION} "
                           "schedules whole days given as YYYY-MM-DD)")
    ends: dict[str, date] = {}
    previous_end: date | None = None
    out = []
    for line in body.split("\n"):
        if _GANTT_SKIPPED.match(line):
            out.append("")
            continue
        if _GANTT_KEPT.match(line) or ":" not in line:
            out.append(line)
            continue
        name, data = line.split(":", 1)
        fields = [f.strip() for f in data.split(",") if f.strip()]
        tags = [f for f in fields if f in _GANTT_TAGS and f != "milestone"]
        rest = [f for f in fields if f not in _GANTT_TAGS]
        task_id = rest[0] if len(rest) == 3 else None
        start_text = rest[-2] if len(rest) >= 2 else None
        try:
            if start_text is None:
                if previous_end is None:
                    raise ValueError
                start = previous_end
            elif start_text.startswith("after "):
                start = max(ends[ref] for ref in start_text.split()[1:])
            else:
                start = date.fromisoformat(start_text)
            span = _SPAN.match(rest[-1]) if rest else None
            if span:
                days = math.ceil(float(span.group(1)) * _SPAN_DAYS[span.group(2)])
            else:
                days = (date.fromisoformat(rest[-1]) - start).days
            if len(rest) > 3 or days < 0:
                raise ValueError
        except (ValueError, KeyError, IndexError):
            out.append(line)
            continue
        end = start + timedelta(days=days)
        previous_end = end
        if task_id:
            ends[task_id] = end
        out.append(f"{name}:" + ", ".join(tags + ([task_id] if task_id else []) + [start.isoformat(), f"{days}d"]))
    return "\n".join(out)


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
    elif keyword == "gantt":
        body = _schedule_gantt(body)
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
