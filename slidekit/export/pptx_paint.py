"""What a slide paints besides its text and pictures, said as PowerPoint fills and rectangles (--pptx).

`describe_paint` reads a laid-out section (WeasyPrint's boxes, in the process that laid it out) and answers in
plain data, or None where the page must be drawn instead (export/pptx.py's background rule):
- the section's fill: its colour, or one linear gradient over it (a deck's `backgroundImage`), as a solid or
  gradient background (a gradient that stays within the flat tolerance of the colour, as gaia's, is the colour);
- every other box that paints (a code block's fill, inline code's tint, a quote's rule, a heading's line, a
  translucent band behind a title) as a rectangle behind the text: its colour or linear gradient, its uniform
  border as the outline (rounded corners as a rounded rectangle), single borders as thin filled rectangles;
  a table's fills, then its rules (with collapsed borders, read from WeasyPrint's collapsed grid).
Anything a rectangle cannot say faithfully leaves the slide to the drawing: shadows, outlines, dashed or
double borders, uneven corners, radial or several gradients, opacity, transforms, column backgrounds,
spanning cells, a clipped box, a painted box over a picture, or a positioned one over anything outside it.

`add_paint` writes that description into a python-pptx slide."""

from __future__ import annotations

import math

FLAT_TOLERANCE = 10         # per channel, 0-255: how far a colour may be and count as the background's (pptx.py too)


def _rgba(value):
    """((r, g, b) 0-255, alpha 0-1) of a computed CSS colour, or None for a transparent one."""
    try:
        alpha = float(value.alpha)
        if alpha <= 0:
            return None
        r, g, b = value.to("srgb").coordinates[:3]
        return tuple(max(0, min(255, round(c * 255))) for c in (r, g, b)), alpha
    except (AttributeError, TypeError, ValueError):
        return None


def _over(colour, alpha, under):
    """`colour` at `alpha` laid over the opaque `under`."""
    return tuple(round(alpha * c + (1 - alpha) * u) for c, u in zip(colour, under))


def _gradient(value, width: float, height: float, under=None):
    """A WeasyPrint linear gradient as ("gradient", PowerPoint angle in degrees, scaled, ((position 0-1,
    (r, g, b), alpha), ...)), its stops laid over the opaque `under` when given; None for what PowerPoint's
    linear fill cannot say (repeating, colour hints, stops in font units)."""
    from weasyprint.images import LinearGradient
    if not isinstance(value, LinearGradient) or value.repeating:
        return None
    if any(h is None or (h.unit, h.value) != ("%", 50) for h in value.color_hints or ()):
        return None
    if value.direction_type == "corner":
        # "to bottom right": the line that crosses the other two corners, PowerPoint's scaled angle
        corner = {"bottom_right": 45, "bottom_left": 135, "top_left": 225, "top_right": 315}.get(value.direction)
        if corner is None:
            return None
        angle, scaled = corner, True
        length = 2 * width * height / math.hypot(width, height) if width and height else 0
    else:
        # CSS: 0 upwards, clockwise; PowerPoint: 0 left to right, clockwise
        angle, scaled = (math.degrees(value.direction) - 90) % 360, False
        length = abs(width * math.sin(value.direction)) + abs(height * math.cos(value.direction))
    positions = []
    for position in value.stop_positions:
        if position is None:
            positions.append(None)
        elif position.unit == "%":
            positions.append(position.value / 100)
        elif position.unit == "px" and length > 0:
            positions.append(position.value / length)
        else:
            return None
    positions = _spread(positions)
    colours = [_rgba(colour) for colour in value.colors]
    stops = []
    for index, (rgba, position) in enumerate(zip(colours, positions)):
        if rgba is None:
            # transparent: the nearest stop's colour at alpha 0, so that PowerPoint (which does not blend
            # premultiplied, as CSS does) fades that colour out rather than through black
            near = sorted((abs(n - index), c) for n, c in enumerate(colours) if c is not None)
            rgb, alpha = (near[0][1][0] if near else (0, 0, 0)), 0.0
        else:
            rgb, alpha = rgba
        if under is not None:
            rgb, alpha = _over(rgb, alpha, under), 1.0
        stops.append((min(1.0, max(0.0, position)), rgb, alpha))
    return ("gradient", round(angle, 3), scaled, tuple(stops))


