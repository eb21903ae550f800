"""Every change slidekit makes to its libraries' code, in one place.

Elsewhere slidekit uses WeasyPrint, pydyf, cffi, fontTools and pypdf through their public APIs. Here each
patch says why it exists, and `ASSUMED` says which versions of each library they were written against:
where the installed version is another, that library's patches are left out (the PDF is still made,
perhaps slower or a little less like Chromium's) and `install()` returns a note saying so. Nothing here
raises. Python and its standard library are never patched.

- WeasyPrint's import (`import_weasyprint`, called by export/weasy.py): cffi's lookup of a library name
  that does not open at once is answered from one `ldconfig -p` listing, and two fontTools modules are
  loaded on first use. Only while WeasyPrint is imported.
- `install()`, once WeasyPrint is loaded, for the whole process:
  WeasyPrint: inline SVG takes `currentColor` from the HTML around it, and a diagram its theme's values
  (`_svg_current_colour`, diagrams/pdf_style.py); a list's disc, circle and square drawn as Chromium's shapes,
  not the font's bullet characters (`_list_shapes`);
  `font-size: smaller/larger` as Chromium computes them (`_relative_font_size`); a flex row's gaps in its
  content widths (`_flex_row_gap`); a flex item's automatic minimum size as Chromium has it
  (`_flex_item_minimums`); `align-content` on block containers, which centres Marp's slides
  (`_block_align_content`); text set on its first font's ascent and descent whatever font draws it
  (`_primary_font_line_metrics`); a line's available width rounded up, not down, to Pango's units
  (`_line_width_rounded_up`); generic font families and the standard font as Chromium's on Linux
  (`_chromium_generic_families`); image names that do not
  depend on where the deck's folder is (`_image_names`, `deck_folder`); pages with no margin-box style
  skip making the sixteen margin boxes (`_skip_empty_margin_boxes`); an opaque 8-bit PNG's image data
  stored as it is, not decoded and encoded again (`_png_data_as_is`); an upright image with EXIF data kept
  as it is rather than copied and encoded again (`_upright_kept`); boxes broken out of flow counted, so
  that a slide laid out as a block that did not fit is found (`_broken_out_of_flow_counted`).
  cffi: fixed-size array types made without a C parse (`_fixed_array_types`).
  pydyf: streams deflated at level 6 rather than 9, by zlib-ng (`_deflate_level`); the page references kept until a
  page is added (`_page_references_memo`).
  cssselect2: a selector given as text to `query_all`/`matches` is compiled once, not for every document
  (`_compiled_selector_memo`: WeasyPrint looks each slide's document up for `style`, `link`, `title`...).
- pypdf: `add_object` adds an indirect object through `PdfWriter._add_object` (pypdf has no public way).
- python-pptx (`install_pptx`, called by export/pptx.py): the PPTX's zip members dated 1980-01-01 rather
  than the time of the build (the same deck, the same bytes), and images already compressed (JPEG, PNG,
  GIF) stored rather than deflated again (`_pptx_zip_members`); adding a slide in time that does not grow
  with the slides already added (`_pptx_linear_slide_adds`).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import re
import sys
import threading
import types
from contextvars import ContextVar
from pathlib import Path

# library -> (module holding its version, attribute, lowest version assumed, first version not assumed)
ASSUMED = {
    "weasyprint": ("weasyprint", "__version__", (70,), (71,)),
    "pydyf": ("pydyf", "__version__", (0, 11), (0, 14)),
    "cffi": ("cffi", "__version__", (1, 15), (3,)),
    "fontTools": ("fontTools", "version", (4, 0), (5,)),
    "pypdf": ("pypdf", "__version__", (4,), (8,)),
    "cssselect2": ("cssselect2", "__version__", (0, 7), (0, 11)),
    "tinyhtml5": ("tinyhtml5", "__version__", (2,), (3,)),     # (the tree export/html_tree.py builds)
    "python-pptx": ("pptx", "__version__", (1, 0), (1, 1)),
}

_LOCK = threading.Lock()
_NOTES: list[str] = []
_DONE: set[str] = set()      # the libraries whose patches are in place (or left out, with a note)


def version_ok(library: str) -> bool:
    """Whether the installed `library` is a version the patches were written for (False if unknown)."""
    module_name, attribute, lowest, beyond = ASSUMED[library]
    module = sys.modules.get(module_name)
    try:
        if module is None:
            module = importlib.import_module(module_name)
        numbers = tuple(int(part) for part in re.findall(r"\d+", str(getattr(module, attribute)))[:3])
    except Exception:  # noqa: BLE001 - not installed, or no version to read: not assumed
        return False
    return lowest <= numbers < beyond


def _skip_note(library: str) -> str:
    module_name, attribute, lowest, beyond = ASSUMED[library]
    found = getattr(sys.modules.get(module_name), attribute, "?")
    span = f"{'.'.join(map(str, lowest))} up to (not including) {'.'.join(map(str, beyond))}"
    return (f"{library} {found} is not a version slidekit was made for ({span}); its adjustments to it are "
            f"left out, so the PDF may differ a little from the HTML")


def install() -> list[str]:
    """Put the patches of the libraries loaded by now in place, once a process (WeasyPrint's and cffi's
    once WeasyPrint is loaded: export/weasy.py calls this; pydyf's at once). The notes of patches left out."""
    if len(_DONE) == len(_PATCHES):
        return list(_NOTES)
    with _LOCK:
        for library, patches in _PATCHES.items():
            if library in _DONE or (library != "pydyf" and "weasyprint.text.ffi" not in sys.modules):
                continue
            _DONE.add(library)
            if not version_ok(library):
                _NOTES.append(_skip_note(library))
                continue
            for patch in patches:
                try:
                    patch()
                except Exception:  # noqa: BLE001 - the library as it is: never a failed build
                    _NOTES.append(f"slidekit could not adjust {library} ({patch.__name__.strip('_')})")
    return list(_NOTES)


# WeasyPrint's import -------------------------------------------------------------------------------------
# When WeasyPrint is imported it opens Pango, HarfBuzz, fontconfig and GObject through cffi, trying several
# names for each library (Windows, macOS and Linux spellings, and an optional HarfBuzz most systems lack).
# cffi looks a name that does not open at once up with `ctypes.util.find_library`, which on Linux runs
# `ldconfig -p` and then `gcc` and `ld` in subprocesses: some twenty of those for names that can never
# match, a third or more of WeasyPrint's import, paid by every PDF build and each of its layout processes.
# Here cffi's lookup reads one `ldconfig -p` listing instead. A name not in the listing is missing at once;
# the names WeasyPrint tries include each library's soname (`libpango-1.0.so.0`), which opens directly.
# Should the import still fail (a system whose ld.so cache does not list its libraries), it is done again
# the usual way. WeasyPrint's import also loads two parts of fontTools only some fonts need
# (`fontTools.subset`, `fontTools.varLib.instancer`): they are loaded on first use instead.

def import_weasyprint():
    """The `weasyprint` module, imported as above where that can be done, else the usual way."""
    listing = _ldconfig_listing() if sys.platform.startswith("linux") and version_ok("cffi") else None
    if listing is not None:
        try:
            return _import_with(_finder(listing))
        except Exception:  # noqa: BLE001 - tried again below, the usual way, which reports properly
            for name in [n for n in sys.modules if n == "weasyprint" or n.startswith("weasyprint.")]:
                del sys.modules[name]
    import weasyprint
    return weasyprint


def _ldconfig_listing() -> str | None:
    import subprocess
    for ldconfig in ("/sbin/ldconfig", "/usr/sbin/ldconfig"):
        try:
            done = subprocess.run([ldconfig, "-p"], capture_output=True, text=True, timeout=5,
                                  env={"LC_ALL": "C", "LANG": "C"})
        except (OSError, subprocess.SubprocessError):
            continue
        if done.returncode == 0 and done.stdout:
            return done.stdout
    return None


def _finder(listing: str):
    def find_library(name: str) -> str | None:
        # the pattern ctypes.util uses on the same listing
        found = re.search(r"\s+(lib%s\.[^\s]+)\s+\(" % re.escape(name), listing)
        return found.group(1) if found else None

    return find_library


def _import_with(find_library):
    """Import WeasyPrint with cffi's `_load_backend_lib` (what `FFI.dlopen` opens a library with) asking
    `find_library` rather than `ctypes.util.find_library`; cffi's own function is put back afterwards."""
    from cffi import api as cffi_api

    original = cffi_api._load_backend_lib

    def load_backend_lib(backend, name, flags):
        if not isinstance(name, str):
            return original(backend, name, flags)
        first_error = None
        if "." in name or "/" in name:
            try:
                return backend.load_library(name, flags)
            except OSError as exc:
                first_error = exc
        path = find_library(name)
        if path is None:
            raise OSError(f"no library called {name!r} in the ld.so cache" +
                          (f"; {first_error}" if first_error else ""))
        return backend.load_library(path, flags)

    cffi_api._load_backend_lib = load_backend_lib
    try:
        with _fonttools_on_first_use():
            import weasyprint
    finally:
        cffi_api._load_backend_lib = original
    return weasyprint


# fontTools modules WeasyPrint imports for some fonts only -> the names it takes from them at import time
_ON_FIRST_USE = {"fontTools.subset": (), "fontTools.varLib.instancer": ("instantiateVariableFont",)}


@contextlib.contextmanager
def _fonttools_on_first_use():
    """While WeasyPrint is imported, `_ON_FIRST_USE`'s modules are stand-ins that load the real module
    when first asked for anything (the names WeasyPrint imports from them are functions that do so). Only
    during the import: any later `import` of them gets the real module."""
    placed = {}
    if version_ok("fontTools"):
        for name, functions in _ON_FIRST_USE.items():
            if name not in sys.modules:
                placed[name] = sys.modules[name] = _LoadedOnFirstUse(name, functions)
    try:
        yield
    finally:
        for name, stand_in in placed.items():
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]


