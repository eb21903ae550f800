"""The index page of a folder build (`slidekit build decks/ -o site/` writes `site/index.html`).

One card a deck: its title, a thumbnail of its title slide and links to its HTML and PDF. The page is one
self-contained file: the thumbnail is a small PNG of the PDF's first page inlined as a data: URL or, when only
HTML was built, a live copy of the first `<section>` scaled down inside a declarative shadow root, so that
each deck's theme reaches its own copy only (no iframe, no script). Nothing in it depends on the time or the
machine, so the same decks give the same bytes.
"""

from __future__ import annotations

import base64
import html
import re
from dataclasses import dataclass
from urllib.parse import quote

THUMB_WIDTH, THUMB_HEIGHT = 320, 180       # CSS pixels of a card's picture box (16:9)
THUMB_PIXELS = 480                         # PNG width: 1.5 device pixels a CSS pixel


@dataclass
class LiveCopy:
    """What it takes to draw a slide elsewhere: the deck's scoped slide CSS and the first section."""
    css: str
    section: str
    width: int
    height: int
    theme: str = ""


@dataclass
class SiteEntry:
    """One deck of a site's index page: its source, title, outputs and thumbnail."""

    source: str                       # the deck, relative to the folder built (posix)
    title: str
    slides: int = 0
    html: str | None = None           # outputs, relative to the site folder (posix)
    pdf: str | None = None
    thumbnail: bytes | None = None    # PNG
    live: LiveCopy | None = None
    failed: bool = False


_DECK_DIV = re.compile(r'<div class="sk-deck"([^>]*)>\n?')
_ATTR = re.compile(r'([a-z-]+)="([^"]*)"')
_STYLE = re.compile(r'<style id="sk-slides">(.*?)</style>', re.S)
_SCRIPT = re.compile(r"<script\b.*?(</script\s*>|$)", re.S | re.I)


def live_copy(document: str) -> LiveCopy | None:
    """The slide CSS and first section of a built HTML document (slidekit's own output, see
    docs/html-contract.md), or None when the document does not have them."""
    style = _STYLE.search(document)
    deck = _DECK_DIV.search(document)
    if not style or not deck:
        return None
    attrs = dict(_ATTR.findall(deck.group(1)))
    start = document.find('<section id="1"', deck.end())
    if start < 0:
        return None
    # sections are written one a line; the first ends where the second (or the deck's closing div) starts
    ends = [at for at in (document.find('\n<section id="2"', start), document.find('\n</div>\n<div class="sk-notes"',
                                                                                    start)) if at >= 0]
    if not ends:
        return None
    section = _SCRIPT.sub("", document[start:min(ends)])   # a copy is a picture: trusted decks' scripts stay out
    try:
        width, height = int(attrs.get("data-width", 1280)), int(attrs.get("data-height", 720))
    except ValueError:
        width, height = 1280, 720
    return LiveCopy(style.group(1), section, max(width, 1), max(height, 1), html.unescape(attrs.get("data-theme", "")))


def thumbnail(pdf: bytes, width: int = THUMB_PIXELS) -> bytes | None:
    """A PNG of the PDF's first page, `width` pixels wide."""
    from .images import CSS_PX_PER_PT, render_pages
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        if len(document) == 0:
            return None
        page_width = document[0].get_size()[0] * CSS_PX_PER_PT
    finally:
        document.close()
    pictures = render_pages(pdf, "png", scale=width / page_width, pages=[0])
    return pictures[0] if pictures else None


def _href(path: str) -> str:
    return html.escape(quote(path), quote=True)


def _live_html(copy: LiveCopy) -> str:
    scale = min(THUMB_WIDTH / copy.width, THUMB_HEIGHT / copy.height)
    left = (THUMB_WIDTH - copy.width * scale) / 2
    top = (THUMB_HEIGHT - copy.height * scale) / 2
    frame = (f":host{{all:initial;display:block;width:{THUMB_WIDTH}px;height:{THUMB_HEIGHT}px;overflow:hidden;"
             f"position:relative;contain:strict}}"
             f".sk-deck{{position:absolute;left:{left:g}px;top:{top:g}px;width:{copy.width}px;height:{copy.height}px;"
             f"transform:scale({scale:.6g});transform-origin:0 0;margin:0;pointer-events:none}}"
             ".sk-deck>section{position:relative;margin:0}")
    return (f'<div class="live" inert aria-hidden="true"><template shadowrootmode="open">'
            f"<style>{copy.css}</style><style>{frame}</style>"
            f'<div class="sk-deck" data-theme="{html.escape(copy.theme)}">{copy.section}</div>'
            f"</template></div>")


