"""The PDF, through WeasyPrint: no browser. Imported only when a PDF is asked for (WeasyPrint is slow
to import)."""

from __future__ import annotations

import hashlib
import html
import logging
import os
import re
import time
from pathlib import Path

from ..diagnostics import Diagnostics

REMOTE_TIMEOUT = 10                     # seconds for a whole remote fetch: connection, headers and body
MAX_REMOTE_BYTES = 20 * 1024 * 1024     # a remote resource (after decompression) larger than this is dropped
REMEMBER_FAILED = 60.0                  # seconds a failed remote URL is not tried again (layouts repeat)
_REMOTE_FAILED: dict[str, tuple[str, float]] = {}


def make_url_fetcher(allow_remote: bool, local_roots: list[Path] | None = None):
    """WeasyPrint may read data: and file: URLs, and http(s) only when remote images are allowed. A remote
    fetch is bounded: REMOTE_TIMEOUT seconds in all (a body trickling in byte by byte is cut off too) and
    MAX_REMOTE_BYTES once decompressed. With `local_roots`, a file: URL (a CSS `url()` in a style directive or a
    theme, say) is read only below one of those folders, symlinks followed: what the image resolver refused
    stays unread. What was refused or cut off is listed in `refused` and `failed` (url, why) for warnings.
    Remote fetches go through netguard.py: without `local_roots` (--allow-local-files) they may reach the
    local network; with them no host, first URL or redirect hop, may resolve to a local-network address."""
    from urllib.parse import unquote, urlsplit
    from urllib.request import url2pathname

    from .weasy import load
    load()
    from weasyprint.urls import URLFetcher

    protocols = {"data", "file"} | ({"http", "https"} if allow_remote else set())
    roots = None if local_roots is None else [Path(r).resolve() for r in local_roots]
    local_network = roots is None

    class DeckURLFetcher(URLFetcher):
        refused: list[str] = []
        failed: list[tuple[str, str]] = []

        def fetch(self, url, headers=None):
            scheme = url.split(":", 1)[0].strip().lower()
            if roots is not None and scheme == "file":
                try:
                    path = Path(url2pathname(unquote(urlsplit(url).path))).resolve()
                except (OSError, RuntimeError, ValueError):
                    path = None
                if path is None or not any(path == root or root in path.parents for root in roots):
                    if url not in self.refused:
                        self.refused.append(url)
                    raise ValueError(f"{url} is outside the deck's folder")
            if scheme in ("http", "https") and scheme in protocols:
                return self._fetch_remote(url, headers)
            return super().fetch(url, headers)

        def _fetch_remote(self, url, headers):
            from weasyprint.urls import HTTP_HEADERS, StreamingGzipFile, URLFetcherResponse, iri_to_uri

            from . import netguard
            known = _REMOTE_FAILED.get(url)
            if known and time.monotonic() - known[1] < REMEMBER_FAILED and not (
                    local_network and known[0].startswith(netguard.REFUSED)):
                if all(seen != url for seen, _ in self.failed):
                    self.failed.append((url, known[0]))
                raise ValueError(f"{url} {known[0]}")
            deadline = time.monotonic() + REMOTE_TIMEOUT
            try:    # connects (each redirect hop checked by netguard) and reads the headers
                raw = netguard.open_remote(iri_to_uri(url), {**HTTP_HEADERS, **(headers or {})},
                                           REMOTE_TIMEOUT, allow_local=local_network)
            except Exception as exc:
                refused = netguard.refusal(exc)
                self._fail(url, f"{netguard.REFUSED} ({refused}); use --allow-local-files to allow it"
                           if refused else _fetch_error(exc))
                raise ValueError(f"{url}: {exc}") from None
            encoding = raw.headers.get("Content-Encoding", "").strip().lower()
            if encoding:
                del raw.headers["Content-Encoding"]
            body = (StreamingGzipFile(fileobj=raw) if encoding == "gzip"
                    else netguard.Inflating(raw) if encoding == "deflate" else raw)
            response = URLFetcherResponse(raw.url, body, raw.headers, raw.status)
            try:
                length = response.headers.get("Content-Length")
                if length and length.strip().isdigit() and int(length) > MAX_REMOTE_BYTES:
                    raise _TooLarge()
                body = _read_bounded(response, deadline)
            except _TooLarge:
                self._fail(url, f"is larger than {MAX_REMOTE_BYTES // (1024 * 1024)} MB")
                raise ValueError(f"{url} is larger than {MAX_REMOTE_BYTES} bytes") from None
            except _TooSlow:
                self._fail(url, f"took longer than {REMOTE_TIMEOUT} s")
                raise ValueError(f"{url} took longer than {REMOTE_TIMEOUT} s") from None
            except Exception as exc:
                self._fail(url, _fetch_error(exc))
                raise
            finally:
                response.close()
                raw.close()
            _REMOTE_FAILED.pop(url, None)
            return URLFetcherResponse(response.url, body, response.headers, response.status)

        def _fail(self, url, why):
            if len(_REMOTE_FAILED) >= 1000:
                _REMOTE_FAILED.clear()
            _REMOTE_FAILED[url] = (why, time.monotonic())
            if all(seen != url for seen, _ in self.failed):
                self.failed.append((url, why))

    fetcher = DeckURLFetcher(timeout=REMOTE_TIMEOUT, allowed_protocols=protocols)
    fetcher.refused, fetcher.failed = [], []
    fetcher.allowed_protocols = (sorted(protocols), roots)   # part of the layout cache key
    return fetcher


