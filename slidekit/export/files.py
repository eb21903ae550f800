"""Writing outputs: to a temporary file beside the target, then renamed, so a failed build never leaves a
half-written file in place of a good one."""

from __future__ import annotations

import os
from pathlib import Path


def write_atomic(path: Path, data: bytes | str) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = _new_file_beside(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _new_file_beside(path: Path) -> tuple[int, Path]:
    """A new, empty file in `path`'s folder, opened for writing, as readable as any new file (mode 0666 less
    the umask). Made here rather than with `tempfile`, whose import (with `shutil` and `random`) was ~4 ms of
    every build: created exclusively, so never through a link someone planted, under a random name."""
    for _ in range(100):
        tmp = path.parent / f".{path.name}.{os.urandom(6).hex()}.tmp"
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {path}")
