"""export/png.py: the PNG files of drawn pictures (every row filtered 'Up', deflated by zlib-ng)."""

import io
import random
import struct
import zlib

import pytest
from PIL import Image, ImageDraw

from slidekit.export.png import encode_png


def _chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    found, pos = [], 8
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        assert struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])[0] == zlib.crc32(kind + body)
        found.append((kind, body))
        pos += 12 + length
    return found


def _photo(size=(320, 180), seed=3) -> Image.Image:
    rng = random.Random(seed)
    small = Image.new("RGB", (16, 9))
    small.putdata([tuple(rng.randrange(256) for _ in range(3)) for _ in range(144)])
    return Image.blend(small.resize(size, Image.BICUBIC), Image.effect_noise(size, 30).convert("RGB"), 0.3)


def _text_slide(size=(640, 360)) -> Image.Image:
    image = Image.new("RGB", size, (253, 246, 227))
    draw = ImageDraw.Draw(image)
    for line in range(8):
        draw.text((40, 30 + 38 * line), f"A line of the slide's text, number {line}", fill=(70, 90, 140))
    draw.rectangle((0, size[1] - 30, size[0], size[1]), fill=(40, 60, 100))
    return image


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "L", "LA", "P", "1"])
def test_the_pixels_come_back_as_they_were(mode):
    image = _photo()
    if mode == "RGBA":
        image.putalpha(Image.linear_gradient("L").resize(image.size))
    elif mode != "RGB":
        image = image.convert(mode)
    back = Image.open(io.BytesIO(encode_png(image)))
    expected = image if mode in ("RGB", "RGBA", "L", "LA") else image.convert("RGB")
    assert back.mode == expected.mode and back.size == image.size
    assert back.tobytes() == expected.tobytes()


@pytest.mark.parametrize("size", [(1, 1), (1, 7), (7, 1)])
def test_a_picture_of_one_row_or_one_column(size):
    image = _photo().resize(size)
    assert Image.open(io.BytesIO(encode_png(image))).tobytes() == image.tobytes()


def test_every_row_is_filtered_up_in_one_stream():
    image = _text_slide()
    chunks = _chunks(encode_png(image))
    assert [kind for kind, _ in chunks] == [b"IHDR", b"IDAT", b"IEND"]
    assert struct.unpack(">IIBBBBB", chunks[0][1]) == (640, 360, 8, 2, 0, 0, 0)
    rows = zlib.decompress(chunks[1][1])
    stride = 1 + 640 * 3
    assert len(rows) == 360 * stride
    assert {rows[top] for top in range(0, len(rows), stride)} == {2}


@pytest.mark.parametrize("picture", [_photo((1280, 720)), _text_slide((1280, 720))], ids=["photo", "text"])
def test_the_file_is_about_the_size_of_pillows_at_the_same_level(picture):
    pillows = io.BytesIO()
    picture.save(pillows, "PNG", compress_level=3)
    assert len(encode_png(picture, 3)) <= 1.1 * pillows.tell()


def test_a_large_picture_is_filtered_a_band_at_a_time():
    # Several pictures are encoded at once, at any --image-scale: the rows are filtered and deflated a band
    # at a time, so the encoder's own copies stay far below one copy of the whole picture.
    import tracemalloc
    picture = Image.linear_gradient("L").resize((3000, 2000)).convert("RGB")     # 18 MB of pixels
    tracemalloc.start()
    try:
        data = encode_png(picture)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert Image.open(io.BytesIO(data)).tobytes() == picture.tobytes()
    assert peak < 0.5 * len(picture.tobytes())         # (all at once: three copies)