def _spread(positions: list) -> list:
    """CSS's rules for stops without a position: the first at 0, the last at 1, the others evenly between
    their neighbours; and no stop before the one ahead of it."""
    if not positions:
        return positions
    positions = list(positions)
    if positions[0] is None:
        positions[0] = 0.0
    if positions[-1] is None:
        positions[-1] = 1.0
    highest = positions[0]
    for index, position in enumerate(positions):
        if position is not None:
            highest = positions[index] = max(highest, position)
    index = 0
    while index < len(positions):
        if positions[index] is None:
            end = index
            while positions[end] is None:
                end += 1
            start, step = positions[index - 1], (positions[end] - positions[index - 1]) / (end - index + 1)
            for n in range(index, end):
                positions[n] = start + step * (n - index + 1)
            index = end
        index += 1
    return positions


def _faint(layers, colour) -> bool:
    """Whether background layers draw nothing farther than FLAT_TOLERANCE from the opaque `colour`: none, or
    gradients whose stops, laid over it, stay that close."""
    from weasyprint.images import Gradient
    for kind, value in layers:
        if kind == "none":
            continue
        if not isinstance(value, Gradient):
            return False
        for stop in value.colors:
            rgba = _rgba(stop)
            if rgba is not None and any(rgba[1] * abs(c - b) > FLAT_TOLERANCE for c, b in zip(rgba[0], colour)):
                return False
    return True


def _section_fill(section):
    style = section.style
    # under a transparent or translucent section is the page, white as a PDF viewer shows it
    rgba = _rgba(style["background_color"])
    colour = (255, 255, 255) if rgba is None else _over(rgba[0], rgba[1], (255, 255, 255))
    layers = [(kind, value) for kind, value in style["background_image"] if kind != "none"]
    if _faint(layers, colour):
        return ("solid", colour, 1.0)
    if len(layers) != 1 or not _whole_area(section):
        return None
    width, height = section.padding_width(), section.padding_height()
    return _gradient(layers[0][1], width, height, under=colour)


def _whole_area(box) -> bool:
    """Whether the box's one background image is sized and placed to fill its area (CSS's defaults)."""
    style = box.style
    sizes, positions = style["background_size"], style["background_position"]
    filling = (("auto", "auto"), "cover", "contain", ("cover",), ("contain",))
    if len(style["background_image"]) != 1 or len(sizes) != 1 or sizes[0] not in filling:
        return False
    _, x, _, y = positions[0]
    return x.value == 0 and y.value == 0 and style["background_origin"][0] == "padding-box"


def _box_fill(box):
    """A box's background as a fill (solid or gradient), "" where it paints none, None where no fill can
    say it."""
    if getattr(box, "background", False) is None:
        return ""       # (WeasyPrint found nothing to draw: no colour, no image it could read, no shadow)
    style = box.style
    rgba = _rgba(style["background_color"])
    layers = [(kind, value) for kind, value in style["background_image"] if kind != "none"]
    if not layers:
        return "" if rgba is None else ("solid", rgba[0], rgba[1])
    if len(layers) != 1 or not _whole_area(box):
        return None
    under = rgba[0] if rgba is not None and rgba[1] >= 1 else None
    if rgba is not None and under is None:
        return None
    return _gradient(layers[0][1], box.padding_width(), box.padding_height(), under=under)


def _clip_rect(box):
    clip = box.style["background_clip"][-1]
    if clip == "content-box":
        return (box.content_box_x(), box.content_box_y(), box.width, box.height)
    if clip == "padding-box":
        return (box.padding_box_x(), box.padding_box_y(), box.padding_width(), box.padding_height())
    return (box.border_box_x(), box.border_box_y(), box.border_width(), box.border_height())


def _radius(box):
    """The box's one corner radius (px), 0 for square corners, None for corners that differ."""
    corners = box.rounded_border_box()[4:]
    values = {round(v, 2) for corner in corners for v in corner}
    if len(values) != 1:
        return None
    return values.pop()


