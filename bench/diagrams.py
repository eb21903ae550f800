"""How many of the collected real Mermaid diagrams (*.mmd, origins in SOURCES.tsv) slidekit draws without
error, per diagram type, and what the engine said about the others. Draws without the cache.

    PYTHONPATH=. python3 bench/diagrams.py [-v] [FOLDER]

FOLDER defaults to bench/diagrams/: real diagrams read from public repositories through the search
index, each with its repository, path, commit, licence and line in bench/diagrams/SOURCES.tsv.
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from pathlib import Path

from slidekit.diagrams import _draw_now
from slidekit.diagrams.mermaid import DRAWN_TYPES, diagram_type

DEFAULT = Path(__file__).resolve().parent / "diagrams"


def main() -> None:
    verbose = "-v" in sys.argv
    folders = [Path(a) for a in sys.argv[1:] if a != "-v"]
    folder = folders[0] if folders else DEFAULT
    if not folder.is_dir():
        sys.exit(f"no diagrams in {folder}")
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    failures = []
    start = time.perf_counter()
    files = sorted(folder.glob("*.mmd"))
    for file in files:
        code = file.read_text(encoding="utf-8")
        keyword = diagram_type(code)
        kind = DRAWN_TYPES.get(keyword, keyword or "empty")
        drawing = _draw_now("mermaid", code)
        counts[kind][0] += 1
        if drawing.svg is not None:
            counts[kind][1] += 1
        else:
            failures.append((file.name, drawing.error))
    elapsed = time.perf_counter() - start
    print(f"{'type':<18}{'diagrams':>9}{'drawn':>7}")
    for kind, (total, drawn) in sorted(counts.items(), key=lambda kv: -kv[1][0]):
        print(f"{kind:<18}{total:>9}{drawn:>7}")
    total = sum(c[0] for c in counts.values())
    drawn = sum(c[1] for c in counts.values())
    print(f"{'all':<18}{total:>9}{drawn:>7}   ({elapsed:.1f} s for {len(files)} diagrams)")
    for name, error in failures if verbose else failures[:10]:
        print(f"  {name}: {error[:160]}")


if __name__ == "__main__":
    main()
