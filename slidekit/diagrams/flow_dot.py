"""A Mermaid flowchart laid out by Graphviz: merm's parse (its `Diagram` of nodes, edges, subgraphs and
styles, merm 0.1.5) written as DOT, drawn by `dot`. merm's own layout nests subgraphs poorly (clusters
overlap, edges to a subgraph land nowhere: the MLOps guide's pipelines), Graphviz's clusters do not; so a
flowchart with subgraphs is drawn this way when Graphviz is installed (mermaid.py).

`style`, `classDef`/`class` and `linkStyle` are applied to Graphviz's SVG afterwards, as CSS on the groups
Graphviz names by their `<title>` (node id, `cluster_<id>`, edges in source order)."""

from __future__ import annotations

import html
import re

_SHAPES = {
    "rect": ("box", ""), "rounded": ("box", "rounded"), "stadium": ("box", "rounded"),
    "subroutine": ("box", ""), "cylinder": ("cylinder", ""), "circle": ("circle", ""),
    "asymmetric": ("cds", ""), "diamond": ("diamond", ""), "hexagon": ("hexagon", ""),
    "parallelogram": ("parallelogram", ""), "parallelogram_alt": ("parallelogram", ""),
    "trapezoid": ("trapezium", ""), "trapezoid_alt": ("invtrapezium", ""), "double_circle": ("doublecircle", ""),
}
_RANKDIR = {"TB": "TB", "TD": "TB", "BT": "BT", "LR": "LR", "RL": "RL"}
_BREAK = re.compile(r"<br\s*/?>", re.I)
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_STYLE_KEYS = {"fill", "stroke", "stroke-width", "color", "opacity", "stroke-dasharray"}


def _quote(text: str) -> str:
    text = _TAG.sub("", _BREAK.sub("\n", html.unescape(text or "")))
    text = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{text}"'


def _value(v) -> str:
    return getattr(v, "value", str(v))


def to_dot(diagram) -> str:
    """DOT for merm's flowchart `Diagram`."""
    def all_subgraphs(subs):
        for sub in subs:
            yield sub
            yield from all_subgraphs(sub.subgraphs)
    cluster_ids = {sub.id for sub in all_subgraphs(diagram.subgraphs)}
    # (an edge may name a subgraph before it is defined: merm then also keeps a node of that name)
    node_ids = {n.id for n in diagram.nodes} - cluster_ids
    lines = ["digraph mermaid {", f"  rankdir={_RANKDIR.get(_value(diagram.direction), 'TB')};",
             "  compound=true; nodesep=0.4; ranksep=0.5;",
             '  node [shape=box, fontsize=14, margin="0.15,0.06", height=0.4];',
             "  edge [fontsize=12, arrowsize=0.7];"]
    declared: set[str] = set()
    first_node: dict[str, str] = {}

    def node_line(node) -> str:
        shape, style = _SHAPES.get(_value(node.shape), ("box", ""))
        # (mermaid.js's colours: the theme maps them to the slide's, svg.py)
        extra = f', style="{style + "," if style else ""}filled", fillcolor="#ECECFF", color="#9370DB"'
        return f"  {_quote(node.id)} [label={_quote(node.label or node.id)}, shape={shape}{extra}];"

    by_id = {n.id: n for n in diagram.nodes if n.id in node_ids}

    def cluster(sub, depth: int) -> list[str]:
        pad = "  " * depth
        title = (sub.title or sub.id).strip().strip('"')
        out = [f"{pad}subgraph {_quote('cluster_' + sub.id)} {{", f"{pad}  label={_quote(title)};",
               f"{pad}  labeljust=l; fontsize=12;"]
        for child in sub.subgraphs:
            out += cluster(child, depth + 1)
            if child.id in first_node:
                first_node.setdefault(sub.id, first_node[child.id])
        for nid in sub.node_ids:
            if nid in by_id and nid not in declared:
                declared.add(nid)
                out.append(pad + node_line(by_id[nid]).strip())
            if nid in node_ids:
                first_node.setdefault(sub.id, nid)
        if sub.id not in first_node:        # an empty cluster still needs something to be drawn
            anchor = f"__empty_{sub.id}"
            out.append(f'{pad}  {_quote(anchor)} [label="", shape=point, style=invis];')
            first_node[sub.id] = anchor
        out.append(pad + "}")
        return out

    for sub in diagram.subgraphs:
        lines += cluster(sub, 1)
    for node in diagram.nodes:
        if node.id not in declared and node.id in node_ids:
            declared.add(node.id)
            lines.append(node_line(node))
    for edge in diagram.edges:
        attrs = []
        source, target = edge.source, edge.target
        if source in first_node and source not in node_ids:
            attrs.append(f"ltail={_quote('cluster_' + source)}")
            source = first_node[source]
        if target in first_node and target not in node_ids:
            attrs.append(f"lhead={_quote('cluster_' + target)}")
            target = first_node[target]
        kind = _value(edge.edge_type)
        if "dotted" in kind:
            attrs.append("style=dashed")
        elif "thick" in kind:
            attrs.append("penwidth=2.5")
        elif kind == "invisible":
            attrs.append("style=invis")
        head, tail = _value(edge.target_arrow), _value(edge.source_arrow)
        arrow = {"none": "none", "arrow": "normal", "circle": "odot", "cross": "tee"}
        if kind in ("open", "dotted", "thick") and head == "arrow":
            head = "none"
        attrs.append(f"arrowhead={arrow.get(head, 'normal')}")
        if tail != "none":
            attrs.append(f"dir=both, arrowtail={arrow.get(tail, 'normal')}")
        if edge.label:
            attrs.append(f"label={_quote(edge.label)}")
        if edge.extra_length:
            attrs.append(f"minlen={1 + int(edge.extra_length)}")
        lines.append(f"  {_quote(source)} -> {_quote(target)} [{', '.join(attrs)}];")
    lines.append("}")
    return "\n".join(lines)


