"""Raster images made no larger than they are shown: downscaled, filtered and encoded once, cached by content.

The rule (README): an image goes into the PDF at most at twice the size it is shown at, in CSS pixels (a
background: its slide or its split area, under its `cover`/`contain`/`N%`/`w:`/`h:`; an inline image: its
`w:`/`h:`, else the slide's width); Marp's filters are applied to the downscaled pixels; a photo (no
transparency, many colours) is stored as JPEG (quality 85), anything else as PNG. The HTML embeds a local
image downscaled the same way when it is more than three times its shown size, and as it is otherwise.
SVG is never touched. What is prepared depends on the file's bytes and the target only, so it is kept in
the on-disk cache (slidekit/cache.py) and the same use of the same file gives the same bytes, object and
name in the PDF.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass
from pathlib import Path

from .. import cache

JPEG_QUALITY = 85
SHOWN_TIMES = 2.0           # pixels stored per CSS pixel shown, at most
HTML_DOWNSCALE_FROM = 1.5   # the HTML downscales only an image more than 1.5x that bound (3x its shown size)
PHOTO_RATIO = 2.5           # a crop whose PNG is this many times its JPEG is a photo
PNG_LEVEL = 6               # zlib level of a PNG made
PDF_PNG_LEVEL = 6           # for the PDF: an opaque PNG's data goes into it as it is (export/patches.py)
_PX = re.compile(r"^\s*(\d+(?:\.\d+)?)(px)?\s*$")


@dataclass(frozen=True)
class Prepared:
    data: bytes
    mime: str
    width: int
    height: int


def _px(value: str | None) -> float | None:
    m = _PX.match(value or "")
    return float(m.group(1)) if m else None


def shown_scale(spec, width: int, height: int, slide: tuple[int, int]) -> float:
    """CSS pixels per image pixel at the largest the image is shown (from its alt text's keywords)."""
    slide_w, slide_h = slide
    w, h = _px(spec.width), _px(spec.height)
    if w or h:
        return max(w / width if w else 0.0, h / height if h else 0.0)
    if not spec.bg:
        return min(1.0, slide_w / width)       # natural size, at most the slide's width
    box_w, slide_h = _box(spec, slide)
    size = spec.size or "cover"
    if size == "contain":
        return min(box_w / width, slide_h / height)
    if size == "auto":
        return 1.0
    if size.endswith("%"):
        try:
            return float(size[:-1]) / 100 * box_w / width
        except ValueError:
            pass
    return max(box_w / width, slide_h / height)


def cover_crop(spec, width: int, height: int, slide: tuple[int, int]) -> tuple[int, int, int, int] | None:
    """The part (left, top, right, bottom, in image pixels) of a background image that covers its box,
    centred as Marp places it, when the rest is cut off (a portrait photo behind a landscape slide: more than
    half of it); None when the whole image shows or the background is not a plain `cover` one."""
    if not spec.bg or spec.width or spec.height or (spec.size or "cover") != "cover":
        return None
    box_w, box_h = _box(spec, slide)
    scale = max(box_w / width, box_h / height)
    if scale <= 0:
        return None
    shown_w, shown_h = min(width, box_w / scale), min(height, box_h / scale)
    # whole pixels, rounded outwards: what WeasyPrint draws of the part is what it drew of the whole
    left, top = math.floor((width - shown_w) / 2), math.floor((height - shown_h) / 2)
    right, bottom = width - left, height - top
    if (right - left) * (bottom - top) > 0.9 * width * height:
        return None
    return left, top, right, bottom


def _box(spec, slide: tuple[int, int]) -> tuple[float, float]:
    """The box a background is drawn in, in CSS px: its share of the slide or of its split side."""
    slide_w, slide_h = slide
    box_w = slide_w
    if spec.split:
        try:
            box_w = slide_w * max(0.0, min(100.0, float((spec.split_size or "50%").rstrip("%")))) / 100
        except ValueError:
            box_w = slide_w / 2
    return box_w * spec.share[0], slide_h * spec.share[1]     # several backgrounds share the area


def target_size(width: int, height: int, scale: float, times: float = SHOWN_TIMES) -> tuple[int, int] | None:
    """The size to store an image shown at `scale` with `times` pixels a CSS pixel, or None when it is
    already small enough."""
    factor = times * scale
    if factor >= 1:
        return None
    return max(1, round(width * factor)), max(1, round(height * factor))


def prepare(data: bytes, size: tuple[int, int] | None, filters: list[tuple[str, str]], scale_px: float,
            keep_format: bool = False, decoded: dict | None = None, crop: tuple | None = None,
            png_level: int = PNG_LEVEL, lossless: bool = False) -> Prepared:
    """`data` (an image file's bytes), cut to `crop` (cover_crop's part, or None), at `size` (None: as it
    is), with `filters` (blur radii in CSS px, `scale_px` image pixels to a CSS pixel after resizing).
    `keep_format`: a PNG that stays one, unresized and unfiltered, is given back as it is (`data`).
    `png_level`: zlib level of a PNG made (the PDF's WeasyPrint decodes and deflates it again: PDF_PNG_LEVEL).
    `lossless`: only a JPEG file becomes a JPEG, never a PNG that looks like a photo (a PDF drawn into PNG
    pictures: a screenshot stays as sharp, and its picture as small, as a browser draws it).
    Cached by content. `decoded` keeps the last PNG decoded (this module's own by default; a thread
    preparing images gives its own)."""
    key = cache.digest(cache.code_key("slidekit.export.image_prep", "slidekit.export.filters"),
                       cache.digest(data), repr(size), repr(filters), f"{scale_px:.6f}", repr(keep_format),
                       repr(crop), str(png_level), repr(lossless))
    found = cache.get_bytes("images", key)
    if found is not None:
        head, _, body = found.partition(b"\n")
        try:
            mime, w, h = head.decode("ascii").split(" ")
            return Prepared(body, mime, int(w), int(h))
        except ValueError:
            pass
    prepared = _prepare(data, size, filters, scale_px, keep_format, _decoded if decoded is None else decoded, crop,
                        png_level, lossless)
    cache.put_bytes("images", key, f"{prepared.mime} {prepared.width} {prepared.height}\n".encode() + prepared.data)
    return prepared


_decoded: dict[str, tuple] = {}    # a PNG's digest -> its pixels: a big image used on several slides is
                                   # decoded once (a JPEG is decoded at each use's size: fast, and exact)


def _prepare(data: bytes, size, filters, scale_px: float, keep_format: bool, decoded: dict,
             crop: tuple | None = None, png_level: int = 6, lossless: bool = False) -> Prepared:
    from PIL import Image
    digest = cache.digest(data)
    image, source_format = decoded.get(digest) or (None, None)
    if image is None:
        draft = size
        if crop is not None and size is not None:     # the whole image's size at the part's scale
            full = _header_size(data)
            draft = full and (math.ceil(size[0] * full[0] / (crop[2] - crop[0])),
                              math.ceil(size[1] * full[1] / (crop[3] - crop[1])))
        image, source_format = _decode(data, draft)
        decoded.clear()                  # one image at a time
        if source_format != "JPEG":
            decoded[digest] = (image, source_format)
    if crop is not None:
        full = _header_size(data) or image.size
        fx, fy = image.size[0] / full[0], image.size[1] / full[1]   # (a JPEG may be decoded at 1/2...)
        image = image.crop((round(crop[0] * fx), round(crop[1] * fy), round(crop[2] * fx), round(crop[3] * fy)))
    if size is not None and image.size != size:
        image = image.resize(size, Image.LANCZOS, reducing_gap=3.0)
    if filters:
        from .filters import apply_filters
        image = apply_filters(image, filters, scale_px)
    if image.mode in ("RGBA", "LA") and image.getchannel("A").getextrema()[0] == 255:
        image = image.convert(image.mode[:-1])         # opaque after all
    photo = image.mode in ("RGB", "L") and (source_format == "JPEG" or (not lossless and _looks_like_photo(image)))
    if keep_format and not photo and source_format == "PNG" and size is None and not filters and crop is None:
        return Prepared(data, "image/png", image.width, image.height)
    buffer = io.BytesIO()
    if photo:
        image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=False)
        mime = "image/jpeg"
    else:
        image.save(buffer, "PNG", compress_level=png_level)
        mime = "image/png"
    return Prepared(buffer.getvalue(), mime, image.width, image.height)