def _borders(box):
    """[(side, width, (rgb, alpha))] of the box's drawn borders; None for one a rectangle cannot draw."""
    style = box.style
    found = []
    for side in ("top", "right", "bottom", "left"):
        width = getattr(box, f"border_{side}_width", 0) or 0
        if width <= 0:
            continue
        if style[f"border_{side}_style"] != "solid":
            return None
        rgba = _rgba(style[f"border_{side}_color"])
        if rgba is not None:
            found.append((side, width, rgba))
    return found


def real_box(box):
    """The box itself (WeasyPrint wraps some boxes in placeholders)."""
    return getattr(box, "_box", box)


def box_children(box):
    return [real_box(c) for c in getattr(box, "children", ()) or ()]


def is_visible(box) -> bool:
    return box.style["visibility"] == "visible" and box.style["opacity"] > 0 and box.style["display"] != "none"


def box_paints(box) -> bool:
    """A border, an outline, a shadow or a column rule."""
    borders = (getattr(box, f"border_{side}_width", 0) or 0 for side in ("top", "right", "bottom", "left"))
    return any(width > 0 for width in borders) or _effects(box.style)


def _effects(style) -> bool:
    """A shadow, an outline or a column rule: what no rectangle draws."""
    return (style["box_shadow"] not in ((), "none", None)
            or (style["outline_width"] > 0 and style["outline_style"] not in ("none", "hidden"))
            or (style["column_rule_width"] > 0 and style["column_rule_style"] not in ("none", "hidden")))


def _box_paint(box, name: str):
    """The rectangles (name, rect px, fill, radius px, outline) that draw the box's background and border;
    [] for a box that paints nothing, None for one they cannot draw."""
    if _effects(box.style):
        return None
    fill = _box_fill(box)
    borders = _borders(box)
    if fill is None or borders is None:
        return None
    if not fill and not borders:
        return []
    radius = _radius(box)
    if radius is None:
        return None
    rect = (box.border_box_x(), box.border_box_y(), box.border_width(), box.border_height())
    widths = {w for _, w, _ in borders}
    colours = {c for _, _, c in borders}
    if len(borders) == 4 and len(widths) == 1 and len(colours) == 1:
        # one outline, centred on the border's middle as PowerPoint draws lines
        width = widths.pop()
        x, y, w, h = rect
        inner = (x + width / 2, y + width / 2, w - width, h - width)
        return [(name, inner, fill or None, max(0.0, radius - width / 2), (width, *colours.pop()))]
    if radius and borders:
        return None
    out = [(name, _clip_rect(box), fill, radius, None)] if fill else []
    x, y, w, h = rect
    for side, width, (rgb, alpha) in borders:
        strip = {"top": (x, y, w, width), "bottom": (x, y + h - width, w, width),
                 "left": (x, y, width, h), "right": (x + w - width, y, width, h)}[side]
        out.append((f"{name} border", strip, ("solid", rgb, alpha), 0.0, None))
    return out


def _inside(rect, clip) -> bool:
    x, y, w, h = rect
    cx, cy, cw, ch = clip
    return x >= cx - 0.5 and y >= cy - 0.5 and x + w <= cx + cw + 0.5 and y + h <= cy + ch + 0.5


def _crossing(a, b) -> bool:
    """Whether two rectangles (px) share more than a sliver."""
    return (min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]) > 0.5
            and min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]) > 0.5)


def _name(box) -> str:
    tag = box.element_tag or ""
    return {"pre": "Code block fill", "code": "Code fill", "blockquote": "Quote fill", "hr": "Rule",
            "mark": "Highlight"}.get(tag, "Box fill")


def _table_parts() -> tuple:
    from weasyprint.formatting_structure import boxes as wboxes
    return (wboxes.TableRowGroupBox, wboxes.TableRowBox, wboxes.TableCellBox, wboxes.TableColumnGroupBox,
            wboxes.TableColumnBox)


