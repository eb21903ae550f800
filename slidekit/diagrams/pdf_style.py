"""A diagram's look in the PDF: WeasyPrint draws SVG without the page's CSS, so the values the slide gives
the diagram (its theme's custom properties, its font) are written into the SVG before it is drawn
(export/patches.py calls this from its inline-SVG handler)."""

from __future__ import annotations

import re

_VAR = re.compile(r"var\(\s*--([\w-]+)\s*(?:,\s*([^()]*(?:\([^()]*\))?[^()]*))?\)")


def resolve_diagram_style(element, style) -> None:
    """Replace the `var(--color-highlight, currentColor)` references in a diagram's `<svg>` by the values
    computed for it (WeasyPrint's `style`, keyed `__name` for custom properties), and give it the slide's
    font family."""
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