class _LoadedOnFirstUse(types.ModuleType):
    """Stands for a module: whatever is asked of it is asked of the real module, imported then."""

    def __init__(self, name: str, functions: tuple[str, ...]) -> None:
        super().__init__(name)
        for function in functions:
            setattr(self, function, self._calling(function))

    def _calling(self, function: str):
        def call(*args, **kwargs):
            return getattr(self._real(), function)(*args, **kwargs)
        call.__name__ = call.__qualname__ = function
        return call

    def _real(self):
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return importlib.import_module(self.__name__)

    def __getattr__(self, name: str):
        if name.startswith("__"):            # (what the import system asks of any module)
            raise AttributeError(name)
        return getattr(self._real(), name)


# WeasyPrint ----------------------------------------------------------------------------------------------
SVG_TAG = "{http://www.w3.org/2000/svg}svg"


def _css_colour(value) -> str | None:
    try:
        r, g, b, a = (float(c) for c in tuple(value)[:4])
    except (TypeError, ValueError):
        return None
    if max(r, g, b, a) <= 1.0:
        r, g, b = r * 255, g * 255, b * 255
    return f"rgba({round(r)},{round(g)},{round(b)},{a:g})"


def _svg_current_colour() -> None:
    """Inline SVG in WeasyPrint takes `currentColor` from the SVG's own `color` (black by default), not from
    the HTML around it as a browser does. Formulas (markdown/math.py) are drawn in `currentColor` so that
    they follow the slide's text colour: each inline `<svg>` without a `color` of its own gets the CSS
    colour computed for it before WeasyPrint draws it, so the PDF matches the HTML."""
    from weasyprint import html as wp_html

    original = wp_html.HTML_HANDLERS[SVG_TAG]

    def handle_svg(element, box, get_image_from_uri, base_url):
        if element.get("color") is None and "color" not in (element.get("style") or ""):
            colour = _css_colour(box.style["color"])
            if colour:
                element.set("color", colour)
        if element.get("class") == "sk-diagram":
            from ..diagrams.pdf_style import resolve_diagram_style
            resolve_diagram_style(element, box.style)
        return original(element, box, get_image_from_uri, base_url)

    wp_html.HTML_HANDLERS[SVG_TAG] = handle_svg


