#!/usr/bin/env python3
"""Real public Marp decks with photos, for bench/run.py --photo-decks (issue 23).

    python bench/photo_decks.py --mirrors DIR --out /work/photo-decks

bench/photo_decks.tsv names each deck: its repository, the commit measured, the deck's path and the licence.
Their images are not in this repository (most licences do not allow a copy, and they weigh megabytes):
clone each repository (`git clone https://github.com/OWNER/NAME`, or a bare snapshot under
DIR/OWNER+NAME/repo) and this script copies the deck's folder at that commit to OUT/NAME/.
"""
from __future__ import annotations

import argparse
import csv
import subprocess
import sys
from pathlib import Path

MANIFEST = Path(__file__).resolve().parent / "photo_decks.tsv"


def read_manifest(path: Path = MANIFEST) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def deck_file(root: Path, entry: dict) -> Path:
    """Where an extracted deck's Markdown is: ROOT/NAME/<its file name>."""
    return root / entry["name"] / Path(entry["deck"]).name


def extract(git_dir: Path, entry: dict, out: Path) -> Path:
    """Copy the deck's folder at the manifest's commit (all its files, images included) into OUT/NAME.
    A file the clone lacks (a snapshot may leave out its largest files) is named on stderr and skipped."""
    folder = str(Path(entry["deck"]).parent)
    git = ["git", "--git-dir", str(git_dir)]
    listing = subprocess.run([*git, "ls-tree", "-r", "-z", entry["commit"], *([folder] if folder != "." else [])],
                             check=True, capture_output=True).stdout
    target = out / entry["name"]
    prefix = "" if folder == "." else folder + "/"
    for line in filter(None, listing.split(b"\0")):
        meta, name = line.split(b"\t", 1)
        _mode, kind, sha = meta.split()
        path = name.decode()
        if kind != b"blob" or not path.startswith(prefix):
            continue
        blob = subprocess.run([*git, "cat-file", "blob", sha.decode()], capture_output=True)
        if blob.returncode != 0:
            print(f"photo_decks: {entry['name']}: {path} is not in this clone", file=sys.stderr)
            continue
        dest = target / path[len(prefix):]
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(blob.stdout)
    return deck_file(out, entry)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mirrors", type=Path, required=True,
                        help="folder of git directories named OWNER+NAME/repo (or OWNER+NAME/.git)")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    for entry in read_manifest():
        base = args.mirrors / entry["repository"].replace("/", "+")
        git_dir = next((d for d in (base / "repo", base / ".git", base) if (d / "HEAD").exists()), None)
        if git_dir is None:
            print(f"photo_decks: {entry['name']}: no clone of {entry['repository']} under {args.mirrors}",
                  file=sys.stderr)
            continue
        print(extract(git_dir, entry, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
