"""Small images for tests: written by hand (no Pillow needed), or photo-like JPEGs made with Pillow."""

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


def random_photo(path, size: tuple[int, int], seed: int) -> None:
    """A JPEG of `size` as hard to compress as a photo: 8x6 random colours blown up (the same bytes for a seed)."""
    import random

    from PIL import Image
    rng = random.Random(seed)
    photo = Image.new("RGB", (8, 6))
    photo.putdata([tuple(rng.randrange(256) for _ in range(3)) for _ in range(48)])
    photo.resize(size, Image.BICUBIC).save(path, "JPEG", quality=90)
