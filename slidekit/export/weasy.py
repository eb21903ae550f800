"""Loading WeasyPrint: imported on first use, faster than a plain import, with slidekit's adjustments to it
installed (both in export/patches.py)."""

from __future__ import annotations

import sys
import threading

_LOCK = threading.Lock()


def load():
    """The `weasyprint` module, imported on first use, patched (patches.install)."""
    module = sys.modules.get("weasyprint")
    if module is None:
        with _LOCK:
            module = sys.modules.get("weasyprint")
            if module is None:
                from .patches import import_weasyprint
                module = import_weasyprint()
    from .patches import install
    install()
    return module
