"""Compiled regular expressions kept between runs of the `slidekit` command.

A fresh `slidekit build` compiles some 130 regular expressions (mistune's scanners, the standard
library's, ours): ~20 ms, a sixth of a small deck's HTML build. Python keeps compiled patterns in a dict
(`re._cache`) for the life of a process only. This module stores what the compiler made of each pattern
(its code and group tables) in slidekit's cache, and at the next start gives `re` a cache that makes the
same Pattern object from the stored code the first time a stored pattern is asked for (`_StoredPatterns`):
the store also holds the ~400 patterns of a PDF build (WeasyPrint's), which an HTML build never uses
(making all 800 stored patterns at once took 6–9 ms).

It leans on CPython's `re` internals (`re._cache`, `re._parser.parse`, `re._compiler._code`,
`_sre.compile`), and is careful with them:
- the entry's key holds Python's exact version and the regex engine's magic number and code size;
- a pattern is stored only if the code made from it gives a Pattern equal to the one `re` compiled
  (CPython compares patterns by flags, source and compiled code);
- `_sre.compile` checks the code it is given;
- a damaged entry is compiled as usual when it is asked for, and replaced; anything else unexpected
  (another Python, a missing internal, an unreadable store) turns it off for the run, which then compiles
  as usual.
Only the CLI uses it (`cli.entry`); the API never touches `re`'s cache. SLIDEKIT_CACHE=off turns it off.
"""

from __future__ import annotations

import marshal
import re
import sys

MAX_PATTERNS = 800       # stored at most (a build with WeasyPrint compiles ~400): a pattern made from data
                         # (a deck's words) must not grow the store forever

_preloaded: set | None = None     # the keys made from the store (None: not used in this process)
_failed: set = set()              # stored entries that did not load: dropped at the next store


class _StoredPatterns(dict):
    """`re`'s cache (a dict of compiled patterns), which makes a stored pattern from its stored code the first
    time `re` looks it up and misses (`dict.__missing__`), and keeps it like any other."""

    def __init__(self, compiled: dict, stored: dict, loaded: set) -> None:
        super().__init__(compiled)
        self.stored = stored            # key -> stored entry, not made yet
        self.loaded = loaded            # the keys made from the store

    def __missing__(self, key):
        entry = self.stored.pop(key, None) if type(key) is tuple else None
        if entry is None:
            raise KeyError(key)
        import _sre
        try:
            flags, code, *rest = entry[3]
            compiled = _sre.compile(entry[1], flags, memoryview(code).cast("I").tolist(), *rest)
        except Exception:  # noqa: BLE001 - a damaged entry: compiled as usual, and stored again at the end
            _failed.add(key)
            raise KeyError(key) from None
        self[key] = compiled
        self.loaded.add(key)
        return compiled


def preload() -> set | None:
    """Give `re` a cache that holds the stored patterns (made when first asked for); the set of the keys made
    from the store, which fills as they are (None: the cache is off or unusable)."""
    try:
        import _sre  # noqa: F401 - what the stored patterns are made with

        from . import cache
        if cache.cache_dir() is None or type(getattr(re, "_cache", None)) is not dict:
            return None
    except Exception:  # noqa: BLE001 - not CPython's `re` as we know it: patterns are compiled as usual
        return None
    global _preloaded
    stored = _stored()
    loaded = {key for key in re._cache if stored.pop(key, None) is not None}    # compiled before: as if made
    re._cache = _StoredPatterns(re._cache, stored, loaded)
    _preloaded = loaded
    return loaded


def store_new(loaded: set | None = None) -> None:
    """Store the patterns this process compiled that were not preloaded (nothing when there are none). Also
    called by a PDF build's first layout process once it has loaded WeasyPrint (export/pdf_chunks.py)."""
    loaded = _preloaded if loaded is None else loaded
    if loaded is None:
        return
    try:
        import _sre

        from . import cache
        new = []
        for key, compiled in list(re._cache.items()):
            kind, pattern, flags = key
            if key in loaded or kind not in (str, bytes) or not isinstance(flags, int) or flags & re.DEBUG:
                continue
            args = _compile_args(pattern, flags)
            again = _sre.compile(pattern, *args)
            if again == compiled and again.groupindex == compiled.groupindex:
                new.append((kind is str, pattern, flags, args))     # (marshal stores no types: str or not)
        if not new:
            return
        from array import array     # (here: nearly every run has nothing new, and loading it costs ~0.6 ms)
        if array("I").itemsize != _sre.CODESIZE:
            return
        # the code as bytes, which load ~10 times faster than a list of its ints
        new = [(is_text, pattern, flags, (args[0], array("I", args[1]).tobytes(), *args[2:]))
               for is_text, pattern, flags, args in new]
        # the store as it is now (another process may have added to it), less what did not load, and the new
        merged = {key: entry for key, entry in _stored().items() if key not in _failed}
        merged.update((_cache_key(entry), entry) for entry in new)
        cache.put_bytes("regex", _key(), marshal.dumps(list(merged.values())[-MAX_PATTERNS:]))
    except Exception:  # noqa: BLE001 - storing is an optimisation: a failure costs the next run ~20 ms
        return


def _stored() -> dict:
    """The store's entries by `re` cache key ({} if there is none, or it is damaged: it is replaced)."""
    try:
        from . import cache
        data = cache.get_bytes("regex", _key())
        return {_cache_key(entry): tuple(entry) for entry in (marshal.loads(data) if data is not None else [])}
    except Exception:  # noqa: BLE001
        return {}


def _cache_key(entry) -> tuple:
    """`re._cache`'s key for a stored entry (is_text, pattern, flags, args)."""
    is_text, pattern, flags, _ = entry
    return (str if is_text else bytes, pattern, flags)


def _compile_args(pattern, flags) -> tuple:
    """The arguments `re._compiler.compile` passes to `_sre.compile` for this pattern (after `pattern`)."""
    from re import _compiler, _parser
    parsed = _parser.parse(pattern, flags)
    code = [int(op) for op in _compiler._code(parsed, flags)]      # (opcodes are an int subclass)
    groupindex = dict(parsed.state.groupdict)
    indexgroup = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    return (flags | parsed.state.flags, code, parsed.state.groups - 1, groupindex, tuple(indexgroup))


def _key() -> str:
    import _sre

    from . import cache
    return cache.digest("regex 2", sys.version, sys.byteorder, str(_sre.MAGIC), str(_sre.CODESIZE))