# Chromium's list markers drawn as shapes: (the marker WeasyPrint writes, the shape drawn instead)
LIST_SHAPES = {"disc": ("\u2022 ", "disc"), "circle": ("\u25e6 ", "circle"), "square": ("\u25aa ", "square")}


def list_marker_svg(shape: str, ascent: int, colour: str) -> str:
    """The outside marker of a `disc`, `circle` or `square` list as Chromium lays it out, from the primary
    font's ascent A (px): a box 2A/3 + 8px wide ending where the item's text starts, the shape A/3 across,
    1px from the box's left edge, its top A/2 above the baseline (a circle stroked 1px wide). The picture
    stands on the baseline, so it is as tall as the shape's top is above it."""
    two_thirds = ascent * 2 // 3
    size = (two_thirds + 1) // 2
    top = 3 * (ascent - two_thirds) // 2
    width, height = two_thirds + 8, max(1, ascent - top)
    if shape == "circle":
        drawn = (f'<circle cx="{1 + size / 2:g}" cy="{size / 2:g}" r="{size / 2:g}" fill="none" '
                 f'stroke="{colour}" stroke-width="1"/>')
    elif shape == "square":
        drawn = f'<rect x="1" y="0" width="{size}" height="{size}" fill="{colour}"/>'
    else:
        drawn = f'<circle cx="{1 + size / 2:g}" cy="{size / 2:g}" r="{size / 2:g}" fill="{colour}"/>'
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" overflow="visible">{drawn}</svg>')


def _list_shapes() -> None:
    """A list's disc, circle and square markers drawn as Chromium draws them: shapes sized and placed from the
    font's ascent (`list_marker_svg`). WeasyPrint writes the bullet characters of the item's font instead,
    whose size and place vary with the font: Liberation Sans' disc 8px across where Chromium's is 9, and 6px
    nearer the text; Lato's larger. Only an outside marker of a left-to-right list that is the bullet text
    WeasyPrint writes for the list's type (an image marker is left alone); the picture is an SVG image, as a
    `list-style-image` would be."""
    from urllib.parse import quote

    from weasyprint.formatting_structure import boxes, build
    from weasyprint.text.line_break import Layout, first_line_metrics

    original = build.marker_to_box
    ascents: dict = {}

    def ascent_of(style) -> int:
        key = (tuple(style["font_family"]), style["font_size"], style["font_weight"], style["font_style"],
               style["font_stretch"])
        if key not in ascents:
            layout = Layout(style)
            layout.set_text(" ")
            line, _ = layout.get_first_line()
            ascents[key] = round(first_line_metrics(line, "", layout, resume_at=None, space_collapse=False,
                                                    style=style)[5])
        return ascents[key]

    def marker_to_box(element, state, parent_style, style_for, get_image_from_uri, *args):
        for marker in original(element, state, parent_style, style_for, get_image_from_uri, *args):
            kind = parent_style["list_style_type"]
            shape = LIST_SHAPES.get(kind) if isinstance(kind, str) else None
            texts = marker.children
            if (shape is not None and getattr(marker, "is_outside_marker", False) and len(texts) == 1
                    and isinstance(texts[0], boxes.TextBox) and texts[0].text == shape[0]
                    and parent_style["direction"] == "ltr"):
                style = texts[0].style
                colour = _css_colour(style["color"])
                ascent = ascent_of(style) if colour and style["font_size"] else 0
                if ascent > 0:
                    svg = list_marker_svg(shape[1], ascent, colour)
                    image = get_image_from_uri(url="data:image/svg+xml," + quote(svg), orientation="none")
                    if image is not None:
                        marker.children = [boxes.InlineReplacedBox.anonymous_from(marker, image)]
            yield marker

    build.marker_to_box = marker_to_box


RATIO = 1.2         # Chromium's factor between a font size and the next one `larger` or `smaller`


def _relative_font_size() -> None:
    """`font-size: smaller` and `larger` as Chromium computes them: the parent's size divided or multiplied
    by 1.2, whatever that size is. WeasyPrint takes the next size of its keyword table instead (9.6, 12,
    14.2, 16, 19.2, 24, 32, 48 px): at a gaia slide's 35 px Chromium's (and so Marp's) `<small>` is 29.2 px
    and WeasyPrint's 32 px."""
    from weasyprint.css import computed_values

    original = computed_values.COMPUTER_FUNCTIONS["font_size"]

    def font_size(style, name, value):
        if value == "smaller" or value == "larger":
            parent = style.parent_style
            size = computed_values.INITIAL_VALUES["font_size"] if parent is None else parent["font_size"]
            return size / RATIO if value == "smaller" else size * RATIO
        return original(style, name, value)

    computed_values.COMPUTER_FUNCTIONS["font_size"] = font_size


