"""`font-size: smaller` and `larger` as Chromium computes them: the parent's size divided or multiplied by
1.2, whatever that size is.

WeasyPrint takes the next size of its keyword table instead (9.6, 12, 14.2, 16, 19.2, 24, 32, 48 px), and
past its ends the parent's size times 0.8 or 1.2. `<small>`, `<sub>` and `<sup>` are `smaller` in both
user-agent stylesheets, so at a gaia slide's 35 px Chromium's (and so Marp's) `<small>` is 29.2 px and
WeasyPrint's 32 px, 10 % larger; at the default theme's 29 px, 24.2 against 24 px. This gives WeasyPrint's
table of computed values Chromium's rule for those two keywords, for the whole process, before a layout.
"""

from __future__ import annotations

RATIO = 1.2         # Chromium's factor between a font size and the next one `larger` or `smaller`


def install_relative_font_size() -> None:
    from .weasy import load
    load()
    from weasyprint.css import computed_values

    original = computed_values.COMPUTER_FUNCTIONS.get("font_size")
    if original is None or getattr(original, "slidekit", False):
        return

    def font_size(style, name, value):
        if value == "smaller" or value == "larger":
            parent = style.parent_style
            size = computed_values.INITIAL_VALUES["font_size"] if parent is None else parent["font_size"]
            return size / RATIO if value == "smaller" else size * RATIO
        return original(style, name, value)

    font_size.slidekit = True
    computed_values.COMPUTER_FUNCTIONS["font_size"] = font_size