def _card(entry: SiteEntry) -> str:
    main = entry.html or entry.pdf
    if entry.thumbnail:
        data = base64.b64encode(entry.thumbnail).decode("ascii")
        picture = f'<img src="data:image/png;base64,{data}" alt="" width="{THUMB_WIDTH}" height="{THUMB_HEIGHT}">'
    elif entry.live is not None:
        picture = _live_html(entry.live)
    else:
        picture = '<div class="none">{}</div>'.format("build failed" if entry.failed else "no preview")
    links = []
    if entry.html:
        links.append(f'<a href="{_href(entry.html)}">HTML</a>')
    if entry.pdf:
        links.append(f'<a href="{_href(entry.pdf)}">PDF</a>')
    title = html.escape(entry.title)
    heading = f'<a class="open" href="{_href(main)}">{title}</a>' if main else title
    count = f"{entry.slides} slide{'s' * (entry.slides != 1)}" if entry.slides else ""
    status = '<span class="failed">errors</span>' if entry.failed else ""
    meta = " · ".join(x for x in (f"<code>{html.escape(entry.source)}</code>", count) if x)
    return (f'<li class="card">\n<div class="picture">{picture}</div>\n'
            f"<h2>{heading}</h2>\n<p class=\"meta\">{meta}{status}</p>\n"
            f"<p class=\"links\">{''.join(links)}</p>\n</li>")


_PAGE_CSS = f"""
:root {{ color-scheme: light dark; --bg: #f4f5f7; --card: #fff; --text: #1d2330; --muted: #636b7a;
        --line: #dde1e7; --accent: #1f6feb; }}
@media (prefers-color-scheme: dark) {{
  :root {{ --bg: #15181e; --card: #1e232b; --text: #e6e9ee; --muted: #9aa3b2; --line: #303743; --accent: #58a6ff; }}
}}
* {{ box-sizing: border-box; }}
body {{ margin: 0; background: var(--bg); color: var(--text);
       font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; }}
header, main {{ max-width: 1120px; margin: 0 auto; padding: 0 24px; }}
header {{ padding-top: 40px; padding-bottom: 8px; }}
header h1 {{ margin: 0; font-size: 28px; letter-spacing: -.01em; }}
header p {{ margin: 4px 0 0; color: var(--muted); }}
ul {{ list-style: none; margin: 24px 0 48px; padding: 0; display: grid; gap: 24px;
     grid-template-columns: repeat(auto-fill, {THUMB_WIDTH + 2}px); justify-content: start; }}
.card {{ position: relative; display: flex; flex-direction: column; background: var(--card); border: 1px solid var(--line); border-radius: 10px;
        overflow: hidden; box-shadow: 0 1px 2px rgba(0,0,0,.06); transition: box-shadow .15s, transform .15s; }}
.card:hover, .card:focus-within {{ box-shadow: 0 6px 18px rgba(0,0,0,.14); transform: translateY(-2px); }}
.picture {{ flex: none; width: {THUMB_WIDTH}px; height: {THUMB_HEIGHT}px; background: #8882; border-bottom: 1px solid var(--line);
           overflow: hidden; }}
.picture img {{ display: block; width: 100%; height: 100%; object-fit: contain; }}
.picture .none {{ display: flex; height: 100%; align-items: center; justify-content: center; color: var(--muted); }}
.card h2 {{ margin: 12px 16px 2px; font-size: 17px; line-height: 1.3; }}
.card h2 a {{ color: inherit; text-decoration: none; }}
.card h2 a::after {{ content: ""; position: absolute; inset: 0; }}  /* the whole card opens the deck */
.card h2 a:focus-visible {{ outline: none; }}
.card:focus-within {{ outline: 2px solid var(--accent); outline-offset: 2px; }}
.meta {{ margin: 0 16px; color: var(--muted); font-size: 13px; overflow-wrap: anywhere; }}
.meta code {{ font-size: 12px; }}
.failed {{ margin-left: 8px; padding: 0 6px; border-radius: 4px; background: #d1242f; color: #fff; font-size: 12px; }}
.links {{ position: relative; z-index: 1; display: flex; gap: 8px; margin: auto 16px 14px; padding-top: 10px; }}
.links a {{ padding: 2px 10px; border: 1px solid var(--line); border-radius: 999px; color: var(--accent);
           text-decoration: none; font-size: 13px; font-weight: 600; }}
.links a:hover, .links a:focus-visible {{ background: var(--accent); border-color: var(--accent); color: #fff; }}
.empty {{ color: var(--muted); }}
"""


def render_index(title: str, entries: list[SiteEntry]) -> str:
    """The index page, cards in the order given."""
    count = len(entries)
    cards = "\n".join(_card(e) for e in entries)
    body = f"<ul>\n{cards}\n</ul>" if entries else '<p class="empty">No decks in this folder.</p>'
    name = html.escape(title)
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<meta name="generator" content="slidekit">\n<title>{name}</title>\n<style>{_PAGE_CSS}</style>\n'
            f"</head>\n<body>\n<header><h1>{name}</h1><p>{count} deck{'s' * (count != 1)}</p></header>\n"
            f"<main>\n{body}\n</main>\n</body>\n</html>\n")