def _flex_row_gap() -> None:
    """A flex row's min- and max-content widths include its `column-gap`, as in Chromium. WeasyPrint 70 sums
    the items alone, so a shrink-to-fit flex row (an absolutely positioned title bar) came out narrower than
    its items and gaps, and they wrapped word by word where Marp keeps them on one line."""
    from weasyprint.layout import preferred

    def with_gap(original, wrapping: bool):
        def width(context, box, outer=True):
            result = original(context, box, outer)
            style = box.style
            gap = style["column_gap"]
            items = sum(1 for child in box.children if child.is_flex_item)
            if (items > 1 and style["flex_direction"].startswith("row") and getattr(gap, "unit", None) == "px"
                    and (wrapping or style["flex_wrap"] == "nowrap")):
                result += gap.value * (items - 1)
            return result
        return width

    preferred.flex_min_content_width = with_gap(preferred.flex_min_content_width, wrapping=False)
    preferred.flex_max_content_width = with_gap(preferred.flex_max_content_width, wrapping=True)


def _flex_item_minimums() -> None:
    """A flex item's automatic minimum size (`min-width`/`min-height: auto`), as CSS Flexbox 4.5 and Chromium
    have it. Along the cross axis `auto` is 0; WeasyPrint 70 computes it there too. Along the main axis of a
    column it is the item's min-content height at the width it can take; WeasyPrint lays the item out at its
    max-content width, unbounded. Either way a paragraph holding an image with `max-width: 100%` kept the
    image's natural height as its minimum: a deck of exported slides shown as images (marp-core's themes make
    a `display: flex` slide a column) had each image placed as if that tall, off centre and past the slide's
    bottom, where Marp centres it. Here the cross-axis `auto` becomes 0 before WeasyPrint's flex layout, and
    the max-content width it measures for a column item's minimum height is bounded by the column's width."""
    from math import inf

    from weasyprint.css.properties import Dimension
    from weasyprint.layout import block, flex, inline

    real_layout, real_max_content = flex.flex_layout, flex.max_content_width
    columns: list = []      # (the items' elements, the width they can take) of the columns being laid out

    def max_content_width(context, box, outer=True):
        width = real_max_content(context, box, outer)
        style = box.style
        if (columns and box.element in columns[-1][0] and style["height"] == "auto"
                and style["max_height"] == Dimension(inf, "px") and style["min_height"] == Dimension(0, "px")):
            width = min(width, columns[-1][1])    # (the copy WeasyPrint lays out for the minimum height)
        return width

    def flex_layout(context, box, bottom_space, skip_stack, containing_block, *args, **kwargs):
        row = box.style["flex_direction"].startswith("row")
        cross = "min_height" if row else "min_width"
        items = [child for child in box.children if getattr(child, "is_flex_item", False)]
        for child in items:
            if child.style[cross] == "auto":
                child.style = child.style.copy()
                child.style[cross] = Dimension(0, "px")
        if row or not items:
            return real_layout(context, box, bottom_space, skip_stack, containing_block, *args, **kwargs)
        if box.width != "auto":
            available = box.width
        else:
            available = containing_block.width - sum(
                0 if value == "auto" else value
                for value in (box.margin_left, box.margin_right, box.padding_left, box.padding_right,
                              box.border_left_width, box.border_right_width))
        columns.append(({child.element for child in items if child.element is not None}, available))
        try:
            return real_layout(context, box, bottom_space, skip_stack, containing_block, *args, **kwargs)
        finally:
            columns.pop()

    flex.max_content_width = max_content_width
    flex.flex_layout = block.flex_layout = inline.flex_layout = flex_layout


