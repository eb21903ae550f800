"""Images a deck refers to: found, checked against the deck's folder, embedded or filtered.

Only this module (with source and cli) touches files. Every problem is a warning and the build goes on.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..diagnostics import Diagnostics
from ..markdown.images import ImageSpec

MIME = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
        ".gif": "image/gif", ".webp": "image/webp", ".avif": "image/avif", ".bmp": "image/bmp"}
MAX_IMAGE_BYTES = 50 * 1024 * 1024
MAX_CSS_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 80_000_000     # decompression bombs stop here


def _guess_type(name: str) -> str:
    import mimetypes    # (rarely needed: MIME knows the image types; it reads the system's tables)
    return mimetypes.guess_type(name)[0] or ""


class AssetResolver:
    """Callable(url, spec) -> URL for the output. HTML embeds local images as data: URIs so the file
    stands alone; the PDF gets file: URLs (filtered images as PNG data: URIs)."""

    def __init__(self, folder: Path, target: str, diagnostics: Diagnostics, file: str | None = None,
                 allow_local_files: bool = False, roots: list[Path] | None = None, offline: bool = False) -> None:
        self.folder = folder.resolve()
        self.offline = offline           # remote images are neither fetched nor linked
        self.target = target
        self.diagnostics = diagnostics
        self.file = file
        self.allow_local_files = allow_local_files
        self.roots = [self.folder] + [Path(r).resolve() for r in roots or []]
        self.cache: dict[tuple, str] = {}
        self.reported: set[str] = set()
        self.slide: int | None = None
        self.line: int | None = None

    def __call__(self, url: str, spec: ImageSpec) -> str:
        key = (url, tuple(spec.filters) if self.target == "pdf" else ())
        if key not in self.cache:
            self.cache[key] = self._resolve(url.strip(), spec)
        return self.cache[key]

    def warn(self, code: str, what: str, message: str) -> None:
        """A warning about `what` (an address), given once per build."""
        self._warn(code, what, message)

    def _warn(self, code: str, what: str, message: str) -> None:
        if what in self.reported:
            return
        self.reported.add(what)
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
        if mime != "image/svg+xml" and _too_many_pixels(resolved):
            self._warn("image-too-large", shown, f"image {shown} claims more than {MAX_PIXELS:,} pixels "
                       "(a decompression bomb?) and was left out, not decoded")
            return ""
        if self.target == "pdf":
            if spec.filters and mime != "image/svg+xml":
                return self._filtered(resolved, spec, shown)
            return resolved.as_uri()
        data = resolved.read_bytes()
        return f"data:{mime or 'application/octet-stream'};base64,{base64.b64encode(data).decode('ascii')}"

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
        path = Path(unquote(parts.path))
        if not path.is_absolute():
            path = self.folder / path
        try:
            resolved = path.resolve()
        except (OSError, RuntimeError, ValueError):
            resolved = None
        if resolved is None or not any(_is_within(resolved, root) for root in self.roots):
            self._warn("outside-folder", url, f"{url} is outside the deck's folder and was not read; "
                       "use --allow-local-files to allow it")
            return ""
        return url

    def stylesheet(self, url: str) -> str | None:
        """The text of a CSS file the deck's CSS imports (render/css_imports.py): a local file under the
        deck's folder (anywhere with --allow-local-files); anything else is a warning and None."""
        parts = urlsplit(url.strip())
        scheme = parts.scheme.lower()
        if scheme and scheme != "file":
            self._warn("css-import", url, f"@import {url}: only CSS files under the deck's folder are "
                       "imported; copy the file beside the deck")
            return None
        path = Path(unquote(parts.path))
        if not path.is_absolute():
            path = self.folder / path
        try:
            resolved = path.resolve()
        except (OSError, RuntimeError, ValueError):
            resolved = None
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

    def _filtered(self, path: Path, spec: ImageSpec, shown: str) -> str:
        from PIL import Image

        from .filters import apply_filters
        try:
            Image.MAX_IMAGE_PIXELS = MAX_PIXELS
            with Image.open(path) as image:
                image.load()
                result = apply_filters(image, spec.filters)
        except Exception as exc:  # a broken or hostile image must not stop the build
            self._warn("bad-image", shown, f"image {shown} could not be read ({exc.__class__.__name__}); "
                       "its filters are not applied")
            return path.as_uri()
        buffer = io.BytesIO()
        result.save(buffer, "PNG", optimize=False)
        return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


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


def _too_many_pixels(path: Path) -> bool:
    """Whether a raster image's header claims more pixels than MAX_PIXELS; only the header is read.

    A PNG whose chunks claim a size within the limit is not even opened with Pillow (loading Pillow and its
    format plugins costs a fresh process tens of milliseconds): Pillow would read the same size, or fail,
    and either way the image is kept. Any other answer is Pillow's."""
    size = _png_size(path) if path.suffix.lower() == ".png" else None
    if size is not None and size[0] * size[1] <= MAX_PIXELS:
        return False
    import warnings

    from PIL import Image
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path) as image:
                width, height = image.size
    except Image.DecompressionBombError:
        return True
    except Exception:  # not an image Pillow reads (or broken): the viewer or WeasyPrint will say so
        return False
    return width * height > MAX_PIXELS


def _is_within(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False
