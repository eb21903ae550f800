"""Images a deck refers to: found, checked against the deck's folder, embedded or filtered.

Only this module (with source and cli) touches files. Every problem is a warning and the build goes on.
"""

from __future__ import annotations

import base64
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..diagnostics import Diagnostics
from ..markdown.images import ImageSpec

MIME = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
        ".gif": "image/gif", ".webp": "image/webp", ".avif": "image/avif", ".bmp": "image/bmp"}
MAX_IMAGE_BYTES = 50 * 1024 * 1024
MAX_CSS_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 400_000_000    # beyond any camera's photo (a 108 MP one is 12000x9000): refused unread
MAX_PIXELS_PER_BYTE = 10_000  # more than a PNG's deflate (1:1032) of 1-bit pixels holds: a bomb or broken
DEFAULT_SLIDE = (1280, 720)


def _guess_type(name: str) -> str:
    import mimetypes    # (rarely needed: MIME knows the image types; it reads the system's tables)
    return mimetypes.guess_type(name)[0] or ""


class AssetResolver:
    """Callable(url, spec) -> URL for the output. HTML embeds local images as data: URIs so the file
    stands alone; the PDF gets file: URLs (filtered images as PNG data: URIs)."""

    def __init__(self, folder: Path, target: str, diagnostics: Diagnostics, file: str | None = None,
                 allow_local_files: bool = False, roots: list[Path] | None = None, offline: bool = False,
                 slide_size: tuple[int, int] = DEFAULT_SLIDE, text: str | None = None,
                 density: float | None = None, lossless: bool = False) -> None:
        self.folder = folder.resolve()
        self.density = density      # PDF: image pixels stored a CSS pixel shown (None: image_prep's rule)
        self.lossless = lossless    # PDF drawn into PNG pictures: no image made a JPEG but a JPEG file's
        self.slide_size = slide_size
        self.lines = text.splitlines() if text is not None else None   # to say on which line each use is
        self.used_lines: set[tuple[str, int]] = set()
        self.natural_widths: dict[str, int] = {}   # a downscaled inline image's URL -> its file's width
        self.stored_widths: dict[str, int] = {}    # ... -> the downscaled image's width
        self._found: list[tuple[str, str]] | None = None
        self.offline = offline           # remote images are neither fetched nor linked
        self.target = target
        self.diagnostics = diagnostics
        self.file = file
        self.allow_local_files = allow_local_files
        self.roots = [self.folder] + [Path(r).resolve() for r in roots or []]
        self.cache: dict[tuple, tuple[str, list]] = {}
        self.reported: set[tuple] = set()
        self.slide: int | None = None
        self.line: int | None = None
        self._planned: dict[Path, list[tuple]] | None = None   # while prepare_ahead looks: file -> prepare args
        self._ready: dict[tuple, object] = {}     # prepare args -> the image prepare_ahead made
        self.prepared_folder: Path | None = None  # the PDF's prepared images are files there (image_prep.py)

    def _key(self, url: str, spec: ImageSpec) -> tuple:
        shown = (spec.bg, spec.width, spec.height, spec.size, spec.split, spec.split_size, spec.share)
        return url, tuple(spec.filters) if self.target == "pdf" else (), shown

    def __call__(self, url: str, spec: ImageSpec) -> str:
        key = self._key(url, spec)
        if key not in self.cache:
            self._found = []
            try:
                self.cache[key] = (self._resolve(url.strip(), spec), self._found)
            finally:
                self._found = None
        result, warnings = self.cache[key]
        if warnings:      # each use is reported, on its own line
            line = self._line_of(url)
            for code, message in warnings:
                if (code, message, line) not in self.reported:
                    self.reported.add((code, message, line))
                    self.diagnostics.warning(code, message, file=self.file, line=line, slide=self.slide)
        return result

    def release(self) -> None:
        """Free the pixels kept while the slides were rendered (a big photo's, hundreds of megabytes)."""
        import sys
        self._ready.clear()
        prep = sys.modules.get("slidekit.export.image_prep")
        if prep is not None:
            prep._decoded.clear()

    def prepare_ahead(self, uses: list[tuple[str, ImageSpec]], threads: int) -> None:
        """Make the images that these uses (url, spec) need prepared (downscaled, filtered: image_prep.py)
        side by side, one file a thread, in up to `threads` threads: Pillow decodes, resizes, filters and
        encodes without holding the GIL, so a deck of photos is prepared by every CPU rather than one.
        Rendering then finds them made; what failed here is made again there, and reported there."""
        if threads < 2:
            return
        planned: dict[Path, list[tuple]] = {}
        self._planned = planned
        try:
            for url, spec in {self._key(url, spec): (url, spec) for url, spec in uses}.values():
                self._found = []           # (warnings are given by the use itself, when rendered)
                try:
                    self._resolve(url.strip(), spec)
                except Exception:  # noqa: BLE001 - the use itself reports it
                    pass
        finally:
            self._planned, self._found = None, None
        groups = [list(dict.fromkeys(args)) for args in planned.values()]
        if len(groups) < 2:
            return                         # one file: its uses are prepared one after the other anyway
        from concurrent.futures import ThreadPoolExecutor

        from .image_prep import prepare

        def prepare_file(group: list[tuple]) -> list[tuple]:
            made, decoded = [], {}         # (a big PNG used twice is decoded once, in this thread)
            for args in group:
                path, size, filters, scale_px, keep_format, crop, png_level, lossless = args
                try:
                    made.append((args, prepare(path.read_bytes(), size, list(filters), scale_px, keep_format,
                                               decoded=decoded, crop=crop, png_level=png_level,
                                               lossless=lossless)))
                except Exception:  # noqa: BLE001 - made again, and reported, by the use itself
                    pass
            return made

        with ThreadPoolExecutor(max_workers=min(threads, len(groups)), thread_name_prefix="slidekit-image") as pool:
            for made in pool.map(prepare_file, groups):
                self._ready.update(made)

    def _line_of(self, url: str) -> int | None:
        """The line of this use of `url`: the first line from the slide's start that names it and is not
        an earlier use's (the slide's first line if the text is not known)."""
        if self.lines is None or self.line is None or not url:
            return self.line
        for index in range(self.line - 1, len(self.lines)):
            if url in self.lines[index] and (url, index + 1) not in self.used_lines:
                self.used_lines.add((url, index + 1))
                return index + 1
        return self.line

    def warn(self, code: str, what: str, message: str) -> None:
        """A warning about `what` (an address), given once per build."""
        self._warn(code, what, message)

    def _warn(self, code: str, what: str, message: str) -> None:
        if self._found is not None:
            self._found.append((code, message))
            return
        if (code, what, self.line) in self.reported:    # (a CSS import's URL is also seen as a url())
            return
        self.reported.add((code, what, self.line))
        self.diagnostics.warning(code, message, file=self.file, line=self.line, slide=self.slide)

    def _resolve(self, url: str, spec: ImageSpec) -> str:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme in ("http", "https") and self.offline:
            self._warn("remote-image", url, f"remote image {url} is left out (--offline)")
            return ""
        if scheme in ("http", "https", "data"):
            return url
        if not url or url.startswith("#") or (scheme and scheme != "file"):
            self._warn("bad-image", url, f"'{url}' is not an image address; the image is left empty")
            return ""
        path = Path(unquote(parts.path))
        if not path.is_absolute():
            path = self.folder / path
        shown = url
        try:
            resolved = path.resolve()
        except (OSError, RuntimeError, ValueError):    # a loop, a NUL byte
            self._warn("missing-image", shown, f"image not found: {shown}; the build goes on without it")
            return ""
        if not self.allow_local_files and not any(_is_within(resolved, root) for root in self.roots):
            self._warn("outside-folder", shown,
                       f"image {shown} is outside the deck's folder and was not read; "
                       "use --allow-local-files to allow it")
            return ""
        try:
            size = resolved.stat().st_size if resolved.is_file() else None
        except (OSError, ValueError):                  # a name too long, say
            size = None
        if size is None:
            self._warn("missing-image", shown, f"image not found: {shown}; the build goes on without it")
            return url if len(url) < 2048 else ""
        if size > MAX_IMAGE_BYTES:
            self._warn("image-too-large", shown, f"image {shown} is larger than 50 MB and was left out")
            return ""
        mime = MIME.get(resolved.suffix.lower()) or _guess_type(resolved.name)
        if mime != "image/svg+xml":
            claimed = _claimed_pixels(resolved) if _too_many_pixels(resolved) else None
            if claimed is not None:
                why = (f"more than {MAX_PIXELS:,} pixels" if claimed > MAX_PIXELS else
                       f"{claimed:,} pixels in a file of {size:,} bytes, more than it can hold")
                self._warn("image-too-large", shown, f"image {shown} claims {why} (a decompression bomb?) "
                           "and was left out, not decoded")
                return ""
        if mime == "image/svg+xml" or mime == "image/gif" and self.target != "pdf":
            return self._as_is(resolved, mime)
        filters = [f for f in spec.filters if f[0] != "opacity"] if self.target == "pdf" else []
        return self._prepared(url, resolved, mime, spec, filters, shown, size)

    def _as_is(self, resolved: Path, mime: str | None) -> str:
        if self._planned is not None:
            return ""                      # prepare_ahead only looks for what to prepare
        if self.target == "pdf":
            return resolved.as_uri()
        data = resolved.read_bytes()
        return f"data:{mime or 'application/octet-stream'};base64,{base64.b64encode(data).decode('ascii')}"

    def _prepared(self, url: str, path: Path, mime: str | None, spec: ImageSpec, filters, shown: str,
                  size: int) -> str:
        """The image no larger than shown, filtered for the PDF (slidekit/export/image_prep.py)."""
        from .image_prep import (HTML_DOWNSCALE_FROM, PDF_PNG_LEVEL, PNG_LEVEL, SHOWN_TIMES, cover_crop, image_header,
                                 prepare, shown_scale, target_size)
        times = self.density if self.density and self.target == "pdf" else SHOWN_TIMES
        # PNG pictures drawn from the PDF: a PNG up to SHOWN_TIMES its shown size goes in as the file, and
        # pdfium scales it down as it draws the page (decoding, resizing and encoding it again cost more)
        kept_within = SHOWN_TIMES if self.lossless and mime == "image/png" and not filters else None
        quick = _png_size(path) or _jpeg_size(path)
        if quick is not None and not filters and (mime == "image/png" or self.target != "pdf"):
            # most images need no work: known from their header, without loading Pillow (either way up:
            # a JPEG's EXIF may turn it)
            w, h = quick
            scale = max(shown_scale(spec, w, h, self.slide_size), shown_scale(spec, h, w, self.slide_size))
            bound = HTML_DOWNSCALE_FROM if self.target != "pdf" else 1.0
            if target_size(w, h, scale * bound, times) is None and (self.target != "pdf" or size < 200_000):
                return self._as_is(path, mime)
            if kept_within and target_size(w, h, min(shown_scale(spec, w, h, self.slide_size),
                                                     shown_scale(spec, h, w, self.slide_size)), kept_within) is None:
                return self._as_is(path, mime)
        header = image_header(path)
        if header is None:       # not an image Pillow reads: the viewer or WeasyPrint will say so
            return self._as_is(path, mime)
        width, height, kind = header
        scale = shown_scale(spec, width, height, self.slide_size)
        target = target_size(width, height, scale, times)
        if self.target != "pdf" and target is not None and target[0] * HTML_DOWNSCALE_FROM > width:
            target = None        # the HTML keeps an image up to three times its shown size as it is
        if target is None and not filters and (kind == "JPEG" or self.target != "pdf" or size < 200_000):
            return self._as_is(path, mime)   # nothing to gain: WeasyPrint stores a JPEG file as it is
        crop = cover_crop(spec, width, height, self.slide_size) if self.target == "pdf" else None
        if crop is not None:      # only the part that shows is stored (at the same scale)
            width, height = crop[2] - crop[0], crop[3] - crop[1]
            target = target_size(width, height, scale, times)
        stored_w = target[0] if target else width
        # A PNG kept as it is (the PDF: not a photo to turn into a JPEG) is used from its file, as a small one is
        keep_format = self.target != "pdf" or (target is None and not filters and crop is None and kind == "PNG")
        lossless = self.lossless and self.target == "pdf"
        # (a PDF drawn into pictures stays in memory: its images need deflating only a little)
        png_level = PNG_LEVEL if self.target != "pdf" else 1 if lossless else PDF_PNG_LEVEL
        args = (path, target, tuple(filters), stored_w / width / max(scale, 1e-9), keep_format, crop, png_level,
                lossless)
        if self._planned is not None:
            self._planned.setdefault(path, []).append(args)
            return ""
        try:
            data = path.read_bytes()
            prepared = self._ready.get(args) or prepare(data, target, filters, args[3], keep_format=keep_format,
                                                        crop=crop, png_level=png_level, lossless=lossless)
        except Exception as exc:  # a broken or hostile image must not stop the build
            self._warn("bad-image", shown, f"image {shown} could not be read ({exc.__class__.__name__}); "
                       "it is used as it is")
            return self._as_is(path, mime)
        if self.target == "pdf" and keep_format and prepared.data == data:
            return self._as_is(path, mime)   # (WeasyPrint reads the file: no copy in the page's HTML)
        if self.target == "pdf":
            try:
                from .image_prep import prepared_file, prepared_folder
                if self.prepared_folder is None:
                    self.prepared_folder = prepared_folder()
                uri = prepared_file(prepared, self.prepared_folder).as_uri()
            except OSError:      # no folder to write in: the image goes into the HTML
                uri = f"data:{prepared.mime};base64,{base64.b64encode(prepared.data).decode('ascii')}"
        else:
            uri = f"data:{prepared.mime};base64,{base64.b64encode(prepared.data).decode('ascii')}"
        if target is not None and not spec.bg:
            self.natural_widths[uri] = width     # shown at its file's size, not the stored one's
            self.stored_widths[uri] = prepared.width
        return uri

    def css_url(self, url: str) -> str:
        """A `url()` of the deck's own CSS or an `src` of its raw HTML, kept as written unless refused: a
        local file outside the deck's folder (or any remote one with --offline) gives a warning and ""."""
        url = url.strip()
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme in ("http", "https"):
            if self.offline:
                self._warn("remote-image", url, f"remote file {url} is left out (--offline)")
                return ""
            return url
        if not url or url.startswith("#") or (scheme and scheme != "file") or self.allow_local_files:
            return url
        resolved = self._local_path(parts.path)
        roots = self.roots + ([self.prepared_folder] if self.prepared_folder is not None else [])
        if resolved is None or not any(_is_within(resolved, root) for root in roots):
            self._warn("outside-folder", url, f"{url} is outside the deck's folder and was not read; "
                       "use --allow-local-files to allow it")
            return ""
        return url

    def _local_path(self, url_path: str) -> Path | None:
        """A URL's path as a resolved local file, relative to the deck's folder; None if it cannot be."""
        path = Path(unquote(url_path))
        if not path.is_absolute():
            path = self.folder / path
        try:
            return path.resolve()
        except (OSError, RuntimeError, ValueError):
            return None

    def stylesheet(self, url: str) -> str | None:
        """The text of a CSS file the deck's CSS imports (render/css_imports.py): a local file under the
        deck's folder (anywhere with --allow-local-files); anything else is a warning and None."""
        parts = urlsplit(url.strip())
        scheme = parts.scheme.lower()
        if scheme and scheme != "file":
            self._warn("css-import", url, f"@import {url}: only CSS files under the deck's folder are "
                       "imported; copy the file beside the deck")
            return None
        resolved = self._local_path(parts.path)
        if resolved is not None and not self.allow_local_files \
                and not any(_is_within(resolved, root) for root in self.roots):
            self._warn("outside-folder", url, f"@import {url}: the file is outside the deck's folder and "
                       "was not read; use --allow-local-files to allow it")
            return None
        try:
            if resolved is None or not resolved.is_file():
                raise FileNotFoundError(url)
            if resolved.stat().st_size > MAX_CSS_BYTES:
                self._warn("css-import", url, f"@import {url}: the file is larger than 5 MB and was left out")
                return None
            data = resolved.read_bytes()
        except (OSError, ValueError):
            self._warn("css-import", url, f"@import {url}: file not found; the build goes on without it")
            return None
        return data.decode("utf-8", errors="replace").lstrip("\ufeff")