def describe_paint(section, pictures: set, backdrops: set):
    """(the section's fill, [(name, rect px, fill, radius px, outline), ...] in painting order) when that is
    all the slide draws besides its text and pictures; None where the page must be drawn. `pictures`: ids of
    the boxes that are pictures (not walked), `backdrops` those of them that lie behind everything."""
    from weasyprint.formatting_structure import boxes as wboxes
    table_parts = _table_parts()
    section_fill = _section_fill(section)
    if section_fill is None:
        return None
    if box_paints(section):
        return None
    painted: list = []          # (rect, the painting entries' ancestry ids, positioned)
    others: list = []           # text and pictures: (rect, ids of their painted ancestors, is picture)
    shapes: list = []

    def walk(box, ancestry: tuple, clip, plain: bool) -> bool:
        """False where the slide cannot be said with fills (the walk stops)."""
        for child in box_children(box):
            if not isinstance(child, wboxes.Box):
                continue
            if id(child) in pictures:
                if id(child) not in backdrops:
                    others.append((_border_rect(child), ancestry, True))
                continue
            if isinstance(child, wboxes.TextBox) or (child.element_tag or "").endswith("::marker"):
                # (a list's marker is text in the PPTX, a disc drawn as an image in the PDF included)
                others.append((_border_rect(child), ancestry, False))
                continue
            if isinstance(child, wboxes.LineBox):
                if not walk(child, ancestry, clip, plain):
                    return False
                continue
            if isinstance(child, wboxes.ReplacedBox):
                return False
            style = child.style
            child_plain = plain and style["opacity"] >= 1 and not style["transform"]
            if isinstance(child, table_parts):
                entries = []                    # (its fill and borders came with its table's)
            elif isinstance(child, (wboxes.TableBox, wboxes.InlineTableBox)):
                entries = _table_paint(child) if is_visible(child) else []
            else:
                entries = _box_paint(child, _name(child)) if is_visible(child) else []
            if entries is None:
                return False
            inner = ancestry
            if entries:
                if not child_plain:
                    return False
                for entry in entries:
                    if clip is not None and not _inside(entry[1], clip):
                        return False
                painted.append((_border_rect(child), ancestry, style["position"] != "static"
                                or style["float"] != "none"))
                inner = ancestry + (len(painted) - 1,)
                shapes.extend(entries)
            child_clip = clip
            if style["overflow"] != "visible" and not isinstance(child, wboxes.InlineBox):
                own = (child.padding_box_x(), child.padding_box_y(), child.padding_width(), child.padding_height())
                child_clip = own if clip is None else _intersect(clip, own)
                if child_clip is None:
                    continue
            if not walk(child, inner, child_clip, child_plain):
                return False
        return True

    if not walk(section, (), None, True):
        return None
    for index, (rect, ancestry, positioned) in enumerate(painted):
        for other_rect, other_ancestry, is_picture in others:
            if index in other_ancestry or not _crossing(rect, other_rect):
                continue
            if is_picture or positioned:     # a paint over a picture, or a positioned box over text
                return None
        if positioned:
            for other, (other_rect, other_ancestry, _) in enumerate(painted):
                if other != index and other not in ancestry and index not in other_ancestry \
                        and _crossing(rect, other_rect):
                    return None
    return section_fill, shapes


def _table_paint(table):
    """A table's rectangles: its own, its row groups', rows' and cells' fills in that order, then with
    collapsed borders the rules of WeasyPrint's collapsed grid, a strip a run of equal segments. None where
    rectangles cannot say it: columns with a background, spanning cells, a table broken across pages,
    borders not solid."""
    from weasyprint.formatting_structure import boxes as wboxes
    if any(_paints_anything(group) for group in getattr(table, "column_groups", ()) or ()):
        return None
    collapsed = table.style["border_collapse"] == "collapse"
    parts = [table] + [box for group in box_children(table) for box in [group] + [
        row_or_cell for row in box_children(group) for row_or_cell in [row] + box_children(row)]]
    entries = []
    for box in parts:
        if isinstance(box, wboxes.TableCellBox) and (box.colspan != 1 or box.rowspan != 1):
            return None
        if not is_visible(box):
            continue
        if not collapsed:
            found = _box_paint(box, "Table fill")
            if found is None:
                return None
            entries.extend(found)
            continue
        fill = _box_fill(box)
        if fill is None or (fill and _radius(box)):
            return None
        if fill:
            entries.append(("Table fill", _clip_rect(box), fill, 0.0, None))
    if collapsed:
        rules = _collapsed_rules(table)
        if rules is None:
            return None
        entries.extend(rules)
    return entries


