#!/usr/bin/env python3
"""Time a rebuild after a one-slide edit, in one running process (what `slidekit serve` and `--watch` do).

    python bench/rebuild.py [DECK] [--runs 5] [--formats html,pdf]

Builds DECK once (default: decks/mlops-guide/slides.md), then RUNS times edits the text of one slide and
builds again through the API, as the server does (layouts of unchanged slides come from memory), and prints
the median and every time. The edit appends a word to the first paragraph line of the deck's middle slide.
Not part of the tests.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from slidekit import api  # noqa: E402


def edit_point(text: str) -> int:
    """The end of the first plain text line of the middle slide (outside front-matter and fences)."""
    lines = text.split("\n")
    separators = [i for i, line in enumerate(lines) if line.strip() == "---"]
    start = separators[len(separators) // 2] if separators else 0
    fence = False
    for i in range(start + 1, len(lines)):
        line = lines[i]
        if line.lstrip().startswith(("```", "~~~")):
            fence = not fence
        if not fence and line[:1].isalpha():
            return sum(len(x) + 1 for x in lines[:i]) + len(line)
    raise SystemExit("no plain text line to edit in the middle of the deck")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("deck", nargs="?", type=Path, default=REPO / "decks" / "mlops-guide" / "slides.md")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--formats", default="html,pdf")
    args = parser.parse_args()
    text = args.deck.read_text(encoding="utf-8")
    at = edit_point(text)
    for fmt in args.formats.split(","):
        options = api.BuildOptions(format=fmt, offline=True)
        api.build_text(text, options, folder=args.deck.parent)          # the first build: everything
        times = []
        for run in range(args.runs):
            edited = text[:at] + f" edit{run}" + text[at:]
            start = time.perf_counter()
            result = api.build_text(edited, options, folder=args.deck.parent)
            times.append(time.perf_counter() - start)
            assert result.output, "the build failed"
        print(f"{fmt}: one-slide edit rebuilt in {statistics.median(times) * 1000:.0f} ms (median of {args.runs}: "
              + ", ".join(f"{t * 1000:.0f}" for t in times) + " ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
