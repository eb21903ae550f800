#!/usr/bin/env python3
"""Deterministic benchmark decks: N slides of mixed Marp content, in the spirit of the seed deck.

    python bench/gen_deck.py N [-o DECK.md]        (default: bench-N.md in the current folder)

The deck uses the gaia theme, a global footer, pagination, a `style` directive and `headingDivider`, and
its slides cycle through headings, lists, quotes, tables, code, split and full backgrounds, lead slides,
`_paginate`/`_footer` directives and speaker notes. Background images are small PNGs written into
`images/` beside the deck (they exist, so both compilers embed them). The same N always gives the same
bytes: no randomness, no dates.
"""
from __future__ import annotations

import argparse
import struct
import zlib
from pathlib import Path

IMAGE_COUNT = 6

HEAD = """---
marp: true
theme: gaia
size: 16:9
paginate: true
title: Benchmark deck ({n} slides)
author: slidekit bench
footer: '**slidekit bench** - generated deck - {n} slides'
headingDivider: 2
style: |
  :root {{ --color-highlight: #4051b5; }}
  blockquote {{ font-style: italic; }}
  table {{ width: 100%; }}
  h2 {{ text-transform: uppercase; }}
  .center {{ text-align: center; }}
---

"""

WORDS = ("model data pipeline training experiment metric deployment review cluster feature registry "
         "version artifact monitoring drift latency storage notebook container schedule").split()


def words(seed: int, count: int) -> str:
    return " ".join(WORDS[(seed * 7 + i * 3) % len(WORDS)] for i in range(count))


def slide(i: int) -> str:
    """Slide number i (1-based); the kind cycles with period 10."""
    kind = i % 10
    title = f"## {i}. {words(i, 3).title()}"
    if i == 1:
        return (f"# Benchmark deck\n\n<!--\n_class: lead\n_paginate: false\n-->\n\n"
                f"A generated deck for timing **slidekit** against marp-cli.\n\n"
                f"![bg opacity:0.4](./images/bg-0.png)\n")
    if kind == 0:
        return f"{title}\n\n<!-- _class: lead -->\n\n**{words(i, 5)}**\n"
    if kind == 1:
        items = "\n".join(f"- {words(i + k, 4)}" for k in range(4))
        return f"{title}\n\n{items}\n\n![bg right:40% 80%](./images/bg-{i % IMAGE_COUNT}.png)\n"
    if kind == 2:
        return (f"{title}\n\n> {words(i, 12)}\n> {words(i + 1, 8)}\n\n<hr>\n\n"
                f"**{words(i + 2, 4)}**\n\n> {words(i + 3, 10)}\n")
    if kind == 3:
        rows = "\n".join(f"| {words(i + r, 1)} | {words(i + r, 4)} | {r * i % 97} |" for r in range(4))
        return f"{title}\n\n| Step | What | Cost |\n| --- | --- | ---: |\n{rows}\n"
    if kind == 4:
        body = "\n".join(f"    {words(i + k, 1)}_{k} = run('{words(i + k, 2)}', retries={k})" for k in range(6))
        return (f"{title}\n\n```python\ndef stage_{i}(config):\n{body}\n    return config\n```\n\n"
                f"<!-- Speaker note for slide {i}: {words(i, 6)}. -->\n")
    if kind == 5:
        items = "\n".join(f"{k}. **{words(i + k, 2)}**: {words(i + k + 1, 5)}" for k in range(1, 5))
        return f"{title}\n\n<!-- _paginate: skip -->\n\n{items}\n"
    if kind == 6:
        return (f"{title}\n\n![bg w:90%](./images/bg-{i % IMAGE_COUNT}.png) "
                f"![bg w:90%](./images/bg-{(i + 1) % IMAGE_COUNT}.png)\n")
    if kind == 7:
        return (f"{title}\n\n<!-- _footer: '' -->\n\n{words(i, 20)}\n\n- [x] {words(i, 3)}\n- [ ] {words(i + 1, 3)}\n"
                f"\nInline `code_{i}()`, *emphasis*, ~~strike~~ and a [link](https://example.com/{i}).\n")
    if kind == 8:
        items = "\n".join(f"  - {words(i + k, 4)}" for k in range(3))
        return (f"{title}\n\n- {words(i, 4)}\n{items}\n- {words(i + 5, 4)}\n\n"
                f"![bg left:35%](./images/bg-{i % IMAGE_COUNT}.png)\n")
    return f"{title}\n\n<div class=\"center\">\n\n### {words(i, 4)}\n\n{words(i + 1, 14)}\n\n</div>\n"


def deck_text(n: int) -> str:
    return HEAD.format(n=n) + "\n".join(slide(i) for i in range(1, n + 1))


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A small gradient PNG, written by hand so the generator needs nothing but the standard library."""
    rows = b"".join(b"\x00" + bytes(v for x in range(width)
                                    for v in ((rgb[0] + x) % 256, (rgb[1] + y) % 256, rgb[2]))
                    for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9))
            + chunk(b"IEND", b""))


def write_deck(n: int, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    images = path.parent / "images"
    images.mkdir(exist_ok=True)
    for k in range(IMAGE_COUNT):
        target = images / f"bg-{k}.png"
        data = png(160, 90, (40 * k, 255 - 30 * k, 128))
        if not target.exists() or target.read_bytes() != data:
            target.write_bytes(data)
    text = deck_text(n)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("slides", type=int)
    parser.add_argument("-o", "--output", type=Path)
    args = parser.parse_args()
    path = write_deck(args.slides, args.output or Path(f"bench-{args.slides}.md"))
    print(path)


if __name__ == "__main__":
    main()