def _block_align_content() -> None:
    """`align-content` on a block container of definite height (CSS Box Alignment, as Chromium 123+ does):
    marp-core's slides are blocks with `place-content: safe center`, so their content is centred while the
    margins between its blocks collapse as in any block flow. WeasyPrint 70 aligns content in flex boxes
    only: here, after a block container's layout, its in-flow content (and boxes positioned at their static
    place) moves down by the free space's share; `safe` keeps content that does not fit at the top."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout import block
    from weasyprint.layout.absolute import AbsolutePlaceholder

    original = block.block_container_layout
    shares = {"center": 0.5, "end": 1.0, "flex-end": 1.0}

    def placed_by_offsets(placeholder) -> bool:
        style = placeholder.style
        return style["top"] != "auto" or style["bottom"] != "auto"

    def keep_offset_boxes(box, dy: float) -> None:
        # Absolutely positioned descendants whose containing block is the aligned box were placed from its
        # edges before the shift: move those back (below a positioned descendant, that one is the containing
        # block, and it moved with the flow).
        for child in box.all_children():
            if isinstance(child, AbsolutePlaceholder):
                if placed_by_offsets(child):
                    child.translate(0, -dy)
            elif child.style["position"] == "static":
                keep_offset_boxes(child, dy)

    def trailing_margin(child) -> float:
        # The bottom margins of the last child's own last blocks collapse through it and count as content, as
        # in Chromium (the slide's padding stops them): a loose list's last paragraph keeps its 16px.
        if child is None:
            return 0
        margins, inner = [child.margin_bottom], child
        while (isinstance(inner, boxes.BlockBox) and inner.style["height"] == "auto"
               and inner.bottom_margin_collapses()):
            inner = block.find_last_in_flow_child(inner.children)
            if not isinstance(inner, boxes.BlockLevelBox):
                break
            margins.append(inner.margin_bottom)
        return block.collapse_margin(margins) - child.margin_bottom

    def layout(context, box, *args, **kwargs):
        result = original(context, box, *args, **kwargs)
        new_box, resume_at = result[0], result[1]
        align = box.style["align_content"]
        share = shares.get(align[-1])
        if (share is None or new_box is None or resume_at is not None or box.height == "auto"
                or not isinstance(box, boxes.BlockBox) or box.is_flex_item or box.is_column):
            return result
        flow = [child for child in new_box.children
                if not (isinstance(child, AbsolutePlaceholder) and placed_by_offsets(child))]
        in_flow = [child for child in flow if not isinstance(child, AbsolutePlaceholder)]
        if not in_flow:
            return result
        bottom = max(child.position_y + child.margin_height() for child in in_flow)
        bottom += trailing_margin(block.find_last_in_flow_child(new_box.children))
        free = new_box.content_box_y() + new_box.height - bottom
        dy = free * share
        if align[0] == "safe" and dy < 0:
            dy = 0
        if dy:
            for child in flow:
                child.translate(0, dy)
                if not isinstance(child, AbsolutePlaceholder) and child.style["position"] == "static":
                    keep_offset_boxes(child, dy)
        return result

    block.block_container_layout = layout


def _primary_font_line_metrics() -> None:
    """A run of text sits on the baseline its element's first font gives it, as in Chromium: with a
    `line-height` other than `normal`, glyphs taken from a fallback font (Korean in Lato, say) do not move the
    baseline nor make the line taller. WeasyPrint 70 centres each run in its line height by the ascent and
    descent of all the fonts Pango used, so lines of mixed scripts came out taller, 5px a line in gaia."""
    from weasyprint.layout import inline
    from weasyprint.text.line_break import strut

    original = inline.split_text_box

    def split_text_box(context, box, *args, **kwargs):
        new_box, skip, preserved_line_break = original(context, box, *args, **kwargs)
        if new_box is not None and new_box.style["line_height"] != "normal":
            new_box.baseline = strut(new_box.style)[1]
        return new_box, skip, preserved_line_break

    inline.split_text_box = split_text_box


# Chromium's default fonts for the generic families on Linux (its font settings: standard and serif "Times
# New Roman", sans-serif "Arial"), which fontconfig resolves (Liberation Serif and Sans where installed);
# `system-ui` is the desktop's font: fontconfig's own sans-serif, named (fontconfig would prefer a later
# "Arial" of the list to its generic alias).
CHROMIUM_GENERIC_FAMILIES = {"serif": "Times New Roman", "sans-serif": "Arial"}
CHROMIUM_STANDARD_FAMILY = "Times New Roman"
GENERIC_FAMILIES = {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui", "ui-serif",
                    "ui-sans-serif", "ui-monospace", "ui-rounded", "math", "emoji", "fangsong"}


def _chromium_generic_families() -> None:
    """A font family list resolves as in Chromium, which draws Marp's PDF: `sans-serif` is Arial and `serif`
    Times New Roman (on Linux, Liberation Sans and Serif), and a list none of whose fonts is installed falls
    to the standard font, Times New Roman. WeasyPrint hands the generic names to fontconfig, whose defaults
    are DejaVu Sans and Serif, and a list with no generic family also ends in DejaVu Sans: a deck asking for
    `'Poppins', sans-serif` without Poppins installed was set wider than in Marp."""
    from weasyprint.css import computed_values, properties

    generic = dict(CHROMIUM_GENERIC_FAMILIES)
    system_ui = _fontconfig_family("sans-serif")
    if system_ui:
        generic["system-ui"] = system_ui

    def font_family(style, name, value):
        families = tuple(generic.get(family, family) for family in value)
        if not GENERIC_FAMILIES.intersection(value):
            families += (CHROMIUM_STANDARD_FAMILY,)
        return families

    computed_values.COMPUTER_FUNCTIONS["font_family"] = font_family
    properties.INITIAL_NOT_COMPUTED.add("font_family")


def _fontconfig_family(name: str) -> str | None:
    """The family fontconfig picks for `name` (a generic family), through WeasyPrint's own binding."""
    from weasyprint.text.ffi import ffi, fontconfig

    pattern = fontconfig.FcPatternCreate()
    try:
        fontconfig.FcPatternAddString(pattern, b"family", name.encode())
        fontconfig.FcConfigSubstitute(ffi.NULL, pattern, fontconfig.FcMatchPattern)
        fontconfig.FcDefaultSubstitute(pattern)
        match = fontconfig.FcFontMatch(ffi.NULL, pattern, ffi.new("FcResult *"))
        if match == ffi.NULL:
            return None
        try:
            family = ffi.new("FcChar8 **")
            if fontconfig.FcPatternGetString(match, b"family", 0, family) != fontconfig.FcResultMatch:
                return None
            return ffi.string(family[0]).decode()
        finally:
            fontconfig.FcPatternDestroy(match)
    finally:
        fontconfig.FcPatternDestroy(pattern)


PANGO_SCALE = 1024   # Pango's units per pixel


def _line_width_rounded_up() -> None:
    """Text laid out at its own max-content width stays on one line, as in Chromium. WeasyPrint 70 hands
    Pango the line's available width truncated to whole Pango units (1/1024 px): a width measured between two
    units (any `letter-spacing` in `em`) came out a hair short and the last word wrapped. A flex column item's
    automatic minimum height was laid out at that width, so a heading with `letter-spacing: -0.02em` stood two
    lines tall. The width is rounded up to the next unit instead."""
    import math

    from weasyprint.text import line_break

    original = line_break.create_layout

    def create_layout(text, style, context, max_width, justification_spacing):
        if max_width is not None and math.isfinite(max_width):
            max_width = math.ceil(max_width * PANGO_SCALE) / PANGO_SCALE
        return original(text, style, context, max_width, justification_spacing)

    line_break.create_layout = create_layout


