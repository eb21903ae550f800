"""Forked helper processes of one build, and the length-prefixed pickled messages they trade over pipes.

A build forks a helper only where it pays and is safe: on Linux (as the PDF's layout processes; macOS
advises against `fork` without `exec`), with two CPUs or more, and no other thread running (a `serve`
rebuild has several; forking beside them could copy a lock held elsewhere).
Messages are framed, so that a reader never waits for an end of file that a copy of the pipe, inherited by
another forked helper, would hold back.
"""

from __future__ import annotations

import os
import struct
import sys

_HEADER = struct.Struct("<Q")


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity, where the system says)."""
    count = getattr(os, "process_cpu_count", None)        # Python 3.13
    count = count() if count else (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None)
    return max(1, count or os.cpu_count() or 1)


def can_fork() -> bool:
    # (no other thread runs where `threading` was never imported: importing it for this cost ~1 ms a build)
    threading = sys.modules.get("threading")
    return (sys.platform.startswith("linux") and hasattr(os, "fork") and usable_cpus() >= 2
            and (threading is None or threading.active_count() == 1))


def write_message(fd: int, obj) -> None:
    import pickle    # (only where there is a helper: not in every build's start-up)
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view):]


def _read_exactly(fd: int, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise EOFError("the other process ended before its message did")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_message(fd: int):
    """The next message on `fd`; EOFError if the writer is gone, pickle.UnpicklingError if it is damaged."""
    import pickle
    (size,) = _HEADER.unpack(_read_exactly(fd, _HEADER.size))
    return pickle.loads(_read_exactly(fd, size))


def reap(pid: int, kill: bool = False) -> None:
    """Wait for a forked helper (killed first if its work is no longer wanted), so none is left a zombie."""
    if kill:
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