class _TooLarge(Exception):
    pass


class _TooSlow(Exception):
    pass


def _read_bounded(response, deadline: float) -> bytes:
    """The body, read in small pieces until the deadline or the size cap. `read1` returns what has come
    in so far instead of waiting for a whole piece, so a trickling server cannot stretch the deadline."""
    stream = response._file_obj
    read = getattr(stream, "read1", None) or stream.read
    chunks, size = [], 0
    while True:
        if time.monotonic() > deadline:
            raise _TooSlow()
        chunk = read(64 * 1024)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > MAX_REMOTE_BYTES:
            raise _TooLarge()
        chunks.append(chunk)


def _fetch_error(exc: Exception) -> str:
    reason = getattr(exc, "reason", None) or exc
    if isinstance(reason, TimeoutError) or "timed out" in str(reason):
        return f"took longer than {REMOTE_TIMEOUT} s"
    return f"could not be fetched ({reason})"


def layout_document(document_html: str, base_url: Path, allow_remote: bool = True,
                    local_roots: list[Path] | None = None):
    """Lay out a document (one slide a page, through the page cache) without writing it: the WeasyPrint
    document and the file: URLs it was refused (slidekit/export/overflow.py measures it)."""
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    fetcher = make_url_fetcher(allow_remote, local_roots)
    return _layout(document_html, str(base_url) + "/", fetcher), list(fetcher.refused)


# Laying out a deck to fit and measure it (export/overflow.py measures) -------------------------------
def fit_slides(deck, render, base_url, diagnostics: Diagnostics, allow_remote: bool = True,
               local_roots=None, whole_deck: bool = True) -> None:
    """Fit the deck's headings, code blocks and `fit: true` slides (slidekit/markdown/fit.py) against
    their layout. `render(deck) -> str` makes the PDF-target document of a deck; with `whole_deck` every
    slide is laid out each time (the PDF build: its page cache then serves the final layout), else only
    the slides being fitted."""
    import dataclasses

    from ..markdown.fit import fit_deck, needs_fitting
    if not any(needs_fitting(s) for s in deck.slides):
        return
    from .overflow import measure, report_refused

    def measure_slides(slides) -> dict:
        view = deck if whole_deck else dataclasses.replace(deck, slides=list(slides))
        document, refused = layout_document(render(view), base_url, allow_remote, local_roots)
        for url in refused:
            report_refused(diagnostics, url)
        wanted = {s.number for s in slides}
        return {layout.number: layout for layout in measure(document) if layout.number in wanted}

    try:
        fit_deck(deck, measure_slides)
    except Exception as exc:  # noqa: BLE001 - a layout that fails must not fail the build
        diagnostics.warning("fit", f"the slides could not be laid out to fit them ({exc.__class__.__name__}); "
                            "fitting headings, code blocks and `fit` are left at the theme's sizes",
                            file=getattr(deck, "file", None))


