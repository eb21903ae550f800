"""A compiled Deck to HTML: each slide as a `<section>` following Marp's contract, then the document."""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass
from pathlib import Path

from ..deck.directives import DIRECTIVES
from ..deck.model import Deck, Slide
from ..markdown import create_markdown, parse_tokens
from ..markdown.html_filter import is_safe_url
from ..markdown.images import ImageSpec
from ..markdown.html_filter import check_srcsets, truncate_html
from ..markdown.renderer import ImageResolver, SlideRenderer
from .css import SECTION, img_size_hints, list_start_hints, rem_to_px, root_font_px, scope_css, style_element_text
from .page import render_page

_SAFE_VAR = re.compile(r"^[^;{}<>\"\\]*$")
_CSS_URL = re.compile(r"""url\(\s*(["']?)([^"')]+)\1\s*\)""")
_CSS_IMPORT = re.compile(r"""@import\s+(["'])([^"'\n]*)\1""")
_RAW_SRC = re.compile(r"""(\s(?:src|poster|background)=")([^"]*)(")""")


@functools.lru_cache(maxsize=256)   # a few directive names, on every slide
def kebab(name: str) -> str:
    return re.sub(r"([A-Z])", lambda m: "-" + m.group(1).lower(), name)


@dataclass
class RenderOptions:
    """How slides are rendered: for HTML or PDF, raw HTML allowed or not, images and code."""

    target: str = "html"              # "html" or "pdf"
    allow_html: bool = False
    resolve_image: ImageResolver | None = None


# A slide shows a few thousand characters at most. Beyond these, the PDF's layout of one slide takes
# minutes (a table of thousands of cells), so a pathological slide is cut, with a warning.
MAX_SLIDE_TEXT = 20_000
MAX_SLIDE_ELEMENTS = 1_500


def render_slides(deck: Deck, options: RenderOptions) -> None:
    """Fill in each slide's content, header, footer and notes HTML."""
    allow_html = options.allow_html   # only the user trusts a deck: its own `html: true` does not
    if deck.globals.get("html") is True and not allow_html:
        deck.diagnostics.warning("html-directive", "the deck sets `html: true`; its raw HTML stays filtered "
                                 "unless you trust it with --html", file=deck.file)
    renderer = SlideRenderer(allow_html=allow_html, target=options.target, resolve_image=options.resolve_image)
    md = create_markdown(renderer)
    notes_md = create_markdown(SlideRenderer(allow_html=False, target=options.target))
    # A header or footer is usually the same on every slide: each text is rendered once. Its HTML depends on
    # the text alone (the deck's links, the images' resolver that keeps its answers and reports a problem
    # once, an empty stack of open tags: the slide's own were closed just before).
    inline_html: dict[str, str] = {}

    def inline(value) -> str:
        key = str(value) if value else ""
        if key not in inline_html:
            inline_html[key] = _inline(md, deck, value)
        return inline_html[key]

    for slide in deck.slides:
        if hasattr(options.resolve_image, "slide"):  # so that image warnings name their slide
            options.resolve_image.slide, options.resolve_image.line = slide.number, slide.line
        renderer.begin_slide()
        slide.html = renderer.render_tokens(slide.tokens, _State(deck.markdown_env)) + renderer.close_open_tags()
        if options.target == "pdf":
            slide.html, cut = truncate_html(slide.html, MAX_SLIDE_TEXT, MAX_SLIDE_ELEMENTS)
            if cut:
                deck.diagnostics.warning(
                    "slide-too-long", f"the slide holds far more than a slide can show; the PDF lays out only its "
                    f"first {MAX_SLIDE_TEXT:,} characters and {MAX_SLIDE_ELEMENTS:,} elements",
                    file=deck.file, line=slide.line, slide=slide.number)
        slide.fragments = renderer.fragments
        slide.header_html = inline(slide.directives.get("header"))
        slide.footer_html = inline(slide.directives.get("footer"))
        for bg in slide.backgrounds:
            bg.src = renderer.resolve_image(bg.url, bg.spec)
        if slide.notes:
            tokens, state = parse_tokens(notes_md, "\n\n".join(slide.notes))
            slide.notes_html = notes_md.renderer.render_tokens(tokens, state) + notes_md.renderer.close_open_tags()
    _refuse_outside_urls(deck, options)


