"""A PDF's image names that do not depend on where the deck's folder is.

WeasyPrint names each raster image of a PDF (`/i918b16c7... Do`) after an MD5 digest of the URL it loaded
it from, which for a deck's own images is a `file:` URL holding the folder's absolute path: the same deck
built in `~/talks/` and in a CI checkout gave PDFs that differed in those few bytes. While a deck is laid
out (`deck_folder`), the digest of a URL below the deck's folder is taken of its path relative to the folder
instead. A name only has to be unique within the PDF: a relative path is, among the deck's own images, and
any other URL (outside the folder, remote, `data:`) is digested whole, as before, behind a different prefix.
"""

from __future__ import annotations

import contextlib
import hashlib
from contextvars import ContextVar
from pathlib import Path

_FOLDER_URL: ContextVar[bytes | None] = ContextVar("slidekit_deck_folder_url", default=None)
_RELATIVE = b"slidekit-deck-folder:"    # (not the start of any URL WeasyPrint loads: it has no scheme)


def install_image_names() -> None:
    """Give WeasyPrint's image loader the digest below (once a process)."""
    from .weasy import load
    load()
    from weasyprint import images

    if getattr(images.md5, "slidekit", False):
        return
    real = hashlib.md5

    def md5(data: bytes = b"", **kwargs):
        folder = _FOLDER_URL.get()
        if folder is not None and data.startswith(folder):
            data = _RELATIVE + data[len(folder):]
        return real(data, **kwargs)

    md5.slidekit = True
    images.md5 = md5


@contextlib.contextmanager
def deck_folder(folder: str | Path):
    """Images loaded meanwhile (in this thread or task) from below `folder` are named by their relative path."""
    token = _FOLDER_URL.set((Path(folder).resolve().as_uri().rstrip("/") + "/").encode())
    try:
        yield
    finally:
        _FOLDER_URL.reset(token)