def write_pdf(document_html: str, base_url: Path, metadata: dict, diagnostics: Diagnostics,
              allow_remote: bool = True, pdf_options: dict | None = None,
              local_roots: list[Path] | None = None, inspect=None, capture: bool = False, select=None):
    """Lay out the document and return the PDF bytes. The PDF is tagged (a structure tree for assistive
    technology, with the document's `lang`) unless `pdf_options` (WeasyPrint's `write_pdf` options:
    `pdf_tags`, `pdf_variant`, ...) say otherwise. `inspect(document)` is called on the laid-out document
    (the overflow check). With `capture`, the PDF's objects are returned unwritten, to be joined with other
    chunks of the deck (slidekit/export/pdf_merge.py). `select()`, called once the pages are laid out (and
    `last_pages()`), gives the indexes of the pages to write, or None for all; None is returned when it
    gives none."""
    from .patches import install
    from .weasy import load
    load()
    for note in install():      # (the notes of library patches left out: another version of a library)
        diagnostics.warning("library-version", note)

    # WeasyPrint logs unsupported CSS and failed fetches at WARNING; those are ours to report.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    fetcher = make_url_fetcher(allow_remote, local_roots)
    document = _layout(document_html, str(base_url) + "/", fetcher)
    if inspect is not None:
        inspect(document)
    from .overflow import report_refused
    for url in fetcher.refused:
        report_refused(diagnostics, url)   # once, also when a fitting layout saw it first
    failed = dict(fetcher.failed)
    for url, (why, _) in list(_REMOTE_FAILED.items()):     # pages from the layout cache fetched nothing
        if url not in failed and (url in document_html or html.escape(url) in document_html):
            failed[url] = why
    for url, why in failed.items():
        diagnostics.warning("remote-image", f"remote file {url} {why}; the PDF is made without it")
    meta = document.metadata
    meta.title = metadata.get("title") or meta.title
    if metadata.get("author"):
        meta.authors = [str(metadata["author"])]
    if metadata.get("description"):
        meta.description = str(metadata["description"])
    if metadata.get("keywords"):
        meta.keywords = str(metadata["keywords"]).replace(",", " ").split()
    meta.generator = "slidekit"
    _LAST_PAGES[:] = document.pages
    chosen = select() if select is not None else None
    if chosen is not None:
        if not chosen:
            return None
        document = document.copy([document.pages[n] for n in chosen])
    options = {"uncompressed_pdf": False, "pdf_tags": True, **(pdf_options or {})}
    # fontTools stamps each embedded font subset with the current time unless SOURCE_DATE_EPOCH is set:
    # a fixed stamp keeps the bytes of the PDF the same from one build to the next.
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = epoch or "0"
    try:
        if not capture:
            return document.write_pdf(**options)
        from .pdf_merge import Captured, capture as capture_objects
        try:
            document.write_pdf(finisher=capture_objects, **options)
        except Captured as captured:
            return captured.chunk
        raise RuntimeError("the PDF was not captured")
    finally:
        if epoch is None:
            del os.environ["SOURCE_DATE_EPOCH"]


