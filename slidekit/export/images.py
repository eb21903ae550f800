"""Pictures of the slides, drawn from slidekit's own PDF with pypdfium2 (no browser).

At scale 1 a slide is as many pixels as it has CSS pixels (a 16:9 slide is 1280x720, as Marp's images);
`scale` multiplies that."""

from __future__ import annotations

import io

IMAGE_FORMATS = ("png", "jpeg")
CSS_PX_PER_PT = 96 / 72
# A picture's pixels at most (a 10,000px slide at scale 1 is 100 MP): beyond, the scale is lowered, since
# pdfium, Pillow and the encoder each hold a copy (a 100,000px theme size ran the export out of memory).
MAX_PICTURE_PIXELS = 64_000_000
# zlib's effort for the PNG pictures: level 3 deflates a slide of photos 2.5 times faster than the default 6,
# into a file about 5 % larger (a slide of text: 8 %)
PNG_LEVEL = 3


def render_pages(pdf: bytes, fmt: str = "png", scale: float = 1.0, pages: list[int] | None = None) -> list[bytes]:
    """The PDF's pages (all, or the 0-based `pages`) as PNG or JPEG bytes."""
    import pypdfium2 as pdfium

    if fmt not in IMAGE_FORMATS:
        raise ValueError(f"unknown image format {fmt!r}")
    document = pdfium.PdfDocument(pdf)
    try:
        wanted = range(len(document)) if pages is None else [p for p in pages if 0 <= p < len(document)]
        out = []
        for index in wanted:
            page = document[index]
            width, height = page.get_size()
            area = width * height * (CSS_PX_PER_PT * scale) ** 2
            page_scale = scale * min(1.0, (MAX_PICTURE_PIXELS / area) ** 0.5) if area > 0 else scale
            bitmap = page.render(scale=page_scale * CSS_PX_PER_PT, draw_annots=False)
            image = bitmap.to_pil()
            # pdfium rounds the pixel size; keep it exactly width*scale x height*scale CSS pixels
            size = (round(width * CSS_PX_PER_PT * page_scale), round(height * CSS_PX_PER_PT * page_scale))
            if image.size != size:
                image = image.resize(size)
            buffer = io.BytesIO()
            if fmt == "jpeg":
                image.convert("RGB").save(buffer, "JPEG", quality=85)
            else:
                image.save(buffer, "PNG", compress_level=PNG_LEVEL)
            out.append(buffer.getvalue())
            page.close()
        return out
    finally:
        document.close()


def numbered_paths(target, count: int):
    """deck.png -> deck.001.png, deck.002.png, ... (three digits at least, as marp-cli)."""
    from pathlib import Path

    target = Path(target)
    digits = max(3, len(str(count)))
    return [target.with_name(f"{target.stem}.{i:0{digits}d}{target.suffix}") for i in range(1, count + 1)]
