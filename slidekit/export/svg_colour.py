"""Inline SVG in WeasyPrint takes `currentColor` from the SVG's own `color` (black by default), not from the
HTML around it as a browser does. Formulas (markdown/math.py) are drawn in `currentColor` so that they follow
the slide's text colour; this gives each inline `<svg>` without a `color` of its own the CSS colour computed
for it, before WeasyPrint draws it, so the PDF matches the HTML."""

from __future__ import annotations

SVG_TAG = "{http://www.w3.org/2000/svg}svg"


def _css_colour(value) -> str | None:
    try:
        r, g, b, a = (float(c) for c in tuple(value)[:4])
    except (TypeError, ValueError):
        return None
    if max(r, g, b, a) <= 1.0:
        r, g, b = r * 255, g * 255, b * 255
    return f"rgba({round(r)},{round(g)},{round(b)},{a:g})"


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
        return original(element, box, get_image_from_uri, base_url)

    handle_svg.slidekit = True
    wp_html.HTML_HANDLERS[SVG_TAG] = handle_svg
