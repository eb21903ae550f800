"""Loading WeasyPrint, about 0.15 s sooner.

When WeasyPrint is imported it opens Pango, HarfBuzz, fontconfig and GObject through cffi, trying several
names for each library (Windows, macOS and Linux spellings, and an optional HarfBuzz library most systems
lack). cffi looks a name that does not open at once up with `ctypes.util.find_library`, which on Linux runs
`ldconfig -p` and then `gcc` and `ld` in subprocesses: some twenty of those for names that can never
match. That was a third of WeasyPrint's import (0.15–0.3 s of 0.45 s on the benchmark machine), paid by
every PDF build and by each of its layout processes.

`load()` imports WeasyPrint with `find_library` answered from one `ldconfig -p` listing. A name that is
not in the listing is reported missing at once; the names WeasyPrint tries include each library's
soname (`libpango-1.0.so.0`), which the dynamic loader opens directly without any lookup. Should the
import still fail that way (a system whose libraries the ld.so cache does not list), it is done again
the usual way, so the outcome is never worse than a plain `import weasyprint`.
"""

from __future__ import annotations

import sys
import threading

_LOCK = threading.Lock()


def load():
    """The `weasyprint` module, imported on first use."""
    module = sys.modules.get("weasyprint")
    if module is not None:
        return module
    with _LOCK:
        module = sys.modules.get("weasyprint")
        if module is not None:
            return module
        listing = _ldconfig_listing() if sys.platform.startswith("linux") else None
        if listing is not None:
            try:
                return _import_with(_finder(listing))
            except Exception:  # noqa: BLE001 - tried again below, the usual way, which reports properly
                for name in [n for n in sys.modules if n == "weasyprint" or n.startswith("weasyprint.")]:
                    del sys.modules[name]
        import weasyprint
        return weasyprint


def _ldconfig_listing() -> str | None:
    import subprocess
    for ldconfig in ("/sbin/ldconfig", "/usr/sbin/ldconfig"):
        try:
            done = subprocess.run([ldconfig, "-p"], capture_output=True, text=True, timeout=5,
                                  env={"LC_ALL": "C", "LANG": "C"})
        except (OSError, subprocess.SubprocessError):
            continue
        if done.returncode == 0 and done.stdout:
            return done.stdout
    return None


def _finder(listing: str):
    import re

    def find_library(name: str) -> str | None:
        # the pattern ctypes.util uses on the same listing
        found = re.search(r"\s+(lib%s\.[^\s]+)\s+\(" % re.escape(name), listing)
        return found.group(1) if found else None

    return find_library


def _import_with(find_library):
    import ctypes.util

    original = ctypes.util.find_library
    ctypes.util.find_library = find_library
    try:
        import weasyprint
    finally:
        ctypes.util.find_library = original
    return weasyprint