# Layout, slide by slide ----------------------------------------------------------------------------
# Each slide is laid out as its own one-page document against one pre-parsed stylesheet, and the pages are
# joined: WeasyPrint then parses the (large) theme CSS once, never tries to fit several slides on a line,
# and writes the same bytes as for the whole document laid out at once (each slide a block page). Laid-out
# pages are kept in memory by a hash of everything that shapes them, so a process that rebuilds (serve,
# watch) lays out only the slides that changed.
_STYLE = re.compile(r"<style(\s[^>]*)?>(.*?)</style\s*>", re.S | re.I)
_PAGE = '<div class="sk-deck sk-page"'
_MULTICOLUMN = re.compile(r"\bcolumns?(-count|-width)?\s*:", re.I)
_HEAD_ONLY = re.compile(r"<meta\b[^>]*>[ \t]*\n?|<title\b[^>]*>.*?</title\s*>[ \t]*\n?", re.S | re.I)
# stylesheet key -> (css, FontCoverage of its font configuration, {page key: pages} of the current build,
# build, those of the build before)
_PAGES_KEPT: dict[str, tuple] = {}
MAX_PAGES_KEPT = 1500                    # laid-out slides kept in memory at most
_LAST_PAGES: list = []                   # the pages of the last PDF written (or captured)
_BUILD = [0]                             # the current build: its layouts' pages are kept together


def begin_build() -> None:
    """A new deck build starts: from now on, only the pages its layouts use are kept (a long deck's chunks
    are laid out one after the other, and all their pages stay for the next build)."""
    _BUILD[0] += 1


def forget_pages() -> None:
    """Keep none of the pages laid out so far; the parsed stylesheets and fonts stay. For a layout process
    between two chunks (export/pdf_chunks.py): it ends with the build, so its earlier chunks' pages would
    only be walked again and again by the garbage collector."""
    for key, (css, coverage, *_rest) in list(_PAGES_KEPT.items()):
        _PAGES_KEPT[key] = (css, coverage, {}, _BUILD[0], {})
    _LAST_PAGES.clear()


def last_pages() -> list:
    """The laid-out pages of the last PDF written, in order (the PPTX exporter places shapes from them)."""
    return list(_LAST_PAGES)


def _layout(document_html: str, base_url: str, url_fetcher):
    from .patches import deck_folder
    with deck_folder(base_url):
        return _layout_in_folder(document_html, base_url, url_fetcher)


