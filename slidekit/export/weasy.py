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

WeasyPrint's import also loads two parts of fontTools that only some fonts need, ~0.1 s of every PDF
build: `fontTools.subset` (for subsetting when HarfBuzz cannot) and `fontTools.varLib.instancer` (for
variable fonts). They are loaded on first use instead (`_fonttools_on_first_use`). And WeasyPrint's cffi
gets a shortcut for fixed-size array types (`fixed_array_types`).
"""

from __future__ import annotations

import contextlib
import importlib
import re
import sys
import threading
import types

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
        module = None
        if listing is not None:
            try:
                module = _import_with(_finder(listing))
            except Exception:  # noqa: BLE001 - tried again below, the usual way, which reports properly
                for name in [n for n in sys.modules if n == "weasyprint" or n.startswith("weasyprint.")]:
                    del sys.modules[name]
        if module is None:
            import weasyprint as module
        fixed_array_types(getattr(sys.modules.get("weasyprint.text.ffi"), "ffi", None))
        quiet_library_logs()
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


def fixed_array_types(ffi) -> bool:
    """Make cffi's type for `T[N]` (an array of N items) from the type `T *` rather than by parsing C.

    cffi turns each new C type string into a type by running pycparser over it, behind a declaration of
    every type name the FFI knows: ~4 ms for WeasyPrint's. A string is parsed once per process, but
    WeasyPrint asks for `hb_codepoint_t[42]`, `[11]`, `[138]`... a new length for each font it embeds, in
    each chunk of a deck (a third of the types a one-slide PDF rebuild parsed). The type is the very object
    cffi makes (its type cache, `cffi.model.global_cache`, is asked with the same key as its own
    `ArrayType` does). Anything else, and arrays of what is not a plain value, struct, union, enum or
    pointer, is parsed as before. False if cffi is not as expected (nothing is changed)."""
    try:
        from cffi import model
        parse = type(ffi)._typeof_locked
        if "_typeof_locked" in vars(ffi) or not isinstance(ffi._parsed_types, dict):
            return False
    except Exception:  # noqa: BLE001 - an optimisation only
        return False

    def typeof_locked(cdecl):           # (called by cffi with the FFI's lock held)
        found = _FIXED_ARRAY.fullmatch(cdecl) if type(cdecl) is str else None
        if found is None or cdecl in ffi._parsed_types:
            return parse(ffi, cdecl)
        pointer, is_function = parse(ffi, found.group(1) + " *")
        if is_function or pointer.kind != "pointer" or pointer.item.kind not in _ARRAY_ITEMS:
            return parse(ffi, cdecl)
        result = model.global_cache(None, ffi, "new_array_type", pointer, int(found.group(2))), False
        ffi._parsed_types[cdecl] = result
        return result

    ffi._typeof_locked = typeof_locked
    return True


_FIXED_ARRAY = re.compile(r"([A-Za-z_][A-Za-z0-9_]*(?: [A-Za-z_][A-Za-z0-9_]*)*) ?\[([0-9]+)\]")
_ARRAY_ITEMS = ("primitive", "struct", "union", "enum", "pointer")


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
        with _fonttools_on_first_use():
            import weasyprint
    finally:
        ctypes.util.find_library = original
    return weasyprint


# fontTools modules WeasyPrint imports for some fonts only -> the names it takes from them at import time
_ON_FIRST_USE = {"fontTools.subset": (), "fontTools.varLib.instancer": ("instantiateVariableFont",)}


@contextlib.contextmanager
def _fonttools_on_first_use():
    """While WeasyPrint is imported, `_ON_FIRST_USE`'s modules are stand-ins that load the real module
    when first asked for anything (the names WeasyPrint imports from them are functions that do so). Only
    during the import: any later `import` of them gets the real module."""
    placed = {}
    for name, functions in _ON_FIRST_USE.items():
        if name not in sys.modules:
            placed[name] = sys.modules[name] = _LoadedOnFirstUse(name, functions)
    try:
        yield
    finally:
        for name, stand_in in placed.items():
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]


class _LoadedOnFirstUse(types.ModuleType):
    """Stands for a module: whatever is asked of it is asked of the real module, imported then."""

    def __init__(self, name: str, functions: tuple[str, ...]) -> None:
        super().__init__(name)
        for function in functions:
            setattr(self, function, self._calling(function))

    def _calling(self, function: str):
        def call(*args, **kwargs):
            return getattr(self._real(), function)(*args, **kwargs)
        call.__name__ = call.__qualname__ = function
        return call

    def _real(self):
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return importlib.import_module(self.__name__)

    def __getattr__(self, name: str):
        if name.startswith("__"):            # (what the import system asks of any module)
            raise AttributeError(name)
        return getattr(self._real(), name)
