"""PNG files of pictures drawn here (--images, the PPTX's drawn parts), written without Pillow's encoder.

Pillow filters each row of a PNG by trying all five of the format's filters and keeping the smallest (in C, but
one row at a time): on a slide of text that choice takes most of the encoding. Here every row is filtered the
same way, 'Up' (the row's difference from the one above, which a slide's flat areas and straight edges turn
into zeros), computed for a band of rows at a time by Pillow's `ImageChops`, and deflated by zlib-ng, which
does zlib's work at the same level in less time into as small a stream. The pictures are the same pixels; their
files about the size of Pillow's at the same level (smaller on slides of text, up to 7 % larger on photos and
screenshots, where a filter chosen row by row does better)."""

from __future__ import annotations

import struct

# zlib's effort: level 3 deflates a slide of photos a few times faster than the default 6 into a file a few
# percent larger.
PNG_LEVEL = 3
_COLOUR_TYPES = {"L": 0, "RGB": 2, "LA": 4, "RGBA": 6}    # Pillow's mode -> PNG's colour type (8 bits a sample)
_UP = b"\x02"       # the filter byte starting each row
_BAND_ROWS = 128    # rows filtered and deflated at a time


def encode_png(image, level: int = PNG_LEVEL) -> bytes:
    """The PNG file of a Pillow image (modes L, LA, RGB, RGBA; others are converted to RGB or RGBA)."""
    from PIL import ImageChops
    from zlib_ng import zlib_ng

    if image.mode not in _COLOUR_TYPES:
        image = image.convert("RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB")
    width, height = image.size
    deflate = zlib_ng.compressobj(level)
    stream = []
    # A band of rows at a time: a few copies of a band are held, not of the whole picture (a large scale's
    # picture is tens of megabytes a copy, and several are encoded at once).
    for top in range(0, height, _BAND_ROWS):
        bottom = min(height, top + _BAND_ROWS)
        band = image.crop((0, top, width, bottom))
        above = image.crop((0, top - 1, width, bottom - 1))    # (the first row's 'above' is zeros: off the picture)
        filtered = ImageChops.subtract_modulo(band, above).tobytes()
        stride = len(filtered) // (bottom - top)
        rows = b"".join(_UP + filtered[at:at + stride] for at in range(0, len(filtered), stride)) if stride else \
            _UP * (bottom - top)
        stream.append(deflate.compress(rows))
    stream.append(deflate.flush())
    header = struct.pack(">IIBBBBB", width, height, 8, _COLOUR_TYPES[image.mode], 0, 0, 0)
    return b"".join((b"\x89PNG\r\n\x1a\n", _chunk(b"IHDR", header, zlib_ng),
                     _chunk(b"IDAT", b"".join(stream), zlib_ng), _chunk(b"IEND", b"", zlib_ng)))


def _chunk(kind: bytes, data: bytes, zlib_ng) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib_ng.crc32(data, zlib_ng.crc32(kind)))