PREPARED_FOLDER = "slidekit-prepared-images"   # (export/patches.py names a PDF's images in it by file name)
_temporary: list = []     # this process's folder of prepared images when the cache is off
_shared: list = []        # (the temporary folder, the pid that removes it): a forked process makes its own in it


def prepared_folder() -> Path:
    """Where the PDF's prepared images are written, as files WeasyPrint reads (a data: URI of megabytes in
    the page's HTML and CSS is scanned character by character by their parsers): a folder of the on-disk
    cache, named by content and so the same for every build; with the cache off, a private temporary folder
    removed when the process that made the shared one ends (`shared_temporary_folder`)."""
    base = cache.cache_dir()
    if base is not None:
        folder = base / PREPARED_FOLDER
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            return folder
        except OSError:
            pass
    if not _temporary:
        import os
        import tempfile
        shared, owner = shared_temporary_folder()
        made = shared if owner == os.getpid() else Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=shared))
        _temporary.append(made)
    return _temporary[0]


def shared_temporary_folder() -> tuple[Path, int]:
    """(the temporary folder of prepared images, the pid of the process that made it), made on first use and
    removed at that process's exit, after an exception or Ctrl+C too. A process forked from it makes its own
    folder inside it: a forked worker ends without running `atexit`, so a folder of its own elsewhere would
    be left behind. A process about to fork workers calls this first (app/builder.py)."""
    if not _shared:
        import atexit
        import os
        import tempfile
        made = Path(tempfile.mkdtemp(prefix=PREPARED_FOLDER + "-"))
        atexit.register(_remove_temporary, made, os.getpid())
        _shared.append((made, os.getpid()))
    return _shared[0]


