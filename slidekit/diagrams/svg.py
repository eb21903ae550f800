"""An engine's SVG made fit to sit inline on a slide: safe, themed by the slide, with ids of its own.

- Safe: no scripts, event handlers, `<foreignObject>`, external images or links (an engine copies a label's
  `href`/`URL` into the drawing; Graphviz can also name local files).
- Themed: the engines' fixed greys and pastels become the slide's own colours. Text and lines take
  `currentColor` (the slide's `color`); boxes a tint of the theme's `--color-highlight`; label backgrounds the
  theme's `--color-background`; so a dark (`invert`) slide gets a dark diagram. Font families are dropped:
  the text takes the slide's font. The PDF resolves these for WeasyPrint (diagrams/pdf_style.py).
- Ids: every `id` (and `url(#…)`, `href="#…"`) is prefixed with ID_PLACEHOLDER, which the renderer replaces
  with a prefix unique in the document, and the drawing's `<style>` rules are scoped to the drawing, so two
  diagrams on a page never share a marker or a rule.
- Sized in `em`: the drawing's own text size maps to DIAGRAM_FONT_EM of the slide's font size; CSS caps it
  at the slide's width and a share of its height (`max-width`/`max-height`), never past the edge.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
ID_PLACEHOLDER = "sk-dg-ID"
DIAGRAM_FONT_EM = 1.0      # an engine label of 16px as large as the slide's text (a large drawing shrinks to fit)

FG = "currentColor"
ACCENT = "var(--color-highlight, currentColor)"
BACKGROUND = "var(--color-background, #fff)"

# An engine colour -> (the slide's colour, opacity). Keys lower-case, spaces removed.
_COLOURS: dict[str, tuple[str, float | None]] = {}
for _c in ("#333", "#333333", "#000", "#000000", "black", "#222", "#cccccc", "#ccc"):
    _COLOURS[_c] = (FG, None)
for _c in ("#555", "#555555"):
    _COLOURS[_c] = (FG, 0.85)
for _c in ("#666", "#666666", "#999", "#999999", "#888", "#aaa", "#a0a0a0"):
    _COLOURS[_c] = (FG, 0.6)
for _c in ("#e0e0e0", "#ddd", "#dddddd", "lightgrey", "lightgray"):
    _COLOURS[_c] = (FG, 0.2)
for _c in ("#9370db", "#aaaa33", "#aa3", "#13540c", "#4a6785"):
    _COLOURS[_c] = (ACCENT, None)
for _c in ("#ececff", "#1f2937", "#cde498"):
    _COLOURS[_c] = (ACCENT, 0.12)
for _c in ("#ffffde", "#ffa", "#ffffaa", "#ffffcc", "#fff5ad", "#f0f0f0", "#e8e8e8", "#f4f4f4", "#eee",
           "#eeeeee", "#f5f5f5", "#2d3748"):
    _COLOURS[_c] = (FG, 0.07)
for _c in ("rgba(232,232,232,0.8)", "rgba(232,232,232,0.5)", "#fff", "#ffffff", "white"):
    _COLOURS[_c] = (BACKGROUND, None)

_DROP_ELEMENTS = {"script", "foreignObject", "image", "iframe", "object", "embed", "audio", "video", "title"}
_FONT_DECL = re.compile(r"font-family\s*:[^;}]*;?", re.I)
_CSS_COLOUR = re.compile(r"\b(fill|stroke|stop-color|color)\s*:\s*([^;}!]+?)\s*(?=[;}!])", re.I)
_URL_REF = re.compile(r"url\(\s*['\"]?#([^'\")\s]+)['\"]?\s*\)")
_LENGTH = re.compile(r"^\s*([\d.]+)\s*(px|pt)?\s*$")


class UnsafeSVG(ValueError):
    pass


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _themed(value: str) -> tuple[str, float | None] | None:
    return _COLOURS.get(re.sub(r"\s+", "", value).lower())


def _theme_css(css: str) -> str:
    def repl(m: re.Match) -> str:
        prop, value = m.group(1), m.group(2)
        themed = _themed(value)
        if themed is None:
            return m.group(0)
        colour, opacity = themed
        if prop.lower() == "color" or opacity is None or prop.lower() == "stop-color":
            return f"{prop}: {colour}"
        return f"{prop}: {colour}; {prop.lower()}-opacity: {opacity:g}"
    return _CSS_COLOUR.sub(repl, _FONT_DECL.sub("", css))


def _scope_css(css: str, scope: str) -> str:
    """Every rule of a drawing's stylesheet prefixed with `#scope` (at-rules are dropped)."""
    import tinycss2

    out = []
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type != "qualified-rule":
            continue
        selectors = [s.strip() for s in tinycss2.serialize(rule.prelude).split(",") if s.strip()]
        body = tinycss2.serialize(rule.content)
        if "url(" in body.replace("url(#", ""):
            body = re.sub(r"url\((?!\s*['\"]?#)[^)]*\)", "none", body)
        scoped = ", ".join(f"#{scope} {s}" for s in selectors)
        out.append(f"{scoped} {{{body}}}")
    return "\n".join(out)