# WeasyPrint names each raster image of a PDF (`/i918b16c7... Do`) after an MD5 digest of the URL it loaded
# it from, which for a deck's own images is a `file:` URL holding the folder's absolute path: the same deck
# built in `~/talks/` and in a CI checkout gave PDFs that differed in those bytes. While a deck is laid out
# (`deck_folder`), the digest of a URL below the deck's folder is taken of its path relative to the folder.
# A name only has to be unique within the PDF: a relative path is, among the deck's own images, and any other
# URL (outside the folder, remote, `data:`) is digested whole, as before, behind a different prefix. A prepared
# image (downscaled, filtered) is a file named by its content wherever its folder is: named by that name.
_FOLDER_URL: ContextVar[bytes | None] = ContextVar("slidekit_deck_folder_url", default=None)
_RELATIVE = b"slidekit-deck-folder:"    # (not the start of any URL WeasyPrint loads: it has no scheme)
# A prepared image's file (export/image_prep.py) is in the cache's folder or a temporary one: named by its file.
_PREPARED = b"slidekit-prepared-images"
_PREPARED_URL = re.compile(rb"^file:.*/slidekit-prepared-images[^/]*/([^/]+)$")


def _image_names() -> None:
    from weasyprint import images

    real = hashlib.md5

    def md5(data: bytes = b"", **kwargs):
        folder = _FOLDER_URL.get()
        found = _PREPARED_URL.search(data) if b"/" + _PREPARED in data else None
        if found:            # a prepared image (export/image_prep.py): its file is named by its content
            data = _PREPARED + b":" + found[1]
        elif folder is not None and data.startswith(folder):
            data = _RELATIVE + data[len(folder):]
        return real(data, **kwargs)

    images.md5 = md5


@contextlib.contextmanager
def deck_folder(folder: str | Path):
    """Images loaded meanwhile (in this thread or task) from below `folder` are named by their relative path."""
    token = _FOLDER_URL.set((Path(folder).resolve().as_uri().rstrip("/") + "/").encode())
    try:
        yield
    finally:
        _FOLDER_URL.reset(token)


# WeasyPrint stores a PNG's pixels in the PDF as PNG data (deflated rows, each with its filter byte), which it
# makes by decoding the PNG and encoding it again with Pillow: for a deck of full-slide PNGs (slides exported
# as pictures, screenshots) most of the PDF's time. A PNG that already holds its pixels as the PDF stores them
# (8 bits a sample, RGB or grey, no transparency, not interlaced) gives its image data as it is; the
# pixels are the same, so is every page, and the data is deflated as its maker deflated it.
def _png_data_as_is() -> None:
    from weasyprint.images import RasterImage

    real = RasterImage._get_png_data

    def get_png_data(pillow_image):
        found = _png_image_data(pillow_image)
        return found if found is not None else real(pillow_image)

    RasterImage._get_png_data = staticmethod(get_png_data)


# WeasyPrint turns every image that has EXIF data upright with Pillow's `exif_transpose`, which copies the
# image even when its orientation is upright already (a camera's JPEG, an exported slide's PNG): the copy has
# lost the file's bytes, so WeasyPrint encodes the pixels again (a JPEG at its default quality 75, a loss).
# An image whose EXIF orientation is 1 (or none) is kept as it is, as one without EXIF data is.
def _upright_kept() -> None:
    from weasyprint import images

    real = images.rotate_pillow_image

    def rotate_pillow_image(pillow_image, orientation):
        if orientation == "from-image" and "exif" in pillow_image.info:
            try:
                turn = int(pillow_image.getexif().get(0x0112, 1))
            except Exception:  # noqa: BLE001 - a damaged EXIF block: WeasyPrint's own way
                turn = None
            if turn == 1:
                return pillow_image
        return real(pillow_image, orientation)

    images.rotate_pillow_image = rotate_pillow_image


def _png_image_data(pillow_image) -> bytes | None:
    """The IDAT data of the PNG file `pillow_image` was opened from, if the PDF can store it as it is."""
    source = getattr(pillow_image, "fp", None)
    if getattr(pillow_image, "format", None) != "PNG" or not hasattr(source, "getbuffer") \
            or pillow_image.mode not in ("RGB", "L"):
        return None
    data = source.getbuffer()
    if bytes(data[:8]) != b"\x89PNG\r\n\x1a\n":
        return None
    parts, at = [], 8
    while at + 8 <= len(data):
        length, kind = int.from_bytes(data[at:at + 4], "big"), bytes(data[at + 4:at + 8])
        body = data[at + 8:at + 8 + length]
        if kind == b"IHDR":
            # bit depth 8, colour type 2 (RGB) or 0 (grey), interlace 0
            if length < 13 or body[8] != 8 or body[9] not in (0, 2) or body[12] != 0:
                return None
            if (body[9] == 2) != (pillow_image.mode == "RGB"):
                return None
        elif kind == b"tRNS":
            return None
        elif kind == b"IDAT":
            parts.append(bytes(body))
        elif kind == b"IEND":
            break
        at += 12 + length
    return b"".join(parts) or None


MARGIN_BOXES = tuple(f"@{side}-{where}" for side, places in (
    ("top", ("left-corner", "left", "center", "right", "right-corner")),
    ("bottom", ("left-corner", "left", "center", "right", "right-corner")),
    ("left", ("top", "middle", "bottom")), ("right", ("top", "middle", "bottom"))) for where in places)


_BROKEN_OUT_OF_FLOW: list = []     # [boxes broken out of flow so far in this process], once counted


def _broken_out_of_flow_counted() -> None:
    """WeasyPrint breaks an absolutely placed or floated box that runs past its page and keeps the rest for
    the next page, which it drops when no next page comes. A slide laid out as a block (export/pdf.py) can
    so lose the end of a split slide's column, its footer with it, on a single page: the boxes broken are
    counted, so that such a slide is laid out again the way that clips it."""
    from weasyprint.layout import LayoutContext

    add = LayoutContext.add_broken_out_of_flow

    def counted(self, *args, **kwargs):
        _BROKEN_OUT_OF_FLOW[0] += 1
        return add(self, *args, **kwargs)

    LayoutContext.add_broken_out_of_flow = counted
    _BROKEN_OUT_OF_FLOW[:] = [0]


