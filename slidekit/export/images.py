"""Pictures of the slides, drawn from slidekit's own PDF with pypdfium2 (no browser).

At scale 1 a slide is as many pixels as it has CSS pixels (a 16:9 slide is 1280x720, as Marp's images);
`scale` multiplies that."""

from __future__ import annotations

import io
import math

IMAGE_FORMATS = ("png", "jpeg")
CSS_PX_PER_PT = 96 / 72
# A picture's pixels at most (a 10,000px slide at scale 1 is 100 MP): beyond, the scale is lowered, since
# pdfium, Pillow and the encoder each hold a copy (a 100,000px theme size ran the export out of memory).
MAX_PICTURE_PIXELS = 64_000_000


def render_pages(pdf: bytes, fmt: str = "png", scale: float = 1.0, pages: list[int] | None = None,
                 threads: int = 1) -> list[bytes]:
    """The PDF's pages (all, or the 0-based `pages`) as PNG or JPEG bytes. With `threads` > 1, pictures are
    encoded in that many threads while pdfium draws the next pages here: zlib and libjpeg run without the
    GIL, and encoding a picture of photos as PNG takes far longer than drawing it (pdfium is not thread-safe:
    it stays in this thread)."""
    import pypdfium2 as pdfium

    if fmt not in IMAGE_FORMATS:
        raise ValueError(f"unknown image format {fmt!r}")
    document = pdfium.PdfDocument(pdf)
    pool = None
    try:
        wanted = range(len(document)) if pages is None else [p for p in pages if 0 <= p < len(document)]
        if threads > 1 and len(wanted) > 1:
            from concurrent.futures import ThreadPoolExecutor
            pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="slidekit-picture")
        out = []
        backdrops = Backdrops(document)
        for index in wanted:
            image = _draw(document, index, scale, backdrops)
            if pool is None:
                out.append(_encode(image, fmt))
                continue
            if len(out) >= 2 * threads:     # pictures waiting to be encoded: a few at a time (memory)
                out[-2 * threads].result()
            out.append(pool.submit(_encode, image, fmt))
        return [o if pool is None else o.result() for o in out]
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        document.close()


def _draw(document, index: int, scale: float, backdrops: "Backdrops | None" = None):
    """The page as a Pillow image of width*scale x height*scale CSS pixels (less beyond MAX_PICTURE_PIXELS)."""
    page = document[index]
    try:
        width, height = page.get_size()
        area = width * height * (CSS_PX_PER_PT * scale) ** 2
        page_scale = scale * min(1.0, (MAX_PICTURE_PIXELS / area) ** 0.5) if area > 0 else scale
        bitmap = backdrops.render(index, page, page_scale * CSS_PX_PER_PT) if backdrops is not None else None
        if bitmap is None:
            bitmap = page.render(scale=page_scale * CSS_PX_PER_PT, draw_annots=False)
        image = bitmap.to_pil()
        # pdfium rounds the pixel size; keep it exactly width*scale x height*scale CSS pixels
        size = (round(width * CSS_PX_PER_PT * page_scale), round(height * CSS_PX_PER_PT * page_scale))
        if image.size != size:
            image = image.resize(size)
        return image
    finally:
        page.close()


# A backdrop is taken for a page's only if, drawn this small, it is the same pixels as the one kept.
BACKDROP_CHECK_SCALE = 0.125
BACKDROPS_KEPT = 4
BACKDROP_BYTES_KEPT = 32_000_000        # the kept backdrops' pixels at most (they stay with the process)
BACKDROP_PIXELS_AT_MOST = 8_000_000     # a larger picture is drawn whole: its kept copies would hold too much
BACKDROPS_SEEN = 64                     # backdrops remembered as met once, at most