def _length_px(value: str | None) -> float | None:
    m = _LENGTH.match(value or "")
    if not m:
        return None
    number = float(m.group(1))
    return number * 4 / 3 if m.group(2) == "pt" else number


def adapt_svg(svg_text: str, font_px: float = 16.0) -> str:
    """The engine's SVG document as an inline `<svg>` element (see the module's docstring). `font_px` is the
    size of the engine's label text, which becomes DIAGRAM_FONT_EM of the slide's."""
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    try:
        root = ET.fromstring(svg_text)
    except ET.ParseError as exc:
        raise UnsafeSVG(f"the engine's SVG does not parse: {exc}") from exc
    if _local(root.tag) != "svg":
        raise UnsafeSVG("the engine gave no <svg>")
    scope = ID_PLACEHOLDER

    def clean(parent: ET.Element) -> None:
        for child in list(parent):
            if not isinstance(child.tag, str):            # comments, processing instructions
                parent.remove(child)
                continue
            name = _local(child.tag)
            if name in _DROP_ELEMENTS:
                parent.remove(child)
                continue
            if name == "a":                                # a link: its drawing stays, the link goes
                index = list(parent).index(child)
                parent.remove(child)
                group = ET.Element(f"{{{SVG_NS}}}g")
                group[:] = list(child)
                parent.insert(index, group)
                clean(group)
                continue
            if name == "style":
                child.text = _scope_css(_theme_css(child.text or ""), scope)
                continue
            fix_attributes(child)
            clean(child)

    def fix_attributes(el: ET.Element) -> None:
        style_parts = []
        for key in list(el.attrib):
            local = _local(key)
            value = el.attrib[key]
            if local.lower().startswith("on"):
                del el.attrib[key]
            elif local == "href":
                if value.startswith("#"):
                    el.attrib[key] = f"#{scope}-{value[1:]}"
                else:
                    del el.attrib[key]
            elif local == "id":
                el.attrib[key] = f"{scope}-{value}"
            elif local == "font-family":
                del el.attrib[key]
            elif local in ("fill", "stroke", "stop-color", "color"):
                themed = _themed(value)
                if themed is not None:
                    del el.attrib[key]
                    colour, opacity = themed
                    style_parts.append(f"{local}:{colour}")
                    if opacity is not None and local in ("fill", "stroke"):
                        style_parts.append(f"{local}-opacity:{opacity:g}")
            elif local == "style":
                value = _theme_css(value + ";")
                value = re.sub(r"url\((?!\s*['\"]?#)[^)]*\)", "none", value)
                el.attrib[key] = value.rstrip(";")
            if key in el.attrib and "url(" in el.attrib[key]:
                el.attrib[key] = _URL_REF.sub(lambda m: f"url(#{scope}-{m.group(1)})", el.attrib[key])
                if re.search(r"url\((?!#)", el.attrib[key]):
                    del el.attrib[key]
        if style_parts:
            existing = el.attrib.get("style", "").rstrip("; ")
            el.attrib["style"] = ";".join(([existing] if existing else []) + style_parts)

    clean(root)
    for key in list(root.attrib):
        local = _local(key)
        if local not in ("viewBox", "width", "height", "preserveAspectRatio"):
            del root.attrib[key]
    width, height = _length_px(root.get("width")), _length_px(root.get("height"))
    box = (root.get("viewBox") or "").replace(",", " ").split()
    if (width is None or height is None) and len(box) == 4:
        width, height = float(box[2]), float(box[3])
    if width is None or height is None or width <= 0 or height <= 0:
        raise UnsafeSVG("the drawing has no size")
    if len(box) != 4:
        root.set("viewBox", f"0 0 {width:g} {height:g}")
    em = lambda v: f"{v / font_px * DIAGRAM_FONT_EM:.3f}".rstrip("0").rstrip(".") + "em"  # noqa: E731
    root.set("width", em(width))
    root.set("height", em(height))
    root.set("id", scope)
    root.set("class", "sk-diagram")
    root.set("role", "img")
    # (max-height: what a slide leaves below a heading; the fence's h:/w: options replace these)
    # (a capped side letterboxes the drawing, centred, in both Chromium and WeasyPrint)
    root.set("style", "display:block;margin:0.4em auto;max-width:100%;max-height:var(--sk-diagram-max-height, 460px)")
    # labels the engine leaves unsized are drawn at its own size (in the drawing's units: the group, not the
    # root, whose em sizes the box)
    group = ET.Element(f"{{{SVG_NS}}}g", {"style": f"font-size:{font_px:g}px;fill:currentColor"})
    group[:] = list(root)
    root[:] = [group]
    text = ET.tostring(root, encoding="unicode")
    return text.replace(' xmlns:xlink="http://www.w3.org/1999/xlink"', "", 1) if "xlink:" not in text.split(">", 1)[1] else text
