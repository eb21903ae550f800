"""PNG files of pictures drawn here (--images, the PPTX's drawn parts), written without Pillow's encoder.

Pillow filters each row of a PNG by trying all five of the format's filters and keeping the smallest (in C, but
one row at a time): on a slide of text that choice takes most of the encoding. Here every row is filtered the
same way, 'Up' (the row's difference from the one above, which a slide's flat areas and straight edges turn
into zeros), computed for the whole picture at once by Pillow's `ImageChops`, and deflated by zlib-ng, which
does zlib's work at the same level in less time into as small a stream. The pictures are the same pixels; their
files about the size of Pillow's at the same level."""

from __future__ import annotations

import struct

# zlib's effort: level 3 deflates a slide of photos a few times faster than the default 6 into a file a few
# percent larger.
PNG_LEVEL = 3
_COLOUR_TYPES = {"L": 0, "RGB": 2, "LA": 4, "RGBA": 6}    # Pillow's mode -> PNG's colour type (8 bits a sample)
_UP = b"\x02"       # the filter byte starting each row


def encode_png(image, level: int = PNG_LEVEL) -> bytes:
    """The PNG file of a Pillow image (modes L, LA, RGB, RGBA; others are converted to RGB or RGBA)."""
    from PIL import ImageChops
    from zlib_ng import zlib_ng

    if image.mode not in _COLOUR_TYPES:
        image = image.convert("RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB")
    width, height = image.size
    above = ImageChops.offset(image, 0, 1)         # each row moved down one (the last comes round to the top)
    above.paste(0, (0, 0, width, 1))                # the first row's 'above' is zeros, as the format says
    filtered = ImageChops.subtract_modulo(image, above).tobytes()
    stride = len(filtered) // height if width and height else 0
    rows = b"".join(_UP + filtered[top:top + stride] for top in range(0, len(filtered), stride)) if stride else _UP * height
    header = struct.pack(">IIBBBBB", width, height, 8, _COLOUR_TYPES[image.mode], 0, 0, 0)
    return b"".join((b"\x89PNG\r\n\x1a\n", _chunk(b"IHDR", header, zlib_ng),
                     _chunk(b"IDAT", zlib_ng.compress(rows, level), zlib_ng), _chunk(b"IEND", b"", zlib_ng)))


def _chunk(kind: bytes, data: bytes, zlib_ng) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib_ng.crc32(data, zlib_ng.crc32(kind)))
