"""The PDF chunks of earlier builds, kept on disk, so that a `slidekit build` after an edit lays out only
the chunks whose slides changed (slidekit/export/pdf_chunks.py cuts a deck into chunks by its slide count
only, so an edit to one slide leaves the other chunks' documents as they were).

A chunk's entry is found by a digest of everything that shapes its PDF: the chunk's whole document (the
slides' HTML and the stylesheet, with the images' `file:` URLs), the deck's metadata, the folders files may
be read from, the code of slidekit's PDF path and the versions of WeasyPrint, pydyf, fontTools and the
installed fonts (fontconfig's caches). Not the slides' source lines: an edit that adds lines to slide 3
moves every later slide, whose warnings (`deck.md:120: slide 17: ...`) are given their new lines. The files the
document reads (images, fonts given with `url()`) are listed in the entry with a SHA-256 of their bytes, and
an entry whose files changed is a miss. A chunk that reads a remote URL, uses `@import`, or draws an SVG
that refers to other files is not kept: what it reads cannot be checked cheaply.

Entries live in the on-disk cache (slidekit/cache.py: off with SLIDEKIT_CACHE=0, and every failure reads as a
miss), under `pdf-chunks/`, which is trimmed to MAX_BYTES, the least recently used first. The PDF is the same
byte for byte whether its chunks came from the cache or not (tests/test_pdf_cache.py).
"""

from __future__ import annotations

import hashlib
import html
import os
import pickle
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .. import cache

NAMESPACE = "pdf-chunks"
MAX_BYTES = 256 * 1024 * 1024
_CODE = ("slidekit.export.pdf_chunks", "slidekit.export.pdf", "slidekit.export.pdf_merge",
         "slidekit.export.overflow", "slidekit.export.patches", "slidekit.export.netguard",
         "slidekit.markdown.fit", "slidekit.export.pdf_cache", "slidekit.export.weasy_ua")

_URL = re.compile(r"""url\(\s*(?:&quot;|&#34;|&#39;|"|')?(.*?)(?:&quot;|&#34;|&#39;|"|')?\s*\)""", re.I | re.S)
_SRC = re.compile(r"""\s(src|srcset)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
_FETCHED_HREF = re.compile(r"""<(?:image|use|link|feimage)\b[^>]*?\s(?:xlink:)?href\s*=\s*(?:"([^"]*)"|'([^']*)')""",
                           re.I)
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_SVG_REFERENCE = re.compile(rb"""(?:href\s*=\s*["']\s*(?!#|data:)[^"'\s]|url\(\s*["']?\s*(?!#|data:)[^)\s"'])""",
                            re.I)


def chunk_key(job, view, document: str) -> str:
    """The digest a chunk's entry is stored under."""
    return cache.digest(
        # the libraries' __init__.py files name their versions: read, not imported (WeasyPrint takes 0.3 s)
        cache.code_key(*_CODE), cache.code_key("weasyprint", "pydyf", "fontTools"), _fonts_stamp(),
        os.environ.get("SOURCE_DATE_EPOCH", ""), repr(sorted((str(k), str(v)) for k, v in job.metadata.items())),
        str(job.folder), repr(job.local_roots), repr(job.allow_remote), repr(job.pictures),
        repr(job.shapes),
        # the PPTX shapes kept with a chunk are described by this code: an edit to it makes them again
        cache.code_key("slidekit.export.pptx", "slidekit.export.pptx_paint") if job.shapes else "",
        str(getattr(view, "file", None)), document)


def dependencies(document: str, folder: Path) -> list[Path] | None:
    """The local files the document reads, or None when what it reads cannot be listed (see the module)."""
    if "@import" in document:
        return None
    urls = [m.group(1) for m in _URL.finditer(document)]
    for m in _SRC.finditer(document):
        value = html.unescape(m.group(2) if m.group(2) is not None else m.group(3))
        if m.group(1).lower() == "srcset":
            # "URL [size], ...": a comma inside a data: URL splits it too, and its tail then reads as a
            # relative path: one more file to check, never one less
            urls += [part.strip().split()[0] for part in value.split(",") if part.strip()]
        else:
            urls.append(value)
    urls += [m.group(1) if m.group(1) is not None else m.group(2) for m in _FETCHED_HREF.finditer(document)]
    paths: set[Path] = set()
    for raw in urls:
        url = html.unescape(raw).strip()
        if not url or url.startswith("#"):
            continue
        scheme = url.split(":", 1)[0].lower() if _SCHEME.match(url) else ""
        if scheme == "data":
            continue
        if scheme == "file":
            paths.add(Path(unquote(urlsplit(url).path)))
        elif scheme:
            return None                                 # http(s), and anything else WeasyPrint might fetch
        else:
            paths.add(folder / unquote(urlsplit(url).path))
    return sorted(paths)


