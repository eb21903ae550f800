"""The PDF, through WeasyPrint: no browser. Imported only when a PDF is asked for (WeasyPrint is slow
to import)."""

from __future__ import annotations

import hashlib
import logging
import os
import re
from pathlib import Path

from ..diagnostics import Diagnostics
from .svg_colour import install_svg_current_colour

REMOTE_TIMEOUT = 10


def make_url_fetcher(allow_remote: bool, local_roots: list[Path] | None = None):
    """WeasyPrint may read data: and file: URLs, and http(s) only when remote images are allowed, with a
    short timeout. With `local_roots`, a file: URL (a CSS `url()` in a style directive or a theme, say) is
    read only below one of those folders, symlinks followed: what the image resolver refused stays unread."""
    from urllib.parse import unquote, urlsplit
    from urllib.request import url2pathname

    from weasyprint.urls import URLFetcher

    protocols = {"data", "file"} | ({"http", "https"} if allow_remote else set())
    roots = None if local_roots is None else [Path(r).resolve() for r in local_roots]

    class DeckURLFetcher(URLFetcher):
        refused: list[str] = []

        def fetch(self, url, headers=None):
            if roots is not None and url[:5].lower() == "file:":
                try:
                    path = Path(url2pathname(unquote(urlsplit(url).path))).resolve()
                except (OSError, RuntimeError, ValueError):
                    path = None
                if path is None or not any(path == root or root in path.parents for root in roots):
                    if url not in self.refused:
                        self.refused.append(url)
                    raise ValueError(f"{url} is outside the deck's folder")
            return super().fetch(url, headers)

    fetcher = DeckURLFetcher(timeout=REMOTE_TIMEOUT, allowed_protocols=protocols)
    fetcher.refused = []
    fetcher.allowed_protocols = (sorted(protocols), roots)   # part of the layout cache key
    return fetcher


def write_pdf(document_html: str, base_url: Path, metadata: dict, diagnostics: Diagnostics,
              allow_remote: bool = True, pdf_options: dict | None = None,
              local_roots: list[Path] | None = None) -> bytes:
    """Lay out the document and return the PDF bytes. The PDF is tagged (a structure tree for assistive
    technology, with the document's `lang`) unless `pdf_options` (WeasyPrint's `write_pdf` options:
    `pdf_tags`, `pdf_variant`, ...) say otherwise."""
    import weasyprint

    # WeasyPrint logs unsupported CSS and failed fetches at WARNING; those are ours to report.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    install_svg_current_colour()   # inline SVG (maths) in the text's colour, as in a browser
    fetcher = make_url_fetcher(allow_remote, local_roots)
    document = _layout(document_html, str(base_url) + "/", fetcher)
    for url in fetcher.refused:
        diagnostics.warning("outside-folder", f"{url} is outside the deck's folder and was not read; "
                            "use --allow-local-files to allow it")
    meta = document.metadata
    meta.title = metadata.get("title") or meta.title
    if metadata.get("author"):
        meta.authors = [str(metadata["author"])]
    if metadata.get("description"):
        meta.description = str(metadata["description"])
    if metadata.get("keywords"):
        meta.keywords = str(metadata["keywords"]).replace(",", " ").split()
    meta.generator = "slidekit"
    options = {"uncompressed_pdf": False, "pdf_tags": True, **(pdf_options or {})}
    # fontTools stamps each embedded font subset with the current time unless SOURCE_DATE_EPOCH is set:
    # a fixed stamp keeps the bytes of the PDF the same from one build to the next.
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = epoch or "0"
    try:
        return document.write_pdf(**options)
    finally:
        if epoch is None:
            del os.environ["SOURCE_DATE_EPOCH"]


# Layout, slide by slide ----------------------------------------------------------------------------
# Each slide is laid out as its own one-page document against one pre-parsed stylesheet, and the pages are
# joined: WeasyPrint then parses the (large) theme CSS once, never tries to fit several slides on a line,
# and writes the same bytes as for the whole document laid out at once. Laid-out pages are kept in memory
# by a hash of everything that shapes them, so a process that rebuilds (serve, watch) lays out only the
# slides that changed.
_STYLE = re.compile(r"<style(\s[^>]*)?>(.*?)</style\s*>", re.S | re.I)
_PAGE = '<div class="sk-deck sk-page"'
_PAGES_KEPT: dict[str, tuple] = {}       # stylesheet key -> (css, font_config, {page key: pages})


def _layout(document_html: str, base_url: str, url_fetcher):
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    head, body_open, rest = document_html.partition("<body>")
    body, body_close, tail = rest.rpartition("</body>")
    styles = _STYLE.findall(head)
    if (not body_open or not body_close or _PAGE not in body or "<link" in head
            or any("media" in attrs.lower() for attrs, _ in styles)):
        return weasyprint.HTML(string=document_html, base_url=base_url, url_fetcher=url_fetcher).render()
    head = _STYLE.sub("", head)
    css_text = "\n".join(css for _, css in styles)
    key = _digest(head, css_text, tail, base_url, repr(getattr(url_fetcher, "allowed_protocols", None)))
    kept = _PAGES_KEPT.get(key)
    if kept is None:
        font_config = FontConfiguration()
        css = weasyprint.CSS(string=css_text, base_url=base_url, url_fetcher=url_fetcher, font_config=font_config)
        kept = (css, font_config, {})
    css, font_config, old_pages = kept
    pages_by_key: dict[str, list] = {}
    documents, pages = [], []
    chunks = body.split(_PAGE)
    prefix, chunks = chunks[0], [_PAGE + c for c in chunks[1:]]
    chunks[0] = prefix + chunks[0]
    for chunk in chunks:
        page_key = _digest(chunk)
        laid_out = pages_by_key.get(page_key) or old_pages.get(page_key)
        if laid_out is None:
            document = weasyprint.HTML(string=f"{head}{body_open}{chunk}{body_close}{tail}", base_url=base_url,
                                       url_fetcher=url_fetcher).render(stylesheets=[css], font_config=font_config)
            documents.append(document)
            # One page a slide: WeasyPrint may push an absolutely positioned box that overflows the slide
            # (a tall footer, say) onto a page of its own; Marp clips it, and so do we.
            laid_out = document.pages[:1]
        pages_by_key[page_key] = laid_out
        pages.extend(laid_out)
    _PAGES_KEPT.clear()                  # only the last deck's pages stay in memory
    _PAGES_KEPT[key] = (css, font_config, pages_by_key)
    first = documents[0] if documents else weasyprint.HTML(
        string=f"{head}{body_open}{body_close}{tail}", base_url=base_url, url_fetcher=url_fetcher).render(
        stylesheets=[css], font_config=font_config)
    return first.copy(pages)


def _digest(*parts: str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()
