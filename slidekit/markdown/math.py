"""Maths: `$...$` inline and `$$...$$` display, drawn to SVG at build time with ziamath (pure Python, glyph
outlines from the STIX Two Math font), so that the HTML and the PDF show the same drawing without JavaScript.

The SVG is written inline and coloured with `currentColor`, so formulas follow the slide's text colour, and
sized in `em` of its `.sk-math` wrapper, whose font size is the engine's (scaffold.css, after marp-core's
`math` global directive): MathJax, marp-core's default, sizes a formula in `ex` of the surrounding text
(1 ex = 0.442 em of the formula, its TeX font's x-height); KaTeX sets it at 1.21em. A display formula wider
than its slide shrinks to fit (`max-width: 100%`, the height following the drawing's aspect ratio).

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
# LaTeX's eqnarray, which MathJax (marp-core's default engine) reads: three columns, right, centre, left
_EQNARRAY = re.compile(r"\\(begin|end)\{eqnarray\*?\}")
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
    eqnarray = _EQNARRAY.search(latex) is not None
    latex = _tex_aliases(latex)
    try:
        # no margin: the box is the ink's, as MathJax's and KaTeX's are, so a formula grows its line no more
        if "\\begin" in latex and "\\tag" not in latex:   # tables laid out with TeX's row rules
            drawing = ziamath.Math(_tex_tables(latex, display, eqnarray), size=SIZE, margin=0)
        else:
            drawing = ziamath.Latex(latex, size=SIZE, color="currentColor", inline=not display, margin=0)
        svg = drawing.svg()
    except Exception as exc:  # ziamath raises many kinds on bad input; all mean "cannot draw this"
        raise MathError(str(exc) or exc.__class__.__name__) from exc
    if isinstance(svg, bytes):
        svg = svg.decode("utf-8")
    m = _VIEWBOX.search(svg)
    if not m:
        raise MathError("no drawing")
    x, y, width, height = (float(v) for v in m.groups())
    em = lambda v: f"{v / SIZE:.3f}".rstrip("0").rstrip(".") + "em"  # noqa: E731
    descent = y + height                  # the baseline is y = 0 in ziamath's drawing
    style = f"width:{em(width)};height:{em(height)};vertical-align:-{em(max(descent, 0.0))}"
    if display:
        # a block: no line box (and its strut) around the drawing; the height follows it (WeasyPrint too)
        style = f"display:block;margin:0 auto;width:{em(width)};max-width:100%"
    label = html.escape(latex, quote=True)
    root = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{m.group(1)} {m.group(2)} {m.group(3)} '
            f'{m.group(4)}" class="sk-math-svg" role="img" aria-label="{label}" style="{style}">')
    svg = _ROOT.sub(lambda _: root, svg.strip(), count=1)
    return re.sub(r"<\?xml[^>]*\?>", "", svg)


def _tex_aliases(latex: str) -> str:
    """Environments ziamath lacks, written as the ones they are: eqnarray is an array of columns rcl."""
    return _EQNARRAY.sub(lambda m: r"\end{array}" if m.group(1) == "end" else r"\begin{array}{rcl}", latex)


def _tex_tables(latex: str, display: bool, eqnarray: bool = False):
    """The MathML of `latex` with its tables spaced as TeX (and MathJax) space them: a row is at least
    0.75em high and 0.25em deep (the array strut); rows 4pt apart unless the environment says (align: 3pt,
    the jot), columns 1em; a `pt` is a tenth of the formula's em (MathJax's unit), not a printer's point.
    An eqnarray (MathJax's EqnArray) sets its cells in display style, columns a thick space (5/18em) apart."""
    from xml.etree import ElementTree as ET

    from ziamath.tex import tex2mml

    root = ET.fromstring(tex2mml(latex, inline=not display))
    ns = "{http://www.w3.org/1998/Math/MathML}"
    for table in root.iter(ns + "mtable"):
        table.set("rowspacing", _spacing_px(table.get("rowspacing", "4pt")))
        table.set("columnspacing", _spacing_px("0.2778em" if eqnarray else table.get("columnspacing", "1em")))
        for cell in table.iter(ns + "mtd"):
            if eqnarray:
                style = ET.Element(ns + "mstyle", {"displaystyle": "true"})
                style.extend(list(cell))
                for child in list(cell):
                    cell.remove(child)
                cell.append(style)
            strut = ET.Element(ns + "mspace", {"width": "0px", "height": f"{0.75 * SIZE:g}px",
                                               "depth": f"{0.25 * SIZE:g}px"})
            cell.insert(0, strut)
    root.set("mathcolor", "currentColor")
    return root


def _spacing_px(spacing: str) -> str:
    """TeX spacing in px of the drawing (ziamath reads an em as 4/3 of its size: px are exact)."""
    ems = {"pt": 0.1, "em": 1.0}
    def px(value: str) -> str:
        unit = ems.get(value[-2:])
        try:
            return f"{float(value[:-2]) * unit * SIZE:g}px" if unit else value
        except ValueError:
            return value
    return " ".join(px(v) for v in spacing.split())


def render_formula(latex: str, display: bool) -> str:
    """The HTML for a formula: the drawing, or the LaTeX itself marked as an error."""
    try:
        svg = math_svg(latex, display)
    except MathError as exc:
        delim = "$$" if display else "$"
        return (f'<code class="sk-math-error" title="{html.escape(str(exc))}">'
                f"{html.escape(delim + latex + delim, quote=False)}</code>")
    layer = text_layer(latex, display, svg)
    if display:
        return (f'<span class="sk-math sk-math-display" style="display:block;width:100%;text-align:center">'
                f'{layer}{svg}</span>')
    return f'<span class="sk-math">{layer}{svg}</span>'


# The text layer --------------------------------------------------------------------------------------
# KaTeX, marp-core's `math: katex`, writes a formula as HTML text in its own fonts, so in Marp's PDF its
# symbols are text a reader can select and search; MathJax (the default) draws SVG paths, as slidekit does.
# So each formula carries its text, in reading order, in a transparent box over the drawing, which is shown
# only where the deck asks for KaTeX (scaffold.css). The text is what the drawing shows, from the formula's
# MathML: symbols in order, a script joined to its base (a_{11} reads a11), other parts apart.
_JOINED = {"msub", "msup", "msubsup", "mrow", "mstyle", "mpadded", "mphantom", "menclose", "math",
           "msqrt", "mroot"}
_INVISIBLE = dict.fromkeys(range(0x2061, 0x2065))   # function application, invisible times/separator/plus
_WIDTH_PER_CHAR = 0.6   # em: a safe average advance, so that the text stays within the drawing's width


@lru_cache(maxsize=512)
def formula_text(latex: str, display: bool = False) -> str:
    """The words a formula shows, as KaTeX's HTML would give them to a reader ('' when unknown)."""
    import unicodedata
    from xml.etree import ElementTree as ET

    from ziamath.tex import tex2mml

    try:
        root = ET.fromstring(tex2mml(_tex_aliases(latex.strip()), inline=not display))
    except Exception:  # ziamath drew it from the same MathML; a failure here only costs the text
        return ""

    def text(node) -> str:
        tag = node.tag.rsplit("}", 1)[-1]
        if tag in ("mi", "mn", "mo", "mtext", "ms"):
            value = unicodedata.normalize("NFKC", (node.text or "").translate(_INVISIBLE))
            return f"{value} " if tag in ("mi", "mo") and len(value) > 1 else value   # sin x, det A
        if tag == "mspace":
            return " " if not node.get("width", "").startswith(("0", "-")) else ""
        parts = [text(child) for child in node]
        if tag in _JOINED:
            return "".join(parts)
        return f' {" ".join(parts)} '     # table cells and rows, fractions, limits: apart, and from their neighbours

    return " ".join(text(root).split())


def text_layer(latex: str, display: bool, svg: str) -> str:
    words = formula_text(latex, display)
    m = _VIEWBOX.search(svg)
    if not words or not m:
        return ""
    width = float(m.group(3)) / SIZE                       # em of .sk-math, as the drawing
    size = min(1.0, width / (_WIDTH_PER_CHAR * len(words)))
    style = f"width:{width:.3f}em;margin-right:-{width:.3f}em;font-size:{size:.3f}em"
    if display:
        style = f"width:{width:.3f}em;max-width:100%;font-size:{size:.3f}em"
    return (f'<span class="sk-math-text" aria-hidden="true" style="{style}">'
            f"{html.escape(words, quote=False)}</span>")


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
