"""Diagrams as code (slidekit/diagrams): ```mermaid and ```dot fences drawn to inline SVG at build time, in the
HTML and the PDF, themed by the slide, fitted to it, and shown as code with a warning when they cannot be drawn.
The example deck examples/diagrams holds one slide per diagram type."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from rich_helpers import build_example, build_md

# page of examples/diagrams/slides.md -> labels its drawing must show as text, source that must not show
PAGES = {
    2: ("flowchart", ["Dataset", "Prepare", "Train", "Evaluate", "metrics", "Model registry"], ["-->", "classDef"]),
    3: ("sequenceDiagram", ["Client", "API", "POST /predict", "200 prediction", "every call is logged"],
        ["->>", "activate"]),
    4: ("pie", ["Where the time goes", "Data cleaning", "Meetings"], ["pie title", '"Meetings"']),
    5: ("stateDiagram-v2", ["Staging", "Production", "Archived", "approved"], ["[*]"]),
    6: ("classDiagram", ["Model", "Prediction", "returns"], ["class Model {"]),
    7: ("erDiagram", ["EXPERIMENT", "RUN", "METRIC", "produces"], ["||--o{"]),
    8: ("gantt", ["Release plan", "Collect", "Label", "Train"], ["dateFormat", ":a1"]),
    9: ("mindmap", ["MLOps", "Versioning", "Serving"], ["root(("]),
    10: ("gitGraph", ["main", "experiment"], ["checkout"]),
    11: ("dot", ["raw", "prepared", "model", "report", "stats"], ["digraph", "->"]),
    12: ("mermaid (the MLOps guide)", ["WORKSPACE", "CACHE", "prepare.py", "params.yaml"], ["subgraph"]),
}


@pytest.fixture(scope="module")
def example_html():
    return build_example("diagrams", "html").output


@pytest.fixture(scope="module")
def example_pdf():
    result = build_example("diagrams", "pdf")
    assert not [d for d in result.diagnostics if d.code == "bad-diagram"], [str(d) for d in result.diagnostics]
    return result.output


def _pdf_words(pdf: bytes) -> list[tuple[float, float, list[tuple[str, float, float, float, float]]]]:
    """Per page: (width, height, [(word, xmin, ymin, xmax, ymax)]), from poppler's pdftotext -bbox."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "deck.pdf"
        path.write_bytes(pdf)
        out = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True,
                             check=True).stdout
    pages = []
    for m in re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', out, re.S):
        words = [(w[4], float(w[0]), float(w[1]), float(w[2]), float(w[3])) for w in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', m.group(3))]
        pages.append((float(m.group(1)), float(m.group(2)), words))
    return pages


def test_every_diagram_of_the_example_is_inline_svg_without_script(example_html):
    assert example_html.count('class="sk-diagram"') == 12
    for svg in re.findall(r'<svg[^>]*class="sk-diagram".*?</svg>', example_html, re.S):
        assert "<script" not in svg and " on" not in re.sub(r'"[^"]*"', '""', svg)
        assert "javascript:" not in svg
    assert "language-mermaid" not in example_html          # no source shown as code
    ids = re.findall(r'\sid="([^"]+)"', example_html)
    assert len(ids) == len(set(ids))


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
@pytest.mark.parametrize("page", sorted(PAGES))
def test_each_diagram_type_shows_its_labels_as_text_in_the_pdf_inside_the_slide(example_pdf, page):
    kind, labels, source = PAGES[page]
    width, height, words = _pdf_words(example_pdf)[page - 1]
    text = " ".join(w[0] for w in words)
    for label in labels:
        assert label in text, f"{kind}: {label!r} not in the PDF's text of page {page}"
    for fragment in source:
        assert fragment not in text, f"{kind}: source {fragment!r} shown on page {page}"
    footer_top = min(w[2] for w in words if w[0] == "Diagrams")       # the footer's first word
    for word, x0, y0, x1, y1 in words:
        assert 0 <= x0 and x1 <= width and 0 <= y0 and y1 <= height, (kind, word)
        if word in labels:
            assert y1 <= footer_top + 1, f"{kind}: {word!r} runs into the footer"


def test_a_diagram_that_cannot_be_parsed_is_shown_as_code_with_a_warning():
    deck = "# Title\n\n---\n\n## Broken\n\n```mermaid\nflowchart LR\n    A[Start --> B{{\n```\n\nafter\n"
    result = build_md(deck)
    warnings = [d for d in result.diagnostics if d.code == "bad-diagram"]
    assert len(warnings) == 1
    w = warnings[0]
    assert w.slide == 2 and w.line == 9                    # the fence's second line, where merm failed
    assert "Cannot parse" in w.message and "shown as code" in w.message
    assert 'class="sk-diagram"' not in result.output
    assert "A[Start --&gt; B{{" in result.output and "<pre" in result.output
    assert "after" in result.output                       # the build went on


def test_an_unsupported_diagram_type_is_named():
    result = build_md("```mermaid\njourney\n    title My day\n```\n")
    [w] = [d for d in result.diagnostics if d.code == "bad-diagram"]
    assert "'journey' diagrams are not drawn" in w.message


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz not installed")
def test_graphviz_links_images_and_scripts_are_dropped():
    result = build_md('```dot\ndigraph { a [URL="javascript:alert(1)", image="/etc/hostname"]; '
                      'b [href="https://example.com"]; a -> b }\n```\n')
    svg = re.search(r'<svg[^>]*class="sk-diagram".*?</svg>', result.output, re.S).group(0)
    assert "javascript" not in svg and "example.com" not in svg and "<image" not in svg
    assert "/etc/hostname" not in svg and "<a " not in svg


def test_two_diagrams_on_a_slide_have_their_own_ids_and_the_output_is_deterministic():
    fence = "```mermaid\nflowchart LR\n    A --> B\n```\n"
    deck = fence + "\n" + fence + "\n```mermaid\nflowchart LR\n    C --> D\n```\n"
    first = build_md(deck).output
    ids = re.findall(r'<svg[^>]*\sid="([^"]+)"', first)
    assert len(ids) == 3 and len(set(ids)) == 3
    markers = re.findall(r'<marker[^>]*\sid="([^"]+)"', first)
    assert len(markers) == len(set(markers))
    # the drawing's rules are scoped to it
    for style in re.findall(r"<style>(.*?)</style>", first.split("sk-diagram", 1)[1], re.S)[:3]:
        assert all(rule.strip().startswith("#sk-dg-") for rule in re.findall(r"(?:^|})\s*([^{}]+)\{", style)
                   if rule.strip())
    assert build_md(deck).output == first


def test_fence_size_option_sets_the_width_and_keeps_the_ratio():
    html = build_md("```mermaid w:600\nflowchart LR\n    A --> B\n```\n").output
    style = re.search(r'<svg[^>]*class="sk-diagram"[^>]*style="([^"]*)"', html).group(1)
    assert style.startswith("width:600px;height:") and "max-width:100%" in style


def test_diagrams_follow_the_slide_colours():
    html = build_md("```mermaid\nflowchart LR\n    A --> B\n```\n").output
    svg = re.search(r'<svg[^>]*class="sk-diagram".*?</svg>', html, re.S).group(0)
    assert "#9370DB" not in svg and "#ECECFF" not in svg and "trebuchet" not in svg
    assert "var(--color-highlight, currentColor)" in svg and "currentColor" in svg


def test_weasyprint_gets_the_theme_values_and_font_written_into_the_svg():
    import xml.etree.ElementTree as ET
    import tinycss2
    from slidekit.diagrams.pdf_style import resolve_diagram_style

    svg = ET.fromstring('<svg xmlns="http://www.w3.org/2000/svg" class="sk-diagram"><style>#x rect '
                        '{ fill: var(--color-highlight, currentColor) }</style>'
                        '<rect style="stroke:var(--color-background, #fff)"/></svg>')
    style = {"__color_highlight": tinycss2.parse_component_value_list("#0288d1"), "font_family": ("Lato",)}
    resolve_diagram_style(svg, style)
    assert "fill: #0288d1" in svg[0].text
    assert svg[1].get("style") == "stroke:#fff"
    assert svg.get("font-family") == "Lato"


def test_a_rebuild_draws_only_changed_diagrams(monkeypatch, tmp_path):
    import slidekit.diagrams as diagrams

    monkeypatch.setenv("SLIDEKIT_CACHE_DIR", str(tmp_path))
    drawn = []
    real = diagrams._draw_now
    monkeypatch.setattr(diagrams, "_draw_now", lambda engine, code: drawn.append(code) or real(engine, code))
    deck = "```mermaid\nflowchart LR\n    A --> B\n```\n\n---\n\n```mermaid\npie\n    \"a\" : 1\n```\n"
    diagrams.draw.cache_clear()
    build_md(deck)
    assert len(drawn) == 2
    diagrams.draw.cache_clear()                  # a new process: only the disk cache remains
    build_md(deck.replace("A --> B", "A --> C"))
    assert drawn[2:] == ["flowchart LR\n    A --> C\n"]


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz not installed")
def test_a_flowchart_with_subgraphs_is_laid_out_by_graphviz_with_its_styles():
    deck = ("```mermaid\nflowchart TB\n    outer <-.-> db[(.dvc)]\n    subgraph outer[WORKSPACE]\n"
            "        a[prepare.py] --> b[train.py]\n    end\n    style a opacity:0.4\n    linkStyle 1 stroke:#f00\n```\n")
    html = build_md(deck).output
    svg = re.search(r'<svg[^>]*class="sk-diagram".*?</svg>', html, re.S).group(0)
    assert 'class="cluster"' in svg and "WORKSPACE" in svg
    assert ">outer<" not in svg                       # the subgraph named before it is defined: no extra node
    assert re.search(r"\.skst\d+ \{opacity:0\.4\}", svg) and "stroke:#f00 !important" in svg


def test_an_arrow_written_against_its_nodes_is_drawn():
    # `A-->B` is the most common way of writing an edge (GitHub's own docs); merm 0.1.5 reads only `A --> B`
    from slidekit.diagrams.mermaid import draw_mermaid

    svg = draw_mermaid("graph TD;\n    A-->B;\n    A-->C;\n    B==>D[a-->b];\n    C-.->D;\n")
    assert len(re.findall(r'<g class="edge"', svg)) == 4
    assert ">a-->b<" in svg.replace("&gt;", ">")      # an arrow inside a label is the label's text


def test_gantt_tasks_are_scheduled_as_mermaid_does():
    # no start: after the previous task; `after a b`: at the latest end; 1w is 7 days, 24h one day, an end
    # date instead of a duration; axisFormat (which merm 0.1.5 would take for a task) is left out
    from slidekit.diagrams.mermaid import draw_mermaid

    svg = draw_mermaid("gantt\n    dateFormat YYYY-MM-DD\n    axisFormat %d/%m\n    section Build\n"
                       "    Design :a, 2024-01-01, 1w\n    Test :2d\n    Review :b, 2024-01-02, 2024-01-05\n"
                       "    Ship :crit, after b a, 24h\n")
    bars = [(float(x), float(w)) for x, w in re.findall(r'<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"[^>]*rx=', svg)]
    (design_x, design_w), (test_x, test_w), (review_x, review_w), (ship_x, ship_w) = bars
    day = design_w / 7                              # the SVG's numbers have 2 decimals
    assert test_x == pytest.approx(design_x + design_w, abs=0.1) and test_w == pytest.approx(2 * day, abs=0.1)
    assert review_x == pytest.approx(design_x + day, abs=0.1) and review_w == pytest.approx(3 * day, abs=0.1)
    # Ship is after b and a: a ends later
    assert ship_x == pytest.approx(design_x + design_w, abs=0.1) and ship_w == pytest.approx(day, abs=0.1)
    assert all(label in svg for label in ("Design", "Test", "Review", "Ship"))


def test_a_gantt_chart_timed_within_a_day_is_refused_with_its_reason():
    from slidekit.diagrams.mermaid import MermaidError, draw_mermaid

    with pytest.raises(MermaidError, match="dateFormat HH:mm"):
        draw_mermaid("gantt\n    dateFormat HH:mm\n    Start : 17:49, 2min\n")


def test_a_flag_shaped_node_is_drawn_as_a_rectangle_and_labels_keep_their_arrows():
    # merm 0.1.5 has no asymmetric (flag) shape `id>label]`; mermaid.js's examples use it
    from slidekit.diagrams.mermaid import draw_mermaid

    svg = draw_mermaid("graph LR\n    od>Odd shape]-->ro[x>y]\n")
    assert "Odd shape" in svg and re.search(r">x(&gt;|>)y<", svg)   # a > inside a label stays text
    assert len(re.findall(r'<g class="edge"', svg)) == 1
