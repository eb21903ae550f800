"""Copies ```mermaid fences out of a repository snapshot (a bare git mirror) into a diagram folder
(bench/diagrams/ unless --out is given), one file a diagram, and appends their origin to its SOURCES.tsv
(repo, path, commit, licence, line).

    python3 bench/collect_diagrams.py MIRROR_GIT_DIR OWNER/NAME LICENCE [PATH_GLOB] [--limit N] [--per-type N]
                                      [--out FOLDER]

A snapshot's content is for local measurement only: do not commit what this writes. The committed
bench/diagrams/ files were read from the search index (read_file), and their SOURCES.tsv rows name the
commit the index stores; add to them the same way, by hand, and run this only to try more diagrams locally.
"""

from __future__ import annotations

import argparse
import fnmatch
import re
import subprocess
from pathlib import Path

DEFAULT_OUT = Path(__file__).resolve().parent / "diagrams"
FENCE = re.compile(r"^([ \t]*)(```+|~~~+)[ \t]*mermaid[^\n]*\n(.*?)^\1\2[ \t]*$", re.M | re.S)


def git(mirror: str, *args: str) -> str:
    return subprocess.run(["git", "--git-dir", mirror, *args], capture_output=True, text=True, check=True).stdout


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("mirror")
    ap.add_argument("repo")
    ap.add_argument("licence")
    ap.add_argument("glob", nargs="?", default="*.md")
    ap.add_argument("--limit", type=int, default=20)
    ap.add_argument("--per-type", type=int, default=100)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args()
    out_dir: Path = args.out
    commit = git(args.mirror, "rev-parse", "HEAD").strip()
    paths = [p for p in git(args.mirror, "ls-tree", "-r", "--name-only", "HEAD").splitlines()
             if fnmatch.fnmatch(p, args.glob)]
    out_dir.mkdir(parents=True, exist_ok=True)
    sources = out_dir / "SOURCES.tsv"
    if not sources.exists():
        sources.write_text("file\trepo\tpath\tcommit\tlicence\tline\n")
    known = {f.read_text() for f in out_dir.glob("*.mmd")}
    per_type: dict[str, int] = {}
    taken = 0
    rows = []
    for path in sorted(paths):
        try:
            text = git(args.mirror, "show", f"HEAD:{path}")
        except subprocess.CalledProcessError:
            continue
        for m in FENCE.finditer(text):
            indent = m.group(1)
            body = "\n".join(line[len(indent):] if line.startswith(indent) else line
                             for line in m.group(3).split("\n"))
            words = [w for w in body.split() if not w.startswith("%%")]
            kind = re.sub(r"[^A-Za-z0-9-]", "", words[0]) if words else "empty"
            if body in known or per_type.get(kind, 0) >= args.per_type:
                continue
            known.add(body)
            per_type[kind] = per_type.get(kind, 0) + 1
            name = f"{args.repo.replace('/', '__')}__{len(list(out_dir.glob('*.mmd'))) + 1:03d}_{kind}.mmd"
            (out_dir / name).write_text(body)
            line = text.count("\n", 0, m.start()) + 1
            rows.append(f"{name}\t{args.repo}\t{path}\t{commit}\t{args.licence}\t{line}\n")
            taken += 1
            if taken >= args.limit:
                break
        if taken >= args.limit:
            break
    with sources.open("a") as out:
        out.writelines(rows)
    print(f"{taken} diagrams from {args.repo}: {per_type}")


if __name__ == "__main__":
    main()
