#!/usr/bin/env python3
"""Photo-heavy decks for the benchmark: camera-sized photos made with Pillow, so that nothing big is committed.

    python bench/photo_deck.py FOLDER [--kind photos|big-png]

`photos` (16 slides): six 3448x4592 JPEGs (a phone camera's portrait size, quality 92: noise over colour
gradients, which compresses as badly as a real photo), used as full, split and multiple backgrounds with
Marp's filters (`blur`, `sepia`, `opacity`, `grayscale`, `brightness`), inline with `w:`, and one photo on
several slides (stored once). `big-png` (4 slides): a 12000x9000 PNG (108 megapixels, a gradient that
compresses to a few MB), as a background and inline. The same arguments always give the same bytes.
"""
from __future__ import annotations

import argparse
import random
from pathlib import Path

PHOTO_SIZE = (3448, 4592)
PHOTO_COUNT = 6

PHOTOS_DECK = """---
marp: true
theme: default
paginate: true
title: Photo deck
---

# A talk with photos

![bg brightness:0.6](images/photo-0.jpg)

---

## Split right, sepia

- a point about the photo
- another point

![bg right sepia](images/photo-1.jpg)

---

## Split left 40%, blurred

![bg left:40% blur:8px](images/photo-2.jpg)

Some text beside a blurred photo.

---

![bg](images/photo-3.jpg)
![bg](images/photo-4.jpg)
![bg](images/photo-5.jpg)

---

## Faded background

![bg opacity:.3](images/photo-0.jpg)

The same photo as the title slide, under the text.

---

## Inline photos

![w:300](images/photo-1.jpg) ![w:300](images/photo-2.jpg) ![w:300 grayscale](images/photo-3.jpg)

---

![bg vertical](images/photo-4.jpg)
![bg](images/photo-5.jpg)

# Vertical backgrounds

---

## Contain

![bg contain](images/photo-2.jpg)

---

![bg sepia blur:4px](images/photo-5.jpg)

# Two filters

---

## Again the first photo

![bg right:30%](images/photo-0.jpg)

- used a third time

---

![bg grayscale](images/photo-1.jpg)

## Grayscale

---

![bg left](images/photo-3.jpg)

## Left half

---

![bg 60%](images/photo-4.jpg)

## Sixty percent

---

![bg opacity:.5 blur:2px](images/photo-2.jpg)

## Opacity and blur

---

![bg](images/photo-5.jpg)

## Full photo again

---

# Thanks

![bg right:45% sepia](images/photo-1.jpg)
"""

BIG_PNG_DECK = """---
marp: true
paginate: true
---

# A 108-megapixel PNG

![bg](images/big.png)

---

## Inline, 600 px wide

![w:600](images/big.png)

---

## Split

![bg right:40% sepia](images/big.png)

---

# The end
"""


def photo(seed: int, size: tuple[int, int] = PHOTO_SIZE):
    """A photo-like image: smooth colour gradients under grain (random, from `seed`)."""
    from PIL import Image, ImageFilter

    rng = random.Random(seed)
    small = Image.new("RGB", (6, 8))
    small.putdata([tuple(rng.randrange(256) for _ in range(3)) for _ in range(48)])
    base = small.resize(size, Image.BICUBIC)
    grain = Image.effect_noise(size, 40).filter(ImageFilter.GaussianBlur(0.6)).convert("RGB")
    return Image.blend(base, grain, 0.35)


def big_png(size: tuple[int, int] = (12000, 9000)):
    from PIL import Image

    gradient = Image.linear_gradient("L").resize(size)
    return Image.merge("RGB", (gradient, gradient.transpose(Image.Transpose.ROTATE_180), gradient))


def write(folder: Path, kind: str = "photos") -> Path:
    """Write the deck (and its images, unless already there) into `folder`; return the deck's path."""
    images = folder / "images"
    images.mkdir(parents=True, exist_ok=True)
    if kind == "photos":
        for i in range(PHOTO_COUNT):
            path = images / f"photo-{i}.jpg"
            if not path.exists():
                photo(i).save(path, "JPEG", quality=92)
        deck, text = folder / "photos.md", PHOTOS_DECK
    else:
        path = images / "big.png"
        if not path.exists():
            big_png().save(path, "PNG", compress_level=6)
        deck, text = folder / "big-png.md", BIG_PNG_DECK
    deck.write_text(text, encoding="utf-8")
    return deck


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--kind", choices=("photos", "big-png"), default="photos")
    args = parser.parse_args()
    print(write(args.folder, args.kind))