def _refuse_outside_urls(deck: Deck, options: RenderOptions) -> None:
    """The deck's own CSS (`<style>`, `style`) and its raw HTML's `src` attributes keep no address of a file
    outside its folder (nor a remote one with --offline): such a `url()` becomes `none`, with a warning
    that names the file and, where known, the slide. Neither the browser nor the PDF then reads it."""
    check = getattr(options.resolve_image, "css_url", None)
    if check is None:
        return
    resolver = options.resolve_image
    resolver.slide, resolver.line = None, None      # where a global <style> came from is not kept
    deck.global_css[:] = [_check_css(css, check) for css in deck.global_css]
    for slide in deck.slides:
        resolver.slide, resolver.line = slide.number, slide.line
        slide.scoped_css[:] = [_check_css(css, check) for css in slide.scoped_css]
        for name in ("html", "header_html", "footer_html"):
            text = getattr(slide, name)
            if "=\"" in text:
                setattr(slide, name, check_srcsets(_RAW_SRC.sub(lambda m: _checked_attr(m, check), text), check))


def _check_css(css: str, check) -> str:
    def url(m: re.Match) -> str:
        return m.group(0) if check(m.group(2)) == m.group(2).strip() else "none"

    def import_(m: re.Match) -> str:
        return m.group(0) if check(m.group(2)) == m.group(2).strip() else '@import ""'
    if "url(" not in css and "@import" not in css:
        return css
    return _CSS_IMPORT.sub(import_, _CSS_URL.sub(url, css))


def _checked_attr(m: re.Match, check) -> str:
    value = html.unescape(m.group(2))
    if not value.strip() or value.startswith("data:") or check(value) == value.strip():
        return m.group(0)
    return m.group(1) + m.group(3)


class _State:
    """The little of mistune's BlockState that rendering needs."""

    def __init__(self, env: dict):
        self.env = env


def _inline(md, deck: Deck, text) -> str:
    if not text:
        return ""
    tokens = md.inline(str(text), dict(deck.markdown_env))
    return (md.renderer.render_tokens(tokens, _State(deck.markdown_env)) + md.renderer.close_open_tags()).strip()