def _png_size(path: Path) -> tuple[int, int] | None:
    """A PNG's size as Pillow reads it (its last IHDR chunk before the image data), from the chunk headers
    alone; None if the file is not a PNG or its chunks cannot be followed."""
    try:
        with open(path, "rb") as f:
            if f.read(8) != b"\x89PNG\r\n\x1a\n":
                return None
            size = None
            for _ in range(1000):
                head = f.read(8)
                if len(head) < 8:
                    return None
                length, kind = int.from_bytes(head[:4], "big"), head[4:]
                if kind == b"IDAT":
                    return size
                if kind == b"IHDR":
                    data = f.read(length)
                    if length < 8 or len(data) < length:
                        return None
                    size = int.from_bytes(data[:4], "big"), int.from_bytes(data[4:8], "big")
                    f.seek(4, 1)   # CRC
                else:
                    f.seek(length + 4, 1)
    except OSError:
        return None
    return None


def _jpeg_size(path: Path) -> tuple[int, int] | None:
    """A JPEG's size from its frame header (SOFn), before any EXIF rotation; None if not found."""
    try:
        with open(path, "rb") as f:
            if f.read(2) != b"\xff\xd8":
                return None
            for _ in range(1000):
                marker = f.read(2)
                while marker[:1] == b"\xff" and marker[1:] == b"\xff":
                    marker = b"\xff" + f.read(1)
                if len(marker) < 2 or marker[0] != 0xFF:
                    return None
                kind = marker[1]
                if kind in (0xD8, 0x01) or 0xD0 <= kind <= 0xD7:
                    continue
                length = int.from_bytes(f.read(2), "big")
                if kind in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
                    data = f.read(5)
                    if len(data) < 5:
                        return None
                    return int.from_bytes(data[3:5], "big"), int.from_bytes(data[1:3], "big")
                if length < 2:
                    return None
                f.seek(length - 2, 1)
    except OSError:
        return None
    return None


def _too_many_pixels(path: Path) -> bool:
    """Whether a raster image's header claims more pixels than MAX_PIXELS, or than its bytes can hold."""
    claimed = _claimed_pixels(path)
    if claimed is None:
        return False
    try:
        size = path.stat().st_size
    except OSError:
        return False
    return claimed > MAX_PIXELS or claimed > MAX_PIXELS_PER_BYTE * max(size, 1)


def _claimed_pixels(path: Path) -> int | None:
    """How many pixels a raster image's header claims (None if Pillow cannot read it); only the header is read."""
    size = _png_size(path) if path.suffix.lower() == ".png" else None
    if size is not None:
        return size[0] * size[1]
    import warnings

    from PIL import Image
    old = Image.MAX_IMAGE_PIXELS
    try:
        Image.MAX_IMAGE_PIXELS = None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path) as image:
                width, height = image.size
    except Exception:  # not an image Pillow reads (or broken): the viewer or WeasyPrint will say so
        return None
    finally:
        Image.MAX_IMAGE_PIXELS = old
    return width * height


def _is_within(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False
