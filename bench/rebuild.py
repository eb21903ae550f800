#!/usr/bin/env python3
"""Time a rebuild after a one-slide edit, in one running process (what `slidekit serve` and `--watch` do),
or with `--fresh` in a new `slidekit build` process each time (what a build from the shell or an editor's
build task does: only the on-disk cache carries over).

    python bench/rebuild.py [DECK] [--runs 5] [--formats html,pdf] [--fresh]

Builds DECK once (default: decks/mlops-guide/slides.md), then RUNS times edits the text of one slide and
builds again, and prints the median and every time. In one process the build goes through the API, as the
server does (`build_file` on a copy of the deck; layouts of unchanged slides come from memory), with a
cache folder of its own; with --fresh
it is `python -m slidekit build DECK -o OUT` on a copy of the deck's folder, with its own cache folder,
byte-compiled as an installed package is, timed from the process start to its end, each beside a
`python -c pass` (the machine's speed of the moment: Python's own start-up). The edit appends a
word to the first paragraph line of the deck's middle slide. Not part of the tests.
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
    parser.add_argument("--fresh", action="store_true", help="a new `slidekit build` process for each build")
    args = parser.parse_args()
    text = args.deck.read_text(encoding="utf-8")
    at = edit_point(text)
    if args.fresh:
        return fresh_processes(args, text, at)
    # A cache folder of its own: the user's may hold the chunks of these very edits from an earlier run,
    # and the edited slide's chunk would then come from the disk instead of being laid out.
    import os
    import shutil
    import tempfile
    os.environ["SLIDEKIT_CACHE_DIR"] = tempfile.mkdtemp(prefix="slidekit-rebuild-cache-")
    os.environ.pop("SLIDEKIT_CACHE", None)
    # the deck's file is rewritten and built from its path, as `serve` does (build_file)
    folder = Path(tempfile.mkdtemp(prefix="slidekit-rebuild-")) / "deck"
    shutil.copytree(args.deck.parent, folder)
    deck = folder / args.deck.name
    for fmt in args.formats.split(","):
        options = api.BuildOptions(format=fmt, offline=True)
        deck.write_text(text, encoding="utf-8")
        api.build_file(deck, options)          # the first build: everything
        times = []
        for run in range(args.runs):
            deck.write_text(text[:at] + f" edit{run}" + text[at:], encoding="utf-8")
            start = time.perf_counter()
            result = api.build_file(deck, options)
            times.append(time.perf_counter() - start)
            assert result.output, "the build failed"
        print(f"{fmt}: one-slide edit rebuilt in {statistics.median(times) * 1000:.0f} ms (median of {args.runs}: "
              + ", ".join(f"{t * 1000:.0f}" for t in times) + " ms)")
    return 0


def fresh_processes(args, text: str, at: int) -> int:
    import os
    import shutil
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory(prefix="slidekit-rebuild-") as work:
        work = Path(work)
        folder = work / "deck"
        shutil.copytree(args.deck.parent, folder)
        deck = folder / args.deck.name
        env = dict(os.environ, PYTHONPATH=str(REPO), SLIDEKIT_CACHE_DIR=str(work / "cache"),
                   PYTHONPYCACHEPREFIX=str(work / "pycache"))
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env.pop("SLIDEKIT_CACHE", None)
        for fmt in args.formats.split(","):
            out = work / f"out.{fmt}"
            command = [sys.executable, "-m", "slidekit", "build", str(deck), "-o", str(out), "-q"]
            deck.write_text(text, encoding="utf-8")
            # (run in the work folder: `-m` puts the working directory first on sys.path, and a checkout
            # there would be timed instead of REPO)
            subprocess.run(command, env=env, check=True, cwd=work)     # the first build fills the caches
            times, bare = [], []
            for run in range(args.runs):
                deck.write_text(text[:at] + f" edit{run}" + text[at:], encoding="utf-8")
                start = time.perf_counter()
                subprocess.run(command, env=env, check=True, cwd=work)
                times.append(time.perf_counter() - start)
                # The machine's phase, measured beside each build: a Python that starts and does nothing.
                start = time.perf_counter()
                subprocess.run([sys.executable, "-c", "pass"], env=env, check=True, cwd=work)
                bare.append(time.perf_counter() - start)
            print(f"{fmt}: one-slide edit rebuilt by a fresh `slidekit build` in "
                  f"{statistics.median(times) * 1000:.0f} ms (median of {args.runs}: "
                  + ", ".join(f"{t * 1000:.0f}" for t in times) + " ms); `python -c pass` beside it: "
                  f"{statistics.median(bare) * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
