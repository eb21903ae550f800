"""export/pptx_paint.py: what a laid-out slide paints, said as PowerPoint fills and rectangles, or None where
only a drawing can say it. Small HTML laid out by WeasyPrint in, the description out."""

from __future__ import annotations

import pytest

from slidekit.export.pptx_paint import _spread, describe_paint

PAGE = "@page { size: 400px 300px; margin: 0 } body { margin: 0 } section { height: 300px; background: white }"


def _paint(css: str, body: str):
    from weasyprint import HTML
    document = HTML(string=f"<style>{PAGE} {css}</style><section>{body}</section>").render()
    root = document.pages[0]._page_box

    def find(box):
        if getattr(box, "element_tag", None) == "section":
            return box
        for child in getattr(box, "children", ()):
            found = find(child)
            if found is not None:
                return found
        return None
    return describe_paint(find(root), set(), set())


def test_text_alone_is_the_section_colour():
    assert _paint("section { background: #123456 }", "<p>Text <b>bold</b></p>") == (("solid", (18, 52, 86), 1.0), [])
    # a translucent section over the page, white as a PDF viewer shows it
    assert _paint("section { background: rgba(0, 0, 0, .5) }", "")[0] == ("solid", (128, 128, 128), 1.0)


def test_a_faint_gradient_is_the_colour_and_a_strong_one_a_gradient():
    faint = "section { background: #fff8e1 linear-gradient(135deg, rgba(136,136,136,0), rgba(136,136,136,.02)) }"
    assert _paint(faint, "<p>x</p>")[0] == ("solid", (255, 248, 225), 1.0)
    fill, _ = _paint("section { background: #000 linear-gradient(to bottom, red, rgba(0, 0, 255, .5) 30%, lime) }",
                     "<p>x</p>")
    # to bottom: PowerPoint's 90 degrees; the translucent stop laid over the black under it
    assert fill == ("gradient", 90.0, False, ((0.0, (255, 0, 0), 1.0), (0.3, (0, 0, 128), 1.0),
                                              (1.0, (0, 255, 0), 1.0)))


@pytest.mark.parametrize("direction, angle, scaled", [
    ("to right", 0.0, False), ("to left", 180.0, False), ("to top", 270.0, False), ("45deg", 315.0, False),
    ("to bottom right", 45, True), ("to top left", 225, True),
])
def test_gradient_directions(direction, angle, scaled):
    fill, _ = _paint(f"section {{ background: linear-gradient({direction}, black, white) }}", "")
    assert fill[1:3] == (angle, scaled)


def test_stops_without_positions_are_spread_as_css_says():
    assert _spread([None, None, None]) == [0.0, 0.5, 1.0]
    assert _spread([None, 0.2, None, None, 0.8, None]) == pytest.approx([0.0, 0.2, 0.4, 0.6, 0.8, 1.0])
    assert _spread([0.5, 0.3, None]) == [0.5, 0.5, 1.0]          # never before the stop ahead of it


def test_boxes_fills_borders_and_corners():
    css = ("div { background: #eee; border-radius: 6px; margin: 10px; padding: 5px } "
           "blockquote { border-left: 4px solid #888; margin: 10px; padding-left: 10px } "
           "p.box { border: 2px solid rgb(255, 0, 0); margin: 10px }")
    fill, shapes = _paint(css, "<div>code</div><blockquote>quote</blockquote><p class=box>boxed</p>")
    assert fill == ("solid", (255, 255, 255), 1.0)
    names = [s[0] for s in shapes]
    assert names == ["Box fill", "Quote fill border", "Box fill"]
    code, rule, boxed = shapes
    assert code[2] == ("solid", (238, 238, 238), 1.0) and code[3] == 6.0 and code[4] is None
    assert rule[1][2] == 4 and rule[2] == ("solid", (136, 136, 136), 1.0)        # a 4px strip on the left
    # one uniform border: the outline, centred on the border's middle as PowerPoint draws a line
    assert boxed[2] is None and boxed[4] == (2, (255, 0, 0), 1.0)
    assert boxed[1][0] == pytest.approx(11.0)


def test_inline_code_tint_keeps_its_alpha():
    _, shapes = _paint("code { background: rgba(0, 0, 0, .25); border-radius: 3px }", "<p>a <code>b</code></p>")
    assert [(s[0], s[2], s[3]) for s in shapes] == [("Code fill", ("solid", (0, 0, 0), 0.25), 3.0)]