# Sections ------------------------------------------------------------------------------------------
def section_html(deck: Deck, slide: Slide, total_slides: int, options: RenderOptions,
                 pagination_total: int | None = None, width: int = 1280, shared: dict | None = None) -> str:
    d = slide.directives
    attrs: list[tuple[str, str]] = [("id", str(slide.number))]
    classes = str(d.get("class") or "").split()
    if classes:
        attrs.append(("class", " ".join(classes)))
    if deck.globals.get("lang"):
        attrs.append(("lang", str(deck.globals["lang"])))
    if deck.globals.get("theme"):
        attrs.append(("data-theme", str(deck.globals["theme"])))
    if deck.globals.get("math") == "katex":   # marp-core's engines: mathjax (default) or katex; sizes differ
        attrs.append(("data-math", "katex"))
    style: list[str] = []
    for name, value in d.items():
        directive = DIRECTIVES[name]
        text = _attr_value(value)
        if name == "backgroundImage" and hasattr(options.resolve_image, "css_url"):
            text = _check_css(text, options.resolve_image.css_url)   # no refused path in the attributes
        attrs.append(("data-" + kebab(name), text))
        if _SAFE_VAR.match(text) and name not in ("header", "footer"):
            style.append(f"--{kebab(name)}:{text}")
        if directive.css and text and _SAFE_VAR.match(text.replace('"', "")):   # the value as written
            if name == "backgroundImage":
                # our own url("..."), quoted: the `;` of an embedded image's data: URL is no declaration's end
                text = _resolve_css_urls(text, options)
            style.append(f"{directive.css}:{text}")
    if d.get("backgroundColor") and not d.get("backgroundImage"):
        style.append("background-image:none")  # as Marp: the colour replaces a theme's gradient too
    if slide.pagination is not None:
        attrs.append(("data-marpit-pagination", str(slide.pagination)))
        total_pages = deck.pagination_total if pagination_total is None else pagination_total
        attrs.append(("data-marpit-pagination-total", str(total_pages)))
    if slide.fragments:
        attrs.append(("data-marpit-fragments", str(slide.fragments)))
    if slide.scoped_css:
        attrs.append(("data-sk-scope", str(slide.number)))
    if slide.backgrounds:   # Marp's markers, for deck CSS written against Marp's background layers
        attrs.append(("data-marpit-advanced-background", "content"))
        if slide.split:
            attrs.append(("data-marpit-advanced-background-split", slide.split))
    if slide.split:
        attrs.append(("data-sk-split", slide.split))
        style.append(f"--sk-split:{slide.split_size}")
    if d.get("fit") is True:   # `fit: true`: the HTML's fit.js shrinks the slide in the browser
        attrs.append(("data-sk-fit", "slide"))
    fit_font = getattr(slide, "sk_fit_font", None)   # `fit: true` in the PDF, measured by slidekit/markdown/fit.py
    if fit_font:
        attrs.append(("data-sk-fit-scale", _num(getattr(slide, "sk_fit_scale", 1.0))))
        style.append(f"font-size:{_num(fit_font)}px")
    label = f"Slide {slide.number} of {total_slides}" + (f": {slide.title}" if slide.title else "")
    attrs.append(("aria-label", label))
    if style:
        attrs.append(("style", ";".join(style)))
    open_tag = "<section" + "".join(f' {k}="{html.escape(v)}"' for k, v in attrs) + ">"

    content = ""
    if slide.header_html or _written(d.get("header")):
        content += f"<header>{slide.header_html}</header>\n"
    content += slide.html
    if slide.footer_html or _written(d.get("footer")):
        content += f"<footer>{slide.footer_html}</footer>\n"
    if slide.split:
        left, box_width = _content_box(slide, width)
        content = f'<div class="sk-split" style="left:{left}px;width:{box_width}px">\n{content}</div>\n'
    return f"{open_tag}\n{_backgrounds_html(slide, options, shared or {})}{content}</section>"


def _written(value) -> bool:
    """Whether a header or footer directive gives the slide its element: as Marpit, any value but an empty one
    (`footer: " "` is an empty-looking footer that still counts as the slide's last child)."""
    return value is not None and value is not False and value != ""


def _attr_value(value) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return str(value)


def _percent(text: str) -> float:
    try:
        return max(0.0, min(100.0, float(text.rstrip("%"))))
    except ValueError:
        return 50.0


def _content_box(slide: Slide, width: int) -> tuple[str, str]:
    """The content's box beside a split background, in px: WeasyPrint lays out an absolutely positioned
    flex box with a percentage width wrongly (paragraph heights come out wrong)."""
    side = _percent(slide.split_size) * width / 100
    left = side if slide.split == "left" else 0.0
    return _num(left), _num(width - side)


def _num(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".")