def _collapsed_rules(table):
    """The strips WeasyPrint's `draw_collapsed_borders` draws for a table laid out whole on its page."""
    rows = [row for group in box_children(table) for row in box_children(group)]
    widths, positions = list(table.column_widths or ()), list(table.column_positions or ())
    grid = getattr(table, "collapsed_border_grid", None)
    if not rows or not widths or grid is None:
        return [] if grid is not None else None
    vertical, horizontal = grid
    if table.skipped_rows or len(vertical) != len(rows) or len(horizontal) != len(rows) + 1:
        return None
    xs = positions + [positions[-1] + widths[-1]]
    ys = [row.position_y for row in rows] + [rows[-1].position_y + rows[-1].height]

    def line(cell):
        _, (style, width, colour) = cell
        if width == 0 or style in ("none", "hidden"):
            return None
        rgba = _rgba(colour)
        if rgba is None:
            return None
        if style != "solid":
            raise ValueError(style)
        return width, rgba

    def half(cells):
        return max((cell[1][1] for cell in cells), default=0) / 2

    strips = []
    try:
        for x in range(len(xs)):         # vertical rules, from top to bottom
            crossing = [[horizontal[y][c] for c in (x - 1, x) if 0 <= c < len(widths)] for y in range(len(ys))]
            segments = [(line(vertical[y][x]), ys[y] - half(crossing[y]), ys[y + 1] + half(crossing[y + 1]))
                        for y in range(len(rows))]
            strips.extend(("vertical", xs[x], run) for run in _joined(segments))
        for y in range(len(ys)):         # horizontal rules, from left to right
            crossing = [[vertical[r][x] for r in (y - 1, y) if 0 <= r < len(rows)] for x in range(len(xs))]
            segments = [(line(horizontal[y][x]), xs[x] - half(crossing[x]), xs[x + 1] + half(crossing[x + 1]))
                        for x in range(len(widths))]
            strips.extend(("horizontal", ys[y], run) for run in _joined(segments))
    except ValueError:          # dashed, dotted, double... rules
        return None
    entries = []
    for direction, at, ((width, (rgb, alpha)), start, end) in strips:
        rect = (at - width / 2, start, width, end - start) if direction == "vertical" \
            else (start, at - width / 2, end - start, width)
        entries.append(("Table rule", rect, ("solid", rgb, alpha), 0.0, None))
    return entries


def _joined(segments):
    """Runs of (line, start, end) segments in order: one run where the same line goes on, none where there
    is no line."""
    run = None
    for found, start, end in segments:
        if run is not None and found == run[0] and abs(start - run[2]) < 1.5:
            run[2] = end
            continue
        if run is not None and run[0] is not None:
            yield tuple(run)
        run = [found, start, end]
    if run is not None and run[0] is not None:
        yield tuple(run)


def _paints_anything(box) -> bool:
    style = box.style
    if box_paints(box) or style["background_color"].alpha > 0 \
            or any(kind != "none" for kind, _ in style["background_image"]):
        return True
    return any(_paints_anything(child) for child in box_children(box) if hasattr(child, "style"))


def _border_rect(box):
    return (box.border_box_x(), box.border_box_y(), box.border_width(), box.border_height())


def _intersect(a, b):
    x0, y0 = max(a[0], b[0]), max(a[1], b[1])
    x1, y1 = min(a[0] + a[2], b[0] + b[2]), min(a[1] + a[3], b[1] + b[3])
    return (x0, y0, x1 - x0, y1 - y0) if x1 > x0 and y1 > y0 else None


# writing it -------------------------------------------------------------------------------------------------

EMU_PER_PX = 12700 * 0.75
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_P = "http://schemas.openxmlformats.org/presentationml/2006/main"


def _colour_xml(rgb, alpha) -> str:
    hex_ = "".join(f"{c:02X}" for c in rgb)
    inner = f'<a:alpha val="{round(alpha * 100000)}"/>' if alpha < 1 else ""
    return f'<a:srgbClr val="{hex_}">{inner}</a:srgbClr>'


