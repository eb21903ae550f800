"""Maths: `$...$` inline and `$$...$$` display, drawn to SVG at build time with ziamath (pure Python, glyph
outlines from the STIX Two Math font), so that the HTML and the PDF show the same drawing without JavaScript.

The SVG is written inline and coloured with `currentColor`, so formulas follow the slide's text colour, and
sized in `em` so they follow the surrounding text. A display formula wider than its slide shrinks to fit
(`max-width: 100%`, the height following the drawing's aspect ratio).

Dollar signs as prices stay text: an inline formula opens with `$` followed by a non-space, closes with `$`
preceded by a non-space and not followed by a digit (Pandoc's rule), so "$5 and $10" is text.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from .tokens import walk_tokens

BLOCK_MATH = (
    r"^ {0,3}\$\$(?P<math_text_single>[^\n]*?\S[^\n]*?)\$\$[ \t]*(?:\n|$)|"
    r"^ {0,3}\$\$[ \t]*\n(?P<math_text_multi>[\s\S]*?)\n {0,3}\$\$[ \t]*(?:\n|$)"
)
INLINE_MATH = (
    r"\$\$(?P<display_math_text>(?:[^$\\]|\\.)+?)\$\$|"
    r"\$(?![\s$])(?P<math_text>(?:[^$\\\n]|\\.)+?)(?<![\s\\])\$(?!\d)"
)
MAX_FORMULA_CHARS = 1000   # a deck cannot stall the build with a huge formula
SIZE = 24.0               # ziamath draws at this size (px); everything is then expressed in em of it
# marp-core's default maths engine, KaTeX, sets formulas at 1.21 times the text's size (`.katex { font:
# normal 1.21em KaTeX_Main }` in its stylesheet): a formula here is that much larger than its text too.
KATEX_EM = 1.21
_VIEWBOX = re.compile(r'viewBox="([-\d.]+) ([-\d.]+) ([\d.]+) ([\d.]+)"')
_ROOT = re.compile(r"^<svg\b[^>]*>")


class MathError(ValueError):
    pass


@lru_cache(maxsize=512)
def math_svg(latex: str, display: bool = False) -> str:
    """The `<svg>` element for one formula; MathError when ziamath cannot read it."""
    import ziamath

    latex = latex.strip()
    if not latex:
        raise MathError("empty formula")
    if len(latex) > MAX_FORMULA_CHARS:  # ziamath's layout time grows with the square of the length
        raise MathError(f"formula longer than {MAX_FORMULA_CHARS} characters; not drawn")
    ziamath.config.svg2 = False           # plain paths: no <symbol> ids (WeasyPrint makes ids anchors)
    try:
        drawing = ziamath.Latex(latex, size=SIZE, color="currentColor", inline=not display)
        svg = drawing.svg()
    except Exception as exc:  # ziamath raises many kinds on bad input; all mean "cannot draw this"
        raise MathError(str(exc) or exc.__class__.__name__) from exc
    if isinstance(svg, bytes):
        svg = svg.decode("utf-8")
    m = _VIEWBOX.search(svg)
    if not m:
        raise MathError("no drawing")
    x, y, width, height = (float(v) for v in m.groups())
    em = lambda v: f"{v * KATEX_EM / SIZE:.3f}".rstrip("0").rstrip(".") + "em"  # noqa: E731
    descent = y + height                  # the baseline is y = 0 in ziamath's drawing
    style = f"width:{em(width)};height:{em(height)};vertical-align:-{em(max(descent, 0.0))}"
    if display:
        style = f"width:{em(width)};max-width:100%"   # the height follows the drawing (WeasyPrint too)
    label = html.escape(latex, quote=True)
    root = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{m.group(1)} {m.group(2)} {m.group(3)} '
            f'{m.group(4)}" class="sk-math-svg" role="img" aria-label="{label}" style="{style}">')
    svg = _ROOT.sub(lambda _: root, svg.strip(), count=1)
    return re.sub(r"<\?xml[^>]*\?>", "", svg)


def render_formula(latex: str, display: bool) -> str:
    """The HTML for a formula: the drawing, or the LaTeX itself marked as an error."""
    try:
        svg = math_svg(latex, display)
    except MathError as exc:
        delim = "$$" if display else "$"
        return (f'<code class="sk-math-error" title="{html.escape(str(exc))}">'
                f"{html.escape(delim + latex + delim, quote=False)}</code>")
    if display:
        return f'<span class="sk-math sk-math-display" style="display:block;width:100%;text-align:center">{svg}</span>'
    return f'<span class="sk-math">{svg}</span>'


def formula_error(latex: str, display: bool) -> str | None:
    try:
        math_svg(latex, display)
    except MathError as exc:
        return str(exc)
    return None


# mistune plugin -------------------------------------------------------------------------------------
def _parse_block(block, m, state):
    text = m.group("math_text_single")
    if text is None:
        text = m.group("math_text_multi")
    state.append_token({"type": "block_math", "raw": text})
    return m.end()


def _parse_inline(inline, m, state):
    display = m.group("display_math_text")
    if display is not None:
        state.append_token({"type": "inline_math", "raw": display, "attrs": {"display": True}})
    else:
        state.append_token({"type": "inline_math", "raw": m.group("math_text"), "attrs": {"display": False}})
    return m.end()


def _render_block(renderer, text):
    return f'<p class="sk-math-block">{render_formula(text, True)}</p>\n'


def _render_inline(renderer, text, display=False):
    return render_formula(text, display)


def math_plugin(md) -> None:
    md.block.register("block_math", BLOCK_MATH, _parse_block, before="list")
    md.block.insert_rule(md.block.block_quote_rules, "block_math", before="list")
    md.block.insert_rule(md.block.list_rules, "block_math", before="list")
    md.inline.register("inline_math", INLINE_MATH, _parse_inline, before="codespan", start_chars="$")
    if md.renderer is not None:
        md.renderer.register("block_math", _render_block)
        md.renderer.register("inline_math", _render_inline)


def iter_formulas(tokens):
    """(latex, display) of every formula in a token tree."""
    for tok in walk_tokens(tokens):
        if tok.get("type") == "block_math":
            yield tok.get("raw", ""), True
        elif tok.get("type") == "inline_math":
            yield tok.get("raw", ""), bool(tok.get("attrs", {}).get("display"))