def _backgrounds_html(slide: Slide, options: RenderOptions, shared: dict) -> str:
    if not slide.backgrounds:
        return ""
    region_left, region_width = 0.0, 100.0
    if slide.split:
        region_width = _percent(slide.split_size)
        region_left = 0.0 if slide.split == "left" else 100.0 - region_width
    vertical = slide.bg_direction == "vertical"
    count = len(slide.backgrounds)
    figures = []
    for i, bg in enumerate(slide.backgrounds):
        if vertical:
            box = (region_left, 100.0 * i / count, region_width, 100.0 / count)
        else:
            box = (region_left + region_width * i / count, 0.0, region_width / count, 100.0)
        style = [f"left:{_num(box[0])}%", f"top:{_num(box[1])}%", f"width:{_num(box[2])}%",
                 f"height:{_num(box[3])}%"]
        style = [html.escape(part) for part in style]   # escaped part by part: ";" needs no escaping
        if bg.src:
            name = shared.get(bg.src)
            style.append(f"background-image:var({name})" if name else _escaped_bg_image(bg.src))
        style.append(html.escape(f"background-size:{_bg_size(bg.spec)}"))
        if bg.spec.filters and options.target == "html":
            style.append(html.escape(f"filter:{bg.spec.css_filter}"))
        elif bg.spec.filters and bg.spec.opacity < 1:     # the PDF's other filters are in the pixels
            style.append(f"opacity:{_num(bg.spec.opacity)}")
        alt = f' title="{html.escape(bg.spec.alt)}"' if bg.spec.alt else ""
        figures.append(f'<figure style="{";".join(style)}"{alt}></figure>')
    direction = "vertical" if vertical else "horizontal"
    return (f'<div class="sk-bg" data-direction="{direction}" data-marpit-advanced-background-container'
            f' data-marpit-advanced-background-direction="{direction}" aria-hidden="true">'
            + "".join(figures) + "</div>\n")


@functools.lru_cache(maxsize=64)
def _escaped_bg_image(src: str) -> str:
    """`background-image:url("...")`, escaped for a style attribute. Kept: an embedded image (a data: URL of
    tens of kilobytes) behind many slides is escaped once, not once a slide."""
    return html.escape(f'background-image:url("{_css_url(src)}")')


def _bg_size(spec: ImageSpec) -> str:
    if spec.width or spec.height:
        return f"{spec.width or 'auto'} {spec.height or 'auto'}"
    return spec.size or "cover"


def _css_url(url: str) -> str:
    return url.replace("\\", "%5C").replace('"', "%22").replace("\n", "").replace(")", "%29")


def _resolve_css_urls(value: str, options: RenderOptions) -> str:
    if not options.resolve_image:
        return value
    return _CSS_URL.sub(lambda m: f'url("{_css_url(options.resolve_image(m.group(2), ImageSpec()))}")', value)


# Stylesheet and document ---------------------------------------------------------------------------
def asset_text(name: str) -> str:
    # The package is always installed as files (a wheel), so a path is enough: importlib.resources would
    # load zipfile and friends on every start.
    return (Path(__file__).parent / "assets" / name).read_text(encoding="utf-8")


def slide_stylesheet(deck: Deck, theme_css: str, size: tuple[int, int]) -> str:
    """Scaffold, theme, the deck's own CSS, scoped slides' CSS and the size, all scoped to slides."""
    width, height = size
    root_px = root_font_px(theme_css, *deck.global_css)
    # files the deck's CSS imports come first, as Marpit hoists @import (render/css_imports.py)
    slide_htmls = [text for slide in deck.slides for text in (slide.html, slide.header_html, slide.footer_html)]
    parts = [img_size_hints(*slide_htmls), list_start_hints(*slide_htmls)]
    parts += [scope_css(rem_to_px(css, root_px)) for css in deck.imported_css]
    parts += [scope_css(asset_text("scaffold.css")), scope_css(rem_to_px(theme_css, root_px))]
    parts.append(scope_css(asset_text("highlight.css")))  # code colours (markdown/highlight.py)
    parts += [scope_css(rem_to_px(css, root_px)) for css in deck.global_css]
    for slide in deck.slides:
        for css in slide.scoped_css:
            parts.append(scope_css(rem_to_px(css, root_px), f'{SECTION}[data-sk-scope="{slide.number}"]'))
    parts.append(f"{SECTION} {{ width: {width}px; height: {height}px; }}\n")
    parts.append(scope_css(asset_text("layers.css")))
    parts.append(f"@page {{ size: {width}px {height}px; margin: 0; }}\n")
    return "".join(parts)