def _fill_xml(fill) -> str:
    if fill[0] == "solid":
        return f'<a:solidFill xmlns:a="{_A}">{_colour_xml(fill[1], fill[2])}</a:solidFill>'
    _, angle, scaled, stops = fill
    stops_xml = "".join(f'<a:gs pos="{round(p * 100000)}">{_colour_xml(rgb, a)}</a:gs>' for p, rgb, a in stops)
    return (f'<a:gradFill xmlns:a="{_A}" rotWithShape="1"><a:gsLst>{stops_xml}</a:gsLst>'
            f'<a:lin ang="{round(angle * 60000) % 21600000}" scaled="{1 if scaled else 0}"/></a:gradFill>')


def _set_fill(fill_format, fill):
    """Replace a python-pptx FillFormat's fill element by `fill`'s."""
    from pptx.oxml import parse_xml
    fill_format.solid()         # (creates the element to replace, where the fill was inherited)
    current = fill_format._fill._solidFill
    current.getparent().replace(current, parse_xml(_fill_xml(fill)))


def add_paint(page, paint, clamp) -> list:
    """Give the python-pptx slide `page` the described section fill and add its rectangles; return the
    rectangles' elements, in painting order (the caller sets them behind the text). `clamp` keeps a
    rectangle (px) on the slide."""
    section_fill, rectangles = paint
    _set_fill(page.background.fill, section_fill)
    elements = []
    for name, rect, fill, radius, outline in rectangles:
        shown = clamp(rect)
        if shown is not None:
            elements.append(_add_rectangle(page.shapes, name, shown, fill, radius, outline))
    return elements


def add_copy(shapes, prototype, name: str, rect_emu: tuple[int, int, int, int]):
    """A copy of the `p:sp` element `prototype` added to the slide's `shapes` with the next shape id, `name`,
    and the place and size `rect_emu`: how text boxes and rectangles are added without python-pptx parsing
    its template and finding each child's place for every one. Returns the element."""
    import copy
    element = copy.deepcopy(prototype)
    names = element.find(f"{{{_P}}}nvSpPr/{{{_P}}}cNvPr")
    names.set("id", str(shapes._next_shape_id))
    names.set("name", name)
    place, extent = element.find(f"{{{_P}}}spPr/{{{_A}}}xfrm")
    x, y, cx, cy = rect_emu
    place.set("x", str(x))
    place.set("y", str(y))
    extent.set("cx", str(cx))
    extent.set("cy", str(cy))
    shapes._spTree.insert_element_before(element, "p:extLst")
    return element


_RECTANGLES: dict = {}      # a preset geometry -> python-pptx's new auto shape of it, its theme style taken off


def _add_rectangle(shapes, name: str, rect: tuple, fill, radius: float, outline):
    """Add to the slide's `shapes` the `p:sp` that python-pptx's add_shape and its name, adjustment, fill and
    line properties write, in their order, built directly (through those properties it was most of painting a
    slide's fills). Returns the element."""
    from pptx.oxml import parse_xml
    from pptx.oxml.shapes.autoshape import CT_Shape
    from pptx.oxml.xmlchemy import OxmlElement
    geometry = "roundRect" if radius > 0 else "rect"
    prototype = _RECTANGLES.get(geometry)
    if prototype is None:
        prototype = _RECTANGLES[geometry] = CT_Shape.new_autoshape_sp(0, "", geometry, 0, 0, 0, 0)
        prototype.remove(prototype.find(f"{{{_P}}}style"))  # the theme's line, shadow and text colour: not CSS's
    shape = add_copy(shapes, prototype, name, tuple(round(v * EMU_PER_PX) for v in rect))
    properties = shape.find(f"{{{_P}}}spPr")
    if radius > 0:
        guide = OxmlElement("a:gd")
        guide.set("name", "adj")
        guide.set("fmla", "val %d" % int(min(0.5, radius / max(1e-6, min(rect[2], rect[3]))) * 100000.0))
        properties.find(f"{{{_A}}}prstGeom/{{{_A}}}avLst").append(guide)
    properties.append(parse_xml(_fill_xml(fill)) if fill else OxmlElement("a:noFill"))
    line = OxmlElement("a:ln")
    if outline is None:
        line.append(OxmlElement("a:noFill"))
    else:
        width, rgb, alpha = outline
        if round(width * EMU_PER_PX):
            line.set("w", str(round(width * EMU_PER_PX)))
        line.append(parse_xml(_fill_xml(("solid", rgb, alpha))))
    properties.append(line)
    return shape
