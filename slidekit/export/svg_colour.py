"""Inline SVG in WeasyPrint takes `currentColor` from the SVG's own `color` (black by default), not from the
HTML around it as a browser does. Formulas (markdown/math.py) are drawn in `currentColor` so that they follow
the slide's text colour; this gives each inline `<svg>` without a `color` of its own the CSS colour computed
for it, before WeasyPrint draws it, so the PDF matches the HTML."""

from __future__ import annotations

import re

SVG_TAG = "{http://www.w3.org/2000/svg}svg"


def _css_colour(value) -> str | None:
    try:
        r, g, b, a = (float(c) for c in tuple(value)[:4])
    except (TypeError, ValueError):
        return None
    if max(r, g, b, a) <= 1.0:
        r, g, b = r * 255, g * 255, b * 255
    return f"rgba({round(r)},{round(g)},{round(b)},{a:g})"


_VAR = re.compile(r"var\(\s*--([\w-]+)\s*(?:,\s*([^()]*(?:\([^()]*\))?[^()]*))?\)")


def resolve_diagram_style(element, style) -> None:
    """A diagram (slidekit/diagrams) is coloured with the theme's custom properties (`var(--color-highlight,
    currentColor)`) and drawn in the slide's font, which WeasyPrint's SVG drawing knows nothing of: the
    values computed for the `<svg>` are written into it."""
    import tinycss2

    def value_of(m: re.Match) -> str:
        try:
            tokens = style["__" + m.group(1).replace("-", "_")]
        except KeyError:
            tokens = None
        text = tinycss2.serialize(tokens).strip() if tokens else ""
        return text or (m.group(2) or "").strip() or "currentColor"

    for node in element.iter():
        if node.tag.endswith("}style") and node.text and "var(" in node.text:
            node.text = _VAR.sub(value_of, node.text)
        css = node.get("style")
        if css and "var(" in css:
            node.set("style", _VAR.sub(value_of, css))
    families = style["font_family"]
    if families and element.get("font-family") is None:
        element.set("font-family", ", ".join(f'"{name}"' if " " in name else name for name in families))


def install_svg_current_colour() -> None:
    from .weasy import load
    load()
    from weasyprint import html as wp_html

    original = wp_html.HTML_HANDLERS.get(SVG_TAG)
    if original is None or getattr(original, "slidekit", False):
        return

    def handle_svg(element, box, get_image_from_uri, base_url):
        if element.get("color") is None and "color" not in (element.get("style") or ""):
            colour = _css_colour(box.style["color"])
            if colour:
                element.set("color", colour)
        if element.get("class") == "sk-diagram":
            resolve_diagram_style(element, box.style)
        return original(element, box, get_image_from_uri, base_url)

    handle_svg.slidekit = True
    wp_html.HTML_HANDLERS[SVG_TAG] = handle_svg