def _safe_meta_url(value, image: bool = False):
    """og:url / og:image: no javascript:, vbscript: or non-image data: URLs, even in a meta tag."""
    return value if value and is_safe_url(str(value), image=image) else None


# A background image used on several slides is embedded once: its data: URL becomes a custom property of the
# page, and each slide's figure refers to it (a deck with the same picture behind 200 slides would otherwise
# carry it 200 times). Only base64 URLs, whose characters need no escaping in CSS, are shared.
_EMBEDDED_BG_START = "background-image:url(&quot;"
_EMBEDDED_BG_END = "&quot;)"
_EMBEDDED_BG_URL = re.compile(r"data:image/[a-z0-9.+-]+;base64,[A-Za-z0-9+/=]{1024,}")


def _embedded_backgrounds(section: str, known: dict) -> list[tuple[int, int, str]]:
    """(start, end, data URL) of each `background-image:url(&quot;data:…&quot;)` in a section.

    The same picture behind many slides is a long URL (tens of kB) many times over: each distinct URL is
    checked once, and found again by comparing it in place (`known`: (length, first 64 characters) -> the
    URLs seen and whether they qualify), without copying or hashing it again."""
    found, pos = [], 0
    while (start := section.find(_EMBEDDED_BG_START, pos)) >= 0:
        url_start = start + len(_EMBEDDED_BG_START)
        url_end = section.find(_EMBEDDED_BG_END, url_start)
        if url_end < 0:
            break
        seen = known.setdefault((url_end - url_start, section[url_start:url_start + 64]), [])
        match = next((entry for entry in seen if section.startswith(entry[0], url_start)), None)
        if match is None:
            url = section[url_start:url_end]
            match = (url, _EMBEDDED_BG_URL.fullmatch(url) is not None)
            seen.append(match)
        url, ok = match
        if ok:
            found.append((start, url_end + len(_EMBEDDED_BG_END), url))
            pos = url_end + len(_EMBEDDED_BG_END)
        else:
            pos = url_start
    return found


def shared_backgrounds(deck: Deck) -> dict[str, str] | None:
    """`share_repeated_images` worked out from the slides' backgrounds before their sections are written:
    {data: URL: property name} for the embedded backgrounds used more than once, numbered as the scan of the
    sections numbers them (slide order, figure order), so that the sections never hold the repeated URL
    (tens of kilobytes, 300 times in the 1,000-slide bench deck). None when a slide may embed an image
    elsewhere (its raw HTML, header, footer or a directive's value, e.g. `backgroundImage`): then the
    sections are scanned."""
    counts: dict[str, int] = {}
    refused: set[str] = set()
    for slide in deck.slides:
        if slide.directives.get("backgroundImage") or any(   # (its url() is embedded when the section is written)
                "base64," in text for text in (slide.html, slide.header_html, slide.footer_html)) or any(
                "base64," in str(value) for value in slide.directives.values()):
            return None
        for bg in slide.backgrounds:
            src = bg.src
            if not src or src in refused:
                continue
            if src in counts:
                counts[src] += 1
            elif src.startswith("data:") and _EMBEDDED_BG_URL.fullmatch(src):
                counts[src] = 1
            else:
                refused.add(src)
    repeated = [url for url, count in counts.items() if count > 1]
    return {url: f"--sk-bg-{i}" for i, url in enumerate(repeated, start=1)}


def _shared_css(names: dict[str, str]) -> str:
    if not names:
        return ""
    return "\n:root {\n" + "".join(f'  {name}: url("{url}");\n' for url, name in names.items()) + "}\n"


