"""Pictures of the slides, drawn from slidekit's own PDF with pypdfium2 (no browser).

At scale 1 a slide is as many pixels as it has CSS pixels (a 16:9 slide is 1280x720, as Marp's images);
`scale` multiplies that."""

from __future__ import annotations

import io

IMAGE_FORMATS = ("png", "jpeg")
CSS_PX_PER_PT = 96 / 72


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
            bitmap = page.render(scale=scale * CSS_PX_PER_PT, draw_annots=False)
            image = bitmap.to_pil()
            # pdfium rounds the pixel size; keep it exactly width*scale x height*scale CSS pixels
            width, height = page.get_size()
            size = (round(width * CSS_PX_PER_PT * scale), round(height * CSS_PX_PER_PT * scale))
            if image.size != size:
                image = image.resize(size)
            buffer = io.BytesIO()
            if fmt == "jpeg":
                image.convert("RGB").save(buffer, "JPEG", quality=85)
            else:
                image.save(buffer, "PNG", optimize=False)
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
