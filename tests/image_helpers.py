"""Small images written by hand for tests (no Pillow needed to make them)."""

from __future__ import annotations

import struct
import zlib


def solid_png(colour: tuple[int, int, int], size: int = 8) -> bytes:
    """A `size` x `size` PNG of one colour."""
    raw = b"".join(b"\x00" + bytes(colour) * size for _ in range(size))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