def share_repeated_images(sections: list[str]) -> tuple[list[str], str]:
    """The sections with repeated embedded backgrounds replaced by `var(--sk-bg-N)`, and the CSS that
    defines those properties (empty when nothing repeats)."""
    counts: dict[str, int] = {}
    known: dict = {}
    found: list[list[tuple[int, int, str]]] = []   # each section's backgrounds, so that it is scanned once
    for section in sections:
        spans = _embedded_backgrounds(section, known) if "base64," in section else []
        for _, _, url in spans:
            counts[url] = counts.get(url, 0) + 1
        found.append(spans)
    names: dict[str, str] = {}
    for url, count in counts.items():
        if count > 1:
            names[url] = f"--sk-bg-{len(names) + 1}"
    if not names:
        return sections, ""

    shared = []
    for section, spans in zip(sections, found):
        pieces, end = [], 0
        for start, stop, url in spans:
            name = names.get(url)
            if name:
                pieces += [section[end:start], f"background-image:var({name})"]
                end = stop
        shared.append("".join(pieces) + section[end:] if pieces else section)
    return shared, _shared_css(names)


# An image that cannot be loaded is, in Chromium (Marp's PDF), an empty inline box that keeps its line a
# line high; WeasyPrint draws a broken image's alt text, but makes nothing of an empty alt, and the line
# goes (a paragraph of one missing `![](x.png)` vanishes, the text below moves up). A word joiner (U+2060,
# zero width, not collapsed) as the alt is that line, in the PDF only; a loaded image does not show its alt.
# (A no-break space would be a glyph of some fallback font, and cost CJK text its ToUnicode entries.)
_EMPTY_ALT = re.compile(r'(<img\b[^>]*?\salt=)""')
_KEEP_BROKEN_IMAGE_LINE = '\\1"&#8288;"'


def render_document(deck: Deck, stylesheet: str, size: tuple[int, int], options: RenderOptions,
                    theme_name: str, size_name: str) -> str:
    total = deck.slide_count
    paged = deck.pagination_total   # once: per slide it would make 10,000 slides quadratic
    html_target = options.target == "html"
    names = shared_backgrounds(deck) if html_target else {}
    sections = [section_html(deck, s, total, options, paged, width=size[0], shared=names) for s in deck.slides]
    if html_target:
        if names is None:
            sections, shared_css = share_repeated_images(sections)
        else:
            shared_css = _shared_css(names)
        stylesheet += shared_css
    g = deck.globals
    title = str(g.get("title") or next((s.title for s in deck.slides if s.title), "") or "Slides")
    if html_target:
        sections_html = "".join(f"{section}\n" for section in sections)
        notes_html = "".join(f'<aside class="sk-note" data-slide="{slide.number}">{slide.notes_html}</aside>\n'
                             for slide in deck.slides if slide.notes_html)
    else:   # each slide in its own page box (the template's CSS for the PDF)
        from markupsafe import escape
        sections = [_EMPTY_ALT.sub(_KEEP_BROKEN_IMAGE_LINE, section) for section in sections]
        page = f'<div class="sk-deck sk-page" data-theme="{escape(theme_name)}">'
        sections_html = "".join(f"{page}{section}</div>\n" for section in sections)
        notes_html = ""
    values = dict(
        target=options.target, lang=str(g.get("lang") or "en"), title=title,
        description=g.get("description"), author=g.get("author"), url=_safe_meta_url(g.get("url")),
        image=_safe_meta_url(g.get("image"), image=True), keywords=g.get("keywords"),
        width=size[0], height=size[1], theme=theme_name, size_name=size_name,
    )
    return render_page(values, dict(
        stylesheet=style_element_text(stylesheet), sections_html=sections_html, notes_html=notes_html,
        viewer_css=asset_text("viewer.css") if html_target else "",
        viewer_js=asset_text("viewer.js") if html_target else "",
        fit_js=asset_text("fit.js") if html_target else "",
    ))
