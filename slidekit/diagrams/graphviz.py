"""Graphviz's `dot -Tsvg` (Debian's `graphviz` package), run as a subprocess with a time limit.

Graphviz can read files a graph names (`image=`, `shapefile=`): `SERVER_NAME` turns on its restricted mode,
in which such files are looked for only in `GV_FILE_PATH`, an empty folder here; links and images are then
also dropped from the drawing (svg.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

TIME_LIMIT = 20      # seconds: a graph larger than any slide holds


class GraphvizError(ValueError):
    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def dot_path() -> str | None:
    return shutil.which("dot")


def draw_dot(source: str, engine: str = "dot") -> str:
    dot = dot_path()
    if dot is None:
        raise GraphvizError("Graphviz is not installed (the `dot` command; Debian: apt install graphviz)")
    with tempfile.TemporaryDirectory(prefix="slidekit-dot-") as empty:
        env = {"PATH": os.environ.get("PATH", ""), "SERVER_NAME": "slidekit", "GV_FILE_PATH": empty,
               "LANG": "C.UTF-8"}
        try:
            done = subprocess.run([dot, f"-K{engine}", "-Tsvg"], input=source.encode("utf-8"), cwd=empty,
                                  env=env, capture_output=True, timeout=TIME_LIMIT)
        except subprocess.TimeoutExpired as exc:
            raise GraphvizError(f"Graphviz took longer than {TIME_LIMIT} s; not drawn") from exc
        except OSError as exc:
            raise GraphvizError(f"Graphviz did not run: {exc}") from exc
    errors = done.stderr.decode("utf-8", "replace").strip()
    if done.returncode != 0 or not done.stdout.strip():
        words = " ".join(line.strip() for line in errors.splitlines() if line.strip()) or "no drawing"
        line = None
        import re
        m = re.search(r"\bline (\d+)", words)
        if m:
            line = int(m.group(1))
        raise GraphvizError(words, line)
    return done.stdout.decode("utf-8", "replace")
