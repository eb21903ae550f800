"""What the rich-content plugins find wrong in a slide's tokens, as (code, message, top-level token) for the
compiler to report as warnings (a formula ziamath cannot draw, a Markdoc variable the front-matter lacks)."""

from __future__ import annotations

from .markdoc import unknown_variables
from .math import formula_error, iter_formulas


def rich_content_problems(tokens: list[dict]):
    for tok in tokens:
        for name in unknown_variables([tok]):
            yield ("unknown-variable", f"Markdoc variable '${name}' is not in the front-matter; "
                   "it is shown as written", tok)
        for latex, display in iter_formulas([tok]):
            error = formula_error(latex, display)
            if error:
                yield ("bad-math", f"cannot draw the formula '{latex.strip()[:60]}': {error}; "
                       "it is shown as written", tok)