def broken_out_of_flow() -> int | None:
    """How many boxes WeasyPrint has broken out of flow in this process so far; None when they are not
    counted (another WeasyPrint version)."""
    return _BROKEN_OUT_OF_FLOW[0] if _BROKEN_OUT_OF_FLOW else None


def _skip_empty_margin_boxes() -> None:
    """WeasyPrint makes the sixteen margin boxes of every page, to find that none is to be shown when none
    has a style (a margin box without a `content` is not shown). A page none of whose margin boxes has a
    style skips them at once (the same pages: export/weasy_ua.py's lean stylesheet gives them none)."""
    from weasyprint import layout

    original = layout.make_margin_boxes

    def make_margin_boxes(context, page, state):
        style_for = context.style_for
        if any(style_for(page.page_type, box) is not None for box in MARGIN_BOXES):
            yield from original(context, page, state)

    layout.make_margin_boxes = make_margin_boxes


# cffi ----------------------------------------------------------------------------------------------------
_FIXED_ARRAY = re.compile(r"([A-Za-z_][A-Za-z0-9_]*(?: [A-Za-z_][A-Za-z0-9_]*)*) ?\[([0-9]+)\]")
_ARRAY_ITEMS = ("primitive", "struct", "union", "enum", "pointer")


def _fixed_array_types() -> None:
    """cffi makes the type for `T[N]` (an array of N items) from the type `T *` rather than by parsing C.

    cffi turns each new C type string into a type by running pycparser over it, behind a declaration of
    every type name the FFI knows. A string is parsed once per process, but WeasyPrint asks for
    `hb_codepoint_t[42]`, `[11]`, `[138]`... a new length for each font it embeds, in each chunk of a deck.
    The type is the very object cffi makes (its type cache, `cffi.model.global_cache`, is asked with the
    same key as its own `ArrayType` does). Anything else, and arrays of what is not a plain value, struct,
    union, enum or pointer, is parsed as before. Only WeasyPrint's FFI is changed."""
    from cffi import model
    ffi = getattr(sys.modules.get("weasyprint.text.ffi"), "ffi", None)
    parse = type(ffi)._typeof_locked
    if "_typeof_locked" in vars(ffi) or not isinstance(ffi._parsed_types, dict):
        return

    def typeof_locked(cdecl):           # (called by cffi with the FFI's lock held)
        found = _FIXED_ARRAY.fullmatch(cdecl) if type(cdecl) is str else None
        if found is None or cdecl in ffi._parsed_types:
            return parse(ffi, cdecl)
        pointer, is_function = parse(ffi, found.group(1) + " *")
        if is_function or pointer.kind != "pointer" or pointer.item.kind not in _ARRAY_ITEMS:
            return parse(ffi, cdecl)
        result = model.global_cache(None, ffi, "new_array_type", pointer, int(found.group(2))), False
        ffi._parsed_types[cdecl] = result
        return result

    ffi._typeof_locked = typeof_locked


# pydyf ---------------------------------------------------------------------------------------------------
DEFLATE_LEVEL = 6       # pydyf deflates every stream at level 9: 2-4 times the time for 1 % smaller files


def _deflate_level() -> None:
    """pydyf's streams compressed at DEFLATE_LEVEL (pydyf has no setting for it), by zlib-ng: zlib's work at
    that level in about half the time, into streams as small."""
    from zlib_ng import zlib_ng

    import pydyf
    pydyf.zlib = types.SimpleNamespace(
        compress=zlib_ng.compress, compressobj=lambda *args, **kwargs: zlib_ng.compressobj(DEFLATE_LEVEL))


def _page_references_memo() -> None:
    """pydyf rebuilds the tuple of all page references each time one is asked for, and WeasyPrint asks once
    per tagged element: writing the PDF grew with pages x elements. The tuple is kept until a page is
    added; the bytes written are the same."""
    import pydyf

    def page_references(self):
        kids = self.pages["Kids"]
        kept = self.__dict__.get("_sk_page_references")
        if kept is None or kept[0] != len(kids):
            kept = (len(kids), tuple(f"{number} 0 R".encode("ascii") for number in kids[::3]))
            self.__dict__["_sk_page_references"] = kept
        return kept[1]

    pydyf.PDF.page_references = property(page_references)


# python-pptx ---------------------------------------------------------------------------------------------
ZIP_DATE = (1980, 1, 1, 0, 0, 0)        # the zip format's first day: no build time in the file
STORED_SUFFIXES = (".jpeg", ".jpg", ".png", ".gif")     # compressed already: deflating them again buys nothing


def zip_member(name: str):
    """The `zipfile.ZipInfo` a PPTX member is written with: dated ZIP_DATE, stored or deflated."""
    import zipfile
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_STORED if name.lower().endswith(STORED_SUFFIXES) else zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16
    return info


_PPTX_TRIED: list = []


def install_pptx() -> bool:
    """Put python-pptx's patch in place (once a process); whether it is (False for another version, whose
    files export/pptx.py then rewrites with `zip_member`)."""
    with _LOCK:
        if not _PPTX_TRIED:
            _PPTX_TRIED.append(True)
            if version_ok("python-pptx"):
                for patch in (_pptx_zip_members, _pptx_linear_slide_adds):
                    try:
                        patch()
                    except Exception:  # noqa: BLE001 - the library as it is (the zip is rewritten instead)
                        pass
        from pptx.opc import serialized
        return getattr(serialized._ZipPkgWriter.write, "__module__", "") == __name__


