#!/usr/bin/env python3
"""Compare export/html_tree.py's trees with tinyhtml5's on every slide document of some decks.

    python bench/html_trees.py DECK.md...

Each deck is built to PDF; every slide document laid out (as a block and as the inline-block) is parsed
both ways. Prints how many trees were the same, how many slides were left to tinyhtml5, and any tree that
differs (which would be a bug: the PDF must not depend on the parser).
"""
from __future__ import annotations

import collections
import os
import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def main(decks: list[str]) -> int:
    os.environ["SLIDEKIT_CACHE"] = "off"
    import tinyhtml5

    import slidekit.export.pdf as pdf
    from slidekit.api import BuildOptions, build_file
    from slidekit.export.html_tree import parse_document

    counts: collections.Counter = collections.Counter()
    different: list[str] = []
    layout = pdf._layout

    def compare(document_html, base_url, fetcher):
        head, body_open, rest = document_html.partition("<body>")
        body, body_close, tail = rest.rpartition("</body>")
        head = pdf._STYLE.sub("", head)
        slide_head = pdf._HEAD_ONLY.sub("", head)
        pieces = body.split(pdf._PAGE)
        chunks = [pdf._PAGE + c for c in pieces[1:]]
        if chunks:
            chunks[0] = pieces[0] + chunks[0]
        for index, chunk in enumerate(chunks):
            for variant in (chunk, chunk.replace(pdf._PAGE, pdf._PAGE + " data-sk-block", 1)):
                text = f"{slide_head if index else head}{body_open}{variant}{body_close}{tail}"
                tree = parse_document(text)
                if tree is None:
                    counts["left to tinyhtml5"] += 1
                elif ET.tostring(tree) == ET.tostring(tinyhtml5.parse(text, namespace_html_elements=False)):
                    counts["same"] += 1
                else:
                    counts["DIFFERENT"] += 1
                    different.append(text)
        return layout(document_html, base_url, fetcher)

    pdf._layout = compare
    for deck in decks:
        try:
            build_file(Path(deck), BuildOptions(format="pdf", jobs=1, pdf_cache=False))
        except Exception as exc:  # noqa: BLE001 - a deck that does not build is named, the rest go on
            print(f"{deck}: {exc.__class__.__name__}: {exc}", file=sys.stderr)
    print(", ".join(f"{key}: {value}" for key, value in counts.items()))
    for text in different[:3]:
        print("---- differs:\n" + text[:2000])
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
