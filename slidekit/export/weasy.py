"""Loading WeasyPrint: imported on first use, faster than a plain import, with slidekit's adjustments to it
installed (both in export/patches.py), and its log lines kept from the user."""

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
                quiet_library_logs()
    from .patches import install
    install()
    return module


def quiet_library_logs() -> None:
    """WeasyPrint's and the libraries' under it log lines never reach the user (Python's last-resort
    handler prints their warnings and errors on stderr): what matters of theirs is reported as slidekit's
    diagnostics where it happens (images that fail or are refused, overflow, fonts)."""
    import logging
    for name in ("weasyprint", "fontTools", "PIL", "pydyf", "cssselect2", "tinycss2", "pypdf"):
        logger = logging.getLogger(name)
        logger.addHandler(logging.NullHandler())
        logger.propagate = False