class BackdropStore:
    """The backdrops a process keeps, from one chunk's pictures to the next (a deck's chunks share their
    theme's): each found by what draws it and by its pixels drawn small, and kept the second time it is met,
    so that a backdrop only one page has costs no drawing of its own."""

    def __init__(self) -> None:
        self.kept: dict = {}        # (signature, small drawing) -> the backdrop's bitmap bytes, oldest first
        self.seen: dict = {}        # the keys met once (the order they were met)

    def get(self, key):
        return self.kept.get(key)

    def met_before(self, key) -> bool:
        """Whether `key` was met before (and remember that it is met now)."""
        if key in self.seen:
            return True
        if len(self.seen) >= BACKDROPS_SEEN:
            self.seen.pop(next(iter(self.seen)))
        self.seen[key] = True
        return False

    def keep(self, key, pixels: bytes) -> None:
        while self.kept and (len(self.kept) >= BACKDROPS_KEPT
                             or sum(map(len, self.kept.values())) + len(pixels) > BACKDROP_BYTES_KEPT):
            self.kept.pop(next(iter(self.kept)))
        self.kept[key] = pixels


_PROCESS_STORE = BackdropStore()


class Backdrops:
    """What pages draw first and alike over their whole area, as a theme's background colour and gradient
    (gaia's): drawn once, each page's own objects then drawn over a copy. pdfium draws a page-wide gradient
    with its soft mask in several times the time of a page of text. The pictures are the same pixels: pdfium
    draws a page's objects one after the other into the one bitmap either way."""

    def __init__(self, document, store: BackdropStore | None = None) -> None:
        self.document = document
        self.store = _PROCESS_STORE if store is None else store

    def render(self, index: int, page, scale: float):
        """The page drawn at `scale` over its backdrop (a pypdfium2 bitmap), or None: no backdrop, or one met
        for the first time (draw the page as usual)."""
        import ctypes
        import hashlib

        import pypdfium2 as pdfium
        import pypdfium2.raw as raw
        width_pt, height_pt = page.get_size()
        width, height = math.ceil(width_pt * scale), math.ceil(height_pt * scale)
        if width * height > BACKDROP_PIXELS_AT_MOST:
            return None
        objects = list(page.get_objects(max_depth=0))
        lead = 0
        for obj in objects:
            if obj.type not in (raw.FPDF_PAGEOBJ_PATH, raw.FPDF_PAGEOBJ_SHADING):
                break
            left, bottom, right, top = obj.get_bounds()
            if left > 0.5 or bottom > 0.5 or right < width_pt - 0.5 or top < height_pt - 0.5:
                break
            lead += 1
        if not lead or lead == len(objects):
            return None
        signature = (round(scale, 6), round(width_pt, 2), round(height_pt, 2),
                     tuple((obj.type, tuple(round(v, 2) for v in obj.get_bounds()),
                            tuple(round(v, 4) for v in obj.get_matrix().get())) for obj in objects[:lead]))
        alone = self.document[index]    # (another copy of the page, to draw its backdrop alone)
        try:
            for obj in list(alone.get_objects(max_depth=0))[lead:]:
                alone.remove_obj(obj)
            small = alone.render(scale=scale * BACKDROP_CHECK_SCALE, draw_annots=False).buffer
            key = (signature, hashlib.sha256(small).digest())
            kept = self.store.get(key)
            if kept is None:
                if not self.store.met_before(key):
                    return None
                kept = bytes(alone.render(scale=scale, draw_annots=False).buffer)
                self.store.keep(key, kept)
        finally:
            alone.close()
        bitmap = pdfium.PdfBitmap.new_native(width, height, raw.FPDFBitmap_BGR)
        if bitmap.stride * height != len(kept):
            return None
        for obj in objects[:lead]:
            page.remove_obj(obj)
        ctypes.memmove(ctypes.addressof(bitmap.buffer), kept, len(kept))
        raw.FPDF_RenderPageBitmap(bitmap, page, 0, 0, width, height, 0, 0)    # (no annotations, as render)
        return bitmap


def _encode(image, fmt: str) -> bytes:
    if fmt == "jpeg":
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, "JPEG", quality=85)
        return buffer.getvalue()
    from .png import encode_png
    return encode_png(image)


def numbered_paths(target, count: int):
    """deck.png -> deck.001.png, deck.002.png, ... (three digits at least, as marp-cli)."""
    from pathlib import Path

    target = Path(target)
    digits = max(3, len(str(count)))
    return [target.with_name(f"{target.stem}.{i:0{digits}d}{target.suffix}") for i in range(1, count + 1)]