def _remove_temporary(folder: Path, owner: int) -> None:
    """(A forked process inherits the `atexit` entry: only the maker removes the folder.)"""
    import os
    import shutil
    if os.getpid() == owner:
        shutil.rmtree(folder, ignore_errors=True)


def prepared_file(prepared: Prepared, folder: Path) -> Path:
    """The prepared image as a file of `folder`, named by its content (written once, atomically)."""
    import os
    suffix = ".jpg" if prepared.mime == "image/jpeg" else ".png"
    path = folder / (cache.digest(prepared.data)[:48] + suffix)
    try:
        if path.stat().st_size == len(prepared.data):
            return path
    except OSError:
        pass
    partial = folder / f".{path.name}.{os.getpid()}.tmp"
    partial.write_bytes(prepared.data)
    os.replace(partial, path)
    return path


def _decode(data: bytes, size):
    """The image's pixels upright, in RGB(A) or L(A) (a JPEG decoded at 1/2, 1/4 or 1/8 when `size` allows)."""
    import warnings

    from PIL import Image, ImageOps
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        old, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None    # the caller checked the size
        try:
            image = Image.open(io.BytesIO(data))
            source_format = image.format
            orientation = _orientation(image)
            if size is not None and source_format == "JPEG":
                draft = (size[1], size[0]) if orientation in (5, 6, 7, 8) else size
                image.draft("RGB" if image.mode != "L" else "L", draft)   # decoded at 1/2, 1/4 or 1/8
            image.load()
        finally:
            Image.MAX_IMAGE_PIXELS = old
    if orientation != 1:
        image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        has_alpha = image.mode in ("P", "PA") and "transparency" in image.info or image.mode.endswith("A")
        image = image.convert("RGBA" if has_alpha else "RGB")
    return image, source_format


def _header_size(data: bytes) -> tuple[int, int] | None:
    """The image's size upright (after its EXIF turn), from its header."""
    found = image_header(io.BytesIO(data))
    return found and found[:2]


def _orientation(image) -> int:
    """The EXIF orientation of an opened image (1: upright). A PNG's is read from an eXIf chunk before its
    pixels only: to find one after them, Pillow would decode the whole image, which this is called to avoid."""
    if image.format == "PNG" and "exif" not in image.info:
        return 1
    try:
        return int(image.getexif().get(0x0112, 1))
    except Exception:   # a damaged EXIF block: as if none
        return 1


def _looks_like_photo(image) -> bool:
    """Whether JPEG suits the image: a crop of it compresses far better as JPEG than as PNG."""
    w, h = image.size
    side = min(256, w, h)
    if side < 16:
        return False
    left, top = (w - side) // 2, (h - side) // 2
    crop = image.crop((left, top, left + side, top + side))
    if crop.getcolors(1024) is not None:     # few colours: a drawing, a chart, a screenshot
        return False
    png, jpeg = io.BytesIO(), io.BytesIO()
    crop.save(png, "PNG", compress_level=6)
    crop.save(jpeg, "JPEG", quality=JPEG_QUALITY)
    return png.tell() > PHOTO_RATIO * jpeg.tell()


def image_header(path) -> tuple[int, int, str] | None:
    """(width, height as shown, after EXIF rotation; format) from the file's header, or None."""
    import warnings

    from PIL import Image
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            old, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None
            try:
                with Image.open(path) as image:
                    width, height = image.size
                    if _orientation(image) in (5, 6, 7, 8):
                        width, height = height, width
                    return width, height, image.format or ""
            finally:
                Image.MAX_IMAGE_PIXELS = old
    except Exception:
        return None