def _layout_in_folder(document_html: str, base_url: str, url_fetcher):
    from .weasy import load
    weasyprint = load()
    from weasyprint.text.fonts import FontConfiguration

    from .font_coverage import FontCoverage
    from .html_tree import weasy_html
    from .patches import broken_out_of_flow

    head, body_open, rest = document_html.partition("<body>")
    body, body_close, tail = rest.rpartition("</body>")
    styles = _STYLE.findall(head)
    if (not body_open or not body_close or _PAGE not in body or "<link" in head
            or any("media" in attrs.lower() for attrs, _ in styles)):
        return weasyprint.HTML(string=document_html, base_url=base_url, url_fetcher=url_fetcher).render()
    head = _STYLE.sub("", head)
    css_text = "\n".join(css for _, css in styles)
    from .weasy_ua import html_class, needs_full
    lean_html = html_class(weasyprint)
    full = needs_full(css_text, head, tail)
    multicolumn = bool(_MULTICOLUMN.search(css_text))
    key = _digest(head, css_text, tail, base_url, repr(getattr(url_fetcher, "allowed_protocols", None)))
    kept = _PAGES_KEPT.get(key)
    if kept is None:
        font_config = FontConfiguration()
        css = weasyprint.CSS(string=css_text, base_url=base_url, url_fetcher=url_fetcher, font_config=font_config)
        kept = (css, FontCoverage(font_config), {}, _BUILD[0], {})
    css, coverage, current, build, previous = kept
    font_config = coverage.font_config
    if build != _BUILD[0]:               # the first layout of a new build: the last build's pages are looked
        current, previous = {}, current  # up, and this build's collected apart
    old_pages = {**previous, **current}
    # A slide's document needs no <meta> or <title>: they are read only for the PDF's metadata, which the
    # first document laid out here gives (the others are only the source of their pages).
    slide_head = _HEAD_ONLY.sub("", head)
    pages_by_key: dict[str, list] = {}
    documents, pages = [], []
    # One image cache for this layout's slides: a background on many slides is fetched and decoded once
    # (WeasyPrint keys it by URL, so it lives no longer than this layout: a file may change before the next).
    images: dict = {}
    chunks = body.split(_PAGE)
    prefix, chunks = chunks[0], [_PAGE + c for c in chunks[1:]]
    chunks[0] = prefix + chunks[0]
    for chunk in chunks:
        page_key = _digest(chunk)
        laid_out = pages_by_key.get(page_key) or old_pages.get(page_key)
        if laid_out is None:
            # A character no font has is drawn in a way that depends on the slides laid out before
            # (font_coverage.py): the font map's caches are cleared after each layout of such a slide, so
            # that every layout starts from caches that only slides without one have filled.
            apart = coverage.lacks_any(chunk)
            # WeasyPrint's user-agent stylesheet less what such a slide cannot use (weasy_ua.py)
            html_type = weasyprint.HTML if full or needs_full(chunk) else lean_html
            own_head = slide_head if documents else head
            # The slide as a block first: quicker to lay out than inside a line. A slide too full for
            # its page is broken onto more pages as a block (or its absolutely placed column is, and the
            # rest dropped), so it is laid out again as the inline-block, which WeasyPrint never breaks:
            # what overflows is clipped, as in Marp. Columns stay in a line: bounded by the page, a block's
            # columns would fill one and go on in the next, where Chromium's fill the first alone.
            broken = broken_out_of_flow() if not multicolumn and not _MULTICOLUMN.search(chunk) else None
            document = None
            if broken is not None:
                block = chunk.replace(_PAGE, _PAGE + " data-sk-block", 1)
                document = weasy_html(html_type, f"{own_head}{body_open}{block}{body_close}{tail}", base_url,
                                      url_fetcher).render(stylesheets=[css], font_config=font_config, cache=images)
                if len(document.pages) != 1 or broken_out_of_flow() != broken:
                    document = None
                    if apart:
                        coverage.reset_font_map()
            if document is None:
                document = weasy_html(html_type, f"{own_head}{body_open}{chunk}{body_close}{tail}", base_url,
                                      url_fetcher).render(stylesheets=[css], font_config=font_config, cache=images)
            if _overflows(document):
                # Themes centre slides with `justify-content: safe center`: a slide too full for its box
                # starts at the top in a browser and in Marp. WeasyPrint has no `safe`, so lay it out again,
                # aligned to the start.
                safe = chunk.replace("<section ", "<section data-sk-safe ", 1)
                if apart:
                    coverage.reset_font_map()
                document = weasy_html(html_type, f"{own_head}{body_open}{safe}{body_close}{tail}", base_url,
                                      url_fetcher).render(stylesheets=[css], font_config=font_config, cache=images)
            if apart:
                coverage.reset_font_map()
            documents.append(document)
            # One page a slide: WeasyPrint may push an absolutely positioned box that overflows the slide
            # (a tall footer, say) onto a page of its own; Marp clips it, and so do we.
            laid_out = document.pages[:1]
        pages_by_key[page_key] = laid_out
        pages.extend(laid_out)
    # Only the last stylesheet's pages stay in memory: those the current build used (a long deck is laid out
    # a chunk at a time: every chunk's), up to MAX_PAGES_KEPT, and the build's before until it ends.
    current = {**current, **pages_by_key} if len(current) + len(pages_by_key) <= MAX_PAGES_KEPT else pages_by_key
    _PAGES_KEPT.clear()
    _PAGES_KEPT[key] = (css, coverage, current, _BUILD[0], previous)
    first = documents[0] if documents else weasy_html(
        weasyprint.HTML if full else lean_html, f"{head}{body_open}{body_close}{tail}", base_url, url_fetcher).render(
        stylesheets=[css], font_config=font_config)
    return first.copy(pages)


def _overflows(document) -> bool:
    """Whether the slide's content starts above its content box: centred with `safe`, and too tall for it. A
    flex slide whose deck asks for plain `justify-content: center` overflows at both ends, as in Chromium."""
    from .overflow import TOLERANCE, measure

    layouts = measure(document)
    return bool(layouts) and layouts[0].start < layouts[0].content_top - TOLERANCE and not layouts[0].centred_unsafely


def _digest(*parts: str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()