def _pptx_zip_members() -> None:
    """python-pptx writes each part with `ZipFile.writestr(name, blob)`: dated now and deflated, photos
    included. Each goes in as `zip_member` says instead."""
    from pptx.opc import serialized

    def write(self, pack_uri, blob):
        self._zipf.writestr(zip_member(pack_uri.membername), blob)

    serialized._ZipPkgWriter.write = write


def _pptx_linear_slide_adds() -> None:
    """Adding a slide cost python-pptx time in proportion to the slides already there, twice over: the new
    slide's id is the highest in use plus one, found by reading every `p:sldId` id (as text, through XPath);
    and relating a part to another looks for an existing relationship by grouping all of the part's
    relationships by type, then comparing. Here the id is the last slide's plus one (slides are only
    appended, each with the highest id yet, so the last is the highest), and a part's relationships are
    indexed by (type, external, target) once, the index kept as relationships are added and dropped when one
    is removed or all are loaded again: the same ids and rIds (the first match in order), the same bytes."""
    from pptx.opc.package import _Relationships
    from pptx.oxml.presentation import CT_SlideIdList

    def next_id(self):
        last = self[-1] if len(self) else None
        return max(255, int(last.get("id"))) + 1 if last is not None and last.get("id", "").isdigit() else 256

    def key(reltype, target, is_external):
        return reltype, is_external, target if is_external else id(target)   # (a part equals itself alone)

    def index_of(rels) -> dict:
        index = rels.__dict__.get("_sk_index")
        if index is None:
            index = rels.__dict__["_sk_index"] = {}
            for rel in rels._rels.values():
                target = rel.target_ref if rel.is_external else rel.target_part
                index.setdefault(key(rel.reltype, target, rel.is_external), rel.rId)
        return index

    def get_matching(self, reltype, target, is_external=False):
        return index_of(self).get(key(reltype, target, is_external))

    real_add, real_pop, real_load = (_Relationships._add_relationship, _Relationships.pop,
                                     _Relationships.load_from_xml)

    def add_relationship(self, reltype, target, is_external=False):
        rId = real_add(self, reltype, target, is_external)
        if "_sk_index" in self.__dict__:
            self.__dict__["_sk_index"].setdefault(key(reltype, target, is_external), rId)
        return rId

    def pop(self, rId):
        self.__dict__.pop("_sk_index", None)
        return real_pop(self, rId)

    def load_from_xml(self, *args, **kwargs):
        self.__dict__.pop("_sk_index", None)
        return real_load(self, *args, **kwargs)

    CT_SlideIdList._next_id = property(next_id)
    _Relationships._get_matching = get_matching
    _Relationships._add_relationship = add_relationship
    _Relationships.pop = pop
    _Relationships.load_from_xml = load_from_xml
    _pptx_partnames_kept()


def _pptx_partnames_kept() -> None:
    """python-pptx names each new part (a slide's notes, a theme, an embedded object) by walking the whole
    package's graph of parts for the names in use: the notes of a 1,000-slide deck walked it a thousand
    times, most of the PPTX's time. The names in use are found once a package and kept, each name handed out
    added to them (every one names the part made at once): the same names, as python-pptx counts down from
    one past the number in use."""
    from pptx.opc.package import OpcPackage, PackURI

    real = OpcPackage.next_partname

    def next_partname(self, tmpl):
        prefix = tmpl[: (tmpl % 42).find("42")]
        kept = self.__dict__.setdefault("_sk_partnames", {})
        names = kept.get(prefix)
        if names is None:
            names = kept[prefix] = {str(p.partname) for p in self.iter_parts() if p.partname.startswith(prefix)}
        for n in range(len(names) + 1, 0, -1):
            candidate = tmpl % n
            if candidate not in names:
                names.add(candidate)
                return PackURI(candidate)
        return real(self, tmpl)

    OpcPackage.next_partname = next_partname


# pypdf ---------------------------------------------------------------------------------------------------
def add_object(writer, obj):
    """Add `obj` to the PDF `writer` as an indirect object; its reference. pypdf has no public way to, and
    its `_add_object` has done this since PyPDF2."""
    return writer._add_object(obj)


# cssselect2 ---------------------------------------------------------------------------------------------
def _compiled_selector_memo() -> None:
    """`ElementWrapper.query_all('style', 'link')` compiles its selectors into Python code (`eval`) on every
    call, and WeasyPrint makes a few such calls for each document: one document a slide here. The tests
    compiled from the same text are the same pure functions, so they are kept by that text."""
    from cssselect2 import tree

    compile_selectors = tree.ElementWrapper._compile
    compiled: dict[tuple, list] = {}

    def _compile(selectors):
        if not all(isinstance(selector, str) for selector in selectors):
            return compile_selectors(selectors)
        tests = compiled.get(selectors)
        if tests is None:
            if len(compiled) >= 256:         # (a program querying many texts: kept bounded)
                compiled.clear()
            tests = compiled[selectors] = compile_selectors(selectors)
        return tests

    tree.ElementWrapper._compile = staticmethod(_compile)


_PATCHES = {
    "weasyprint": (_svg_current_colour, _list_shapes, _relative_font_size, _flex_row_gap, _flex_item_minimums,
                   _block_align_content, _primary_font_line_metrics, _line_width_rounded_up,
                   _chromium_generic_families, _image_names, _skip_empty_margin_boxes, _png_data_as_is,
                   _upright_kept, _broken_out_of_flow_counted),
    "cssselect2": (_compiled_selector_memo,),
    "cffi": (_fixed_array_types,),
    "pydyf": (_deflate_level, _page_references_memo),
}