def load(key: str, view=None):
    """The chunk's result (pdf_chunks.ChunkResult) kept under `key`, if its files are unchanged; its warnings
    moved to the lines `view`'s slides start on now."""
    data = cache.get_bytes(NAMESPACE, key)
    if data is None:
        return None
    try:
        files, lines, result = pickle.loads(data)
        if any(_file_digest(Path(path)) != digest for path, digest in files):
            return None
        if view is not None:
            result = _moved(result, lines, {s.number: s.line for s in view.slides})
    except Exception:  # noqa: BLE001 - a damaged or foreign entry is a miss
        return None
    if result is None:
        return None
    path = cache.entry_path(NAMESPACE, key)
    if path is not None:
        try:
            os.utime(path)                              # recently used: trimmed last
        except OSError:
            pass
    return result


def store(key: str, paths: list[Path], result, view=None) -> None:
    """Keep `result` under `key`, with the digests of the files it read (a file that is an SVG referring to
    other files makes the chunk unkept) and the lines `view`'s slides start on."""
    files = []
    for path in paths:
        digest = _file_digest(path)
        if digest is not None and path.suffix.lower() in (".svg", ".svgz") and _refers_to_files(path):
            return
        files.append((str(path), digest))
    try:
        lines = {s.number: s.line for s in view.slides} if view is not None else {}
        payload = pickle.dumps((files, lines, result), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - not picklable: simply not kept
        return
    cache.put_bytes(NAMESPACE, key, payload)
    trim()


def trim(limit: int = MAX_BYTES) -> None:
    """Remove the least recently used entries until the chunks' folder holds at most `limit` bytes."""
    folder = cache.cache_dir()
    if folder is None:
        return
    entries = []
    try:
        for sub in os.scandir(folder / NAMESPACE):
            if sub.is_dir():
                for entry in os.scandir(sub.path):
                    stat = entry.stat()
                    entries.append((stat.st_mtime_ns, stat.st_size, entry.path))
    except OSError:
        return
    total = sum(size for _, size, _ in entries)
    for _, size, path in sorted(entries):
        if total <= limit:
            break
        try:
            os.unlink(path)
            total -= size
        except OSError:
            pass


def _moved(result, then: dict, now: dict):
    """The result with its warnings' lines moved as their slides moved; None when a warning has a line but
    no slide, and the slides moved (it cannot be placed)."""
    import dataclasses
    if then == now or not result.diagnostics:
        return result
    moved = []
    for diagnostic in result.diagnostics:
        if diagnostic.line is not None:
            if diagnostic.slide not in then or diagnostic.slide not in now:
                return None
            if then[diagnostic.slide] is not None and now[diagnostic.slide] is not None:
                diagnostic = dataclasses.replace(
                    diagnostic, line=diagnostic.line - then[diagnostic.slide] + now[diagnostic.slide])
        moved.append(diagnostic)
    return dataclasses.replace(result, diagnostics=moved)


def _file_digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None                                     # missing (or unreadable): must stay so


def _refers_to_files(path: Path) -> bool:
    try:
        data = path.read_bytes()
    except OSError:
        return True
    if path.suffix.lower() == ".svgz" or data[:2] == b"\x1f\x8b":
        return True
    return _SVG_REFERENCE.search(data) is not None


def _fonts_stamp() -> str:
    """Which fonts are installed, as far as fontconfig's caches tell: they are rewritten when fonts change."""
    folders = ["/var/cache/fontconfig", str(Path.home() / ".cache" / "fontconfig")]
    if os.environ.get("XDG_CACHE_HOME"):
        folders.append(os.path.join(os.environ["XDG_CACHE_HOME"], "fontconfig"))
    stamp = []
    for folder in folders:
        try:
            for entry in os.scandir(folder):
                stat = entry.stat()
                stamp.append(f"{entry.path}:{stat.st_size}:{stat.st_mtime_ns}")
        except OSError:
            continue
    return "\n".join(sorted(set(stamp)))