_GROUP = re.compile(r'<g id="[^"]*" class="(node|cluster|edge)">\s*<title>([^<]*)</title>')


def _props(properties: dict[str, str]) -> dict[str, str]:
    out = {}
    for key, value in properties.items():
        key, value = key.strip().lower(), value.strip().replace('"', "").replace(";", "")
        if key in _STYLE_KEYS and value and "url(" not in value and "{" not in value and "}" not in value:
            out[key] = value
    return out


def _rules(selector: str, props: dict[str, str], kind: str) -> list[str]:
    """CSS for one styled group: its shapes, its text, its opacity (`!important`: the shapes' colours are
    themed as inline styles)."""
    shape = {k: v for k, v in props.items() if k in ("fill", "stroke", "stroke-width", "stroke-dasharray")}
    if kind == "edge":
        shape.pop("fill", None)
    rules = []
    if shape:
        body = ";".join(f"{k}:{v} !important" for k, v in shape.items())
        targets = "path" if kind == "edge" else "polygon, ellipse, path"
        rules.append(", ".join(f"{selector} {t}" for t in targets.split(", ")) + f" {{{body}}}")
        if kind == "edge" and "stroke" in shape:
            rules.append(f"{selector} polygon {{fill:{shape['stroke']} !important;stroke:{shape['stroke']} !important}}")
    if "color" in props:
        rules.append(f"{selector} text {{fill:{props['color']} !important}}")
    if "opacity" in props:
        rules.append(f"{selector} {{opacity:{props['opacity']}}}")
    return rules


def apply_styles(svg: str, diagram, link_styles: list[tuple[str, str]]) -> str:
    """The diagram's `style`, `class` and `linkStyle` as a stylesheet on Graphviz's groups."""
    node_props: dict[str, dict[str, str]] = {}
    for node in diagram.nodes:
        for name in node.css_classes:
            if name in diagram.classes:
                node_props.setdefault(node.id, {}).update(_props(diagram.classes[name]))
        if node.inline_style:
            node_props.setdefault(node.id, {}).update(_props(node.inline_style))
    for style in diagram.styles:
        node_props.setdefault(style.target_id, {}).update(_props(style.properties))
    edge_props: dict[int, dict[str, str]] = {}
    count = len(diagram.edges)
    for which, css in link_styles:
        props = _props(dict(p.split(":", 1) for p in css.split(",") if ":" in p))
        numbers = range(count) if which == "default" else \
            [int(n) for n in re.split(r"[,\s]+", which) if n.strip().isdigit()]
        for n in numbers:
            edge_props.setdefault(n, {}).update(props)
    edge_index = -1
    rules: list[str] = []

    def repl(m: re.Match) -> str:
        nonlocal edge_index
        kind, title = m.group(1), html.unescape(m.group(2))
        if kind == "node":
            props = node_props.get(title)
        elif kind == "cluster":
            props = node_props.get(title[len("cluster_"):])
        else:
            edge_index += 1
            props = edge_props.get(edge_index)
        if not props:
            return m.group(0)
        name = f"skst{len(rules)}"
        new_rules = _rules(f".{name}", props, kind)
        if not new_rules:
            return m.group(0)
        rules.extend(new_rules)
        return m.group(0).replace(f'class="{kind}"', f'class="{kind} {name}"', 1)
    svg = _GROUP.sub(repl, svg)
    if rules:
        at = svg.index(">", svg.index("<svg")) + 1
        svg = svg[:at] + "<style>" + html.escape("\n".join(rules), quote=False) + "</style>" + svg[at:]
    return svg