@pytest.mark.parametrize("css, body", [
    ("div { background: red; box-shadow: 2px 2px 4px black }", "<div>x</div>"),
    ("div { border: 2px dashed red }", "<div>x</div>"),
    ("div { background: red; border-radius: 2px 8px }", "<div>x</div>"),
    ("div { background: radial-gradient(red, blue) }", "<div>x</div>"),
    ("div { background: linear-gradient(red, blue), linear-gradient(green, blue) }", "<div>x</div>"),
    ("div { background: red; opacity: .5 }", "<div>x</div>"),
    ("div { background: red; transform: rotate(10deg) }", "<div>x</div>"),
    ("div { overflow: hidden; height: 20px } p { background: red; height: 50px }", "<div><p>x</p></div>"),
    ("td { border: 1px dashed black }", "<table><tr><td>x</td></tr></table>"),
    ("table { border-collapse: collapse } td { border: 1px dotted black }", "<table><tr><td>x</td></tr></table>"),
    ("col { background: red }", "<table><col><tr><td>x</td></tr></table>"),
    ("td { background: red }", "<table><tr><td colspan=2>x</td></tr><tr><td>a</td><td>b</td></tr></table>"),
    ("div { background: red; position: absolute; top: 0 }", "<div>over</div><p>text under</p>"),
    ("section { background: url(data:image/gif;base64,R0lGODlhAQABAAAAACw=) }", "<p>x</p>"),
    ("section { border: 3px dotted red }", "<p>x</p>"),
])
def test_what_no_rectangle_can_say_is_left_to_the_drawing(css, body):
    assert _paint(css, body) is None


def test_a_positioned_box_over_nothing_else_is_a_rectangle():
    fill, shapes = _paint("div { background: red; position: absolute; bottom: 0; left: 0; width: 50px }",
                          "<p>text</p><div>corner</div>")
    assert [s[0] for s in shapes] == ["Box fill"]


def test_a_tables_fills_then_its_collapsed_rules():
    # GitHub's table as marp-core's default theme draws it: collapsed 1px rules, a header fill, every other
    # row tinted. Fills first (rows, then cells), then the rules of the collapsed grid, a strip a line.
    css = ("table { border-collapse: collapse } th, td { border: 1px solid #d0d7de; padding: 6px 13px } "
           "tr:nth-child(2n) { background: #f6f8fa } th { background: #eeeeee }")
    body = ("<table><thead><tr><th>a</th><th>b</th></tr></thead><tbody><tr><td>1</td><td>2</td></tr>"
            "<tr><td>3</td><td>4</td></tr></tbody></table>")
    _, shapes = _paint(css, body)
    names = [s[0] for s in shapes]
    fills, rules = names[:names.index("Table rule")], names[names.index("Table rule"):]
    assert fills == ["Table fill"] * 3 and set(rules) == {"Table rule"}
    assert len(rules) == 3 + 4          # three vertical lines, four horizontal, each one strip
    colours = {s[2] for s in shapes[len(fills):]}
    assert colours == {("solid", (208, 215, 222), 1.0)}
    vertical = [s[1] for s in shapes[len(fills):] if s[1][2] < s[1][3]]
    assert all(r[2] == pytest.approx(1.0) for r in vertical)
    top = min(r[1] for r in vertical)
    bottom = max(r[1] + r[3] for r in vertical)
    horizontal = sorted(s[1][1] for s in shapes[len(fills):] if s[1][2] > s[1][3])
    assert top == pytest.approx(horizontal[0]) and bottom == pytest.approx(horizontal[-1] + 1.0)


def test_a_table_with_separate_borders_draws_each_cells_own():
    _, shapes = _paint("td { border: 2px solid rgb(0, 0, 255) }", "<table><tr><td>x</td><td>y</td></tr></table>")
    assert [(s[0], s[4]) for s in shapes] == [("Table fill", (2, (0, 0, 255), 1.0))] * 2


def test_a_transparent_stop_fades_its_neighbours_colour():
    # CSS blends premultiplied: red to transparent fades red out. PowerPoint blends the stops' colours as they
    # are, so the transparent stop takes its neighbour's colour at alpha 0 (not black, which would darken).
    _, shapes = _paint("div { height: 50px; background: linear-gradient(red, transparent) }", "<div></div>")
    assert shapes[0][2] == ("gradient", 90.0, False, ((0.0, (255, 0, 0), 1.0), (1.0, (255, 0, 0), 0.0)))
