"""The docstring `@dataclass` gives a class written without one, made without importing `inspect`.

`dataclasses` imports `inspect` (and with it `ast`, `dis` and `tokenize`: 4–5 ms, a sixth of what a fresh
`slidekit build` of a small deck adds to Python's own start) for one call: when a class has no docstring,
`@dataclass` makes one from `str(inspect.signature(cls))`. An HTML build defines four such classes, all
mistune's.

`install()` imports `dataclasses` with a stand-in for `inspect` in its namespace. The stand-in's `signature`
writes that text itself in the plain case — a class of its own whose `__init__` is the function
`@dataclass` wrote, every annotation a string (a module with `from __future__ import annotations`) or
`None` — formatting it as `inspect` does (tests/test_dataclass_docs.py compares the two on many classes).
Anything else, and any other attribute, is the real `inspect`'s, imported then. The stand-in lives only in
`dataclasses`' namespace: any `import inspect` gets the real module.
Only the CLI installs it (`cli.entry`), before anything imports `dataclasses`; SLIDEKIT_CACHE does not
matter, nothing is stored.
"""

from __future__ import annotations

import sys
import types

_FUNCTION = type(lambda: None)
_CO_VARARGS, _CO_VARKEYWORDS = 0x04, 0x08


class _InspectOnDemand(types.ModuleType):
    """`inspect` as `dataclasses` sees it: `signature`, and the real module for everything else."""

    def __getattr__(self, name: str):
        import inspect      # (the real one: the stand-in is never in sys.modules after `install`)
        return getattr(inspect, name)

    @staticmethod
    def signature(obj, *args, **kwargs):
        text = plain_signature_text(obj) if not args and not kwargs else None
        if text is not None:
            return text         # (`dataclasses` only takes its str())
        import inspect
        return inspect.signature(obj, *args, **kwargs)


def install() -> bool:
    """Import `dataclasses` with the stand-in; False when `dataclasses` or `inspect` is loaded already."""
    if "dataclasses" in sys.modules or "inspect" in sys.modules:
        return False
    stand_in = _InspectOnDemand("inspect")
    sys.modules["inspect"] = stand_in
    try:
        import dataclasses
    except Exception:  # noqa: BLE001 - an optimisation: `dataclasses` is then imported as usual
        return False
    finally:
        if sys.modules.get("inspect") is stand_in:
            del sys.modules["inspect"]
    return getattr(dataclasses, "inspect", None) is stand_in


def plain_signature_text(cls) -> str | None:
    """`str(inspect.signature(cls))` for a plain class with a plain Python `__init__` and only string or None
    annotations; None for anything else (the caller then asks `inspect`)."""
    if type(cls) is not type or cls.__bases__ != (object,) or cls.__new__ is not object.__new__:
        return None
    init = cls.__dict__.get("__init__")
    if type(init) is not _FUNCTION:
        return None
    # what `inspect` would look at before the function itself
    for holder in (cls, init):
        if hasattr(holder, "__wrapped__") or any(getattr(holder, name, None) is not None
                                                 for name in ("__signature__", "_partialmethod")):
            return None
    if getattr(init, "__text_signature__", None):
        return None
    code = init.__code__
    if code.co_flags & (_CO_VARARGS | _CO_VARKEYWORDS) or code.co_posonlyargcount or code.co_argcount < 1:
        return None
    annotations = init.__annotations__
    if not all(value is None or type(value) is str for value in annotations.values()):
        return None
    positional = code.co_varnames[1:code.co_argcount]       # (the first, `self`, is bound)
    keyword_only = code.co_varnames[code.co_argcount:code.co_argcount + code.co_kwonlyargcount]
    defaults = init.__defaults__ or ()
    kwdefaults = init.__kwdefaults__ or {}
    if len(defaults) > len(positional):
        return None
    first_default = len(positional) - len(defaults)
    parts = []
    for index, name in enumerate(positional):
        parts.append(_parameter(name, annotations, index >= first_default, defaults[index - first_default]
                                if index >= first_default else None))
    if keyword_only:
        parts.append("*")
        for name in keyword_only:
            parts.append(_parameter(name, annotations, name in kwdefaults, kwdefaults.get(name)))
    text = f"({', '.join(parts)})"
    if "return" in annotations:
        text += f" -> {annotations['return']!r}"
    return text


def _parameter(name: str, annotations: dict, has_default: bool, default) -> str:
    text = name
    if name in annotations:
        text += f": {annotations[name]!r}"
    if has_default:
        text += f" = {default!r}" if name in annotations else f"={default!r}"
    return text
