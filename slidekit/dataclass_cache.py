"""The methods `@dataclass` writes, kept compiled between runs of the `slidekit` command.

`@dataclass` writes each class's `__init__`, `__repr__` and `__eq__` (and a frozen class's `__setattr__`,
`__delattr__` and `__hash__`) as Python source, and compiles that source with `exec` every time the class
is defined: some 80 functions for the 24 dataclasses an HTML build defines (slidekit's and mistune's),
~6 ms of every fresh `slidekit build`, a tenth of a small deck's rebuild.

`install()` gives the `dataclasses` module an `exec` of its own (a module global, which its functions find
before the builtin) that takes the code of a source it has compiled before from slidekit's cache
(cache.py), and compiles any other source as `exec` does: file name `<string>`, and none of the caller's
`__future__` flags (`dont_inherit`: `dataclasses` has none; this module's `annotations` would turn the
generated `__init__`'s annotations into strings). `store_new()` adds what this process compiled.

The code is found by its exact source text, in a store whose key holds Python's exact version and the
magic number of its bytecode, so it is the code `exec` would have compiled. Only the CLI installs it
(`cli.entry`), as it does regex_cache.py; SLIDEKIT_CACHE=off turns both off.
"""

from __future__ import annotations

import builtins
import marshal
import sys

MAX_SOURCES = 600       # sources stored at most: old slidekit versions' classes must not grow it forever

_new: dict | None = None       # the sources this process compiled, by source (None: not installed)


def install() -> bool:
    """Give `dataclasses` the caching `exec`; False when the cache is off, or it is installed already."""
    global _new
    try:
        import dataclasses

        from . import cache
        if _new is not None or cache.cache_dir() is None or "exec" in vars(dataclasses):
            return False
        stored = _stored()
    except Exception:  # noqa: BLE001 - an optimisation: classes are then compiled as usual
        return False
    new: dict = {}
    builtin_exec = builtins.exec

    def exec_cached(source, globals=None, locals=None, /, **kwargs):
        if type(source) is str:
            code = stored.get(source)
            if code is None:
                code = new[source] = compile(source, "<string>", "exec", dont_inherit=True)
            source = code
        return builtin_exec(source, globals, locals, **kwargs)

    dataclasses.exec = exec_cached
    _new = new
    return True


def uninstall() -> None:
    """Give `dataclasses` the builtin `exec` back (tests); what was compiled is not stored."""
    global _new
    dataclasses = sys.modules.get("dataclasses")
    if dataclasses is not None and "exec" in vars(dataclasses):
        del dataclasses.exec
    _new = None


def store_new() -> None:
    """Add the sources this process compiled to the store (nothing when there are none). Also called by a PDF
    build's first layout process once it has loaded WeasyPrint (export/pdf_chunks.py)."""
    if not _new:
        return
    try:
        from . import cache
        merged = {**_stored(), **_new}          # the store as it is now: another process may have added to it
        kept = dict(list(merged.items())[-MAX_SOURCES:])
        cache.put_bytes("dataclass", _key(), marshal.dumps(kept))
        _new.clear()
    except Exception:  # noqa: BLE001 - storing is an optimisation: the next run compiles them again
        return


def _stored() -> dict:
    """The stored code by source ({} when there is none, or it does not load: it is replaced)."""
    try:
        from . import cache
        data = cache.get_bytes("dataclass", _key())
        stored = marshal.loads(data) if data is not None else {}
        code_type = type(_stored.__code__)
        return {source: code for source, code in stored.items()
                if type(source) is str and type(code) is code_type}
    except Exception:  # noqa: BLE001
        return {}


def _key() -> str:
    import importlib.util

    from . import cache
    return cache.digest("dataclass-code", sys.version, importlib.util.MAGIC_NUMBER)
