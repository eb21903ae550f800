"""The PDF, through WeasyPrint: no browser. Imported only when a PDF is asked for (WeasyPrint is slow
to import)."""

from __future__ import annotations

import logging
from pathlib import Path

from ..diagnostics import Diagnostics

REMOTE_TIMEOUT = 10


def make_url_fetcher(allow_remote: bool):
    """WeasyPrint may read data: and file: URLs (the resolver already checked the files), and http(s)
    only when remote images are allowed, with a short timeout."""
    from weasyprint.urls import URLFetcher

    protocols = {"data", "file"} | ({"http", "https"} if allow_remote else set())
    return URLFetcher(timeout=REMOTE_TIMEOUT, allowed_protocols=protocols)


def write_pdf(document_html: str, base_url: Path, metadata: dict, diagnostics: Diagnostics,
              allow_remote: bool = True) -> bytes:
    """Lay out the document and return the PDF bytes."""
    import weasyprint

    # WeasyPrint logs unsupported CSS and failed fetches at WARNING; those are ours to report.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    html = weasyprint.HTML(string=document_html, base_url=str(base_url) + "/",
                           url_fetcher=make_url_fetcher(allow_remote))
    document = html.render()
    meta = document.metadata
    meta.title = metadata.get("title") or meta.title
    if metadata.get("author"):
        meta.authors = [str(metadata["author"])]
    if metadata.get("description"):
        meta.description = str(metadata["description"])
    if metadata.get("keywords"):
        meta.keywords = str(metadata["keywords"]).replace(",", " ").split()
    meta.generator = "slidekit"
    return document.write_pdf(uncompressed_pdf=False)
