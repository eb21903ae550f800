"""A small on-disk cache for work that is a pure function of its inputs (scoped CSS, say), so that a fresh
process — every `slidekit build` — does not redo it.

Where: `$SLIDEKIT_CACHE_DIR`, else `$XDG_CACHE_HOME/slidekit`, else `~/.cache/slidekit`. Off when
`SLIDEKIT_CACHE` is `0`, `off`, `no` or `false` (or `SLIDEKIT_CACHE_DIR` is set to an empty string).

An entry is found by a BLAKE2b digest (256 bits) of everything its value depends on — the caller passes those
parts, and `code_key` adds the source of the modules that compute it, so editing slidekit invalidates old
entries. Every failure (read-only home, a full disk, a damaged or truncated entry) reads as a miss: the cache
can make a build faster, never different. Writes are atomic (a temporary file renamed into place), so two
builds running at once never see half an entry. Entries are plain files, readable and writable by their owner
only, and one that another user wrote or could rewrite is a miss (some are code or pickles, and the folder may
be shared); deleting the folder is always safe.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

try:    # (`import hashlib` loads OpenSSL first: ~4 ms of every build; BLAKE2 is built into CPython)
    from _blake2 import blake2b as _blake2b
except ImportError:     # pragma: no cover - a Python without it
    from hashlib import blake2b as _blake2b

_OFF = {"0", "off", "no", "false"}
_MAGIC = b"slidekit-cache 2\n"
_code_keys: dict[str, str] = {}


def cache_dir() -> Path | None:
    """The cache folder, or None when the cache is turned off."""
    if os.environ.get("SLIDEKIT_CACHE", "").strip().lower() in _OFF:
        return None
    explicit = os.environ.get("SLIDEKIT_CACHE_DIR")
    if explicit is not None:
        return Path(explicit).expanduser() if explicit.strip() else None
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "slidekit"


def _hash(data: bytes = b""):
    return _blake2b(data, digest_size=32)


def digest(*parts: str | bytes) -> str:
    """A 256-bit digest of the parts, each one delimited, so that ("ab", "c") and ("a", "bc") differ."""
    h = _hash()
    for part in parts:
        data = part if isinstance(part, bytes) else part.encode("utf-8", "surrogatepass")
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def code_key(*modules: str) -> str:
    """A digest of the named modules' source files (and the Python version): the "version" of the code
    that computes an entry."""
    name = "\0".join(modules)
    key = _code_keys.get(name)
    if key is None:
        parts: list[str | bytes] = [sys.version]
        for module in modules:
            file = getattr(sys.modules.get(module), "__file__", None)
            if file is None:                 # not imported (yet): its __init__.py, which names its version
                try:
                    spec = importlib.util.find_spec(module)
                    file = spec.origin if spec is not None else None
                except (ImportError, ValueError):
                    file = None
            try:
                parts.append(Path(file).read_bytes() if file else module)
            except OSError:
                parts.append(module)
        key = _code_keys[name] = digest(*parts)
    return key


def entry_path(namespace: str, key: str) -> Path | None:
    """Where the entry is (or would be) kept; None when the cache is off."""
    folder = cache_dir()
    return None if folder is None else folder / namespace / key[:2] / key[2:]


def get_bytes(namespace: str, key: str) -> bytes | None:
    path = entry_path(namespace, key)
    if path is None:
        return None
    try:
        with open(path, "rb") as file:
            if not _written_by_us(os.fstat(file.fileno())):
                return None
            data = file.read()
    except OSError:
        return None
    # magic + the digest of the payload: a truncated or damaged entry is a miss
    head, _, rest = data.partition(b"\n")
    if head + b"\n" != _MAGIC or len(rest) < 65 or rest[64:65] != b"\n":
        return None
    payload = rest[65:]
    if _hash(payload).hexdigest().encode() != rest[:64]:
        return None
    return payload


def _written_by_us(stat: os.stat_result) -> bool:
    """Whether an entry can only have been written by this user: some entries are code (dataclass methods,
    Jinja's compiled template) or pickles (PDF chunks), and a cache folder may be shared
    (`SLIDEKIT_CACHE_DIR`). Entries are written readable by their owner only (`put_bytes`)."""
    if not hasattr(os, "geteuid"):     # pragma: no cover - Windows: no owner ids to compare
        return True
    return stat.st_uid == os.geteuid() and not stat.st_mode & 0o022


def put_bytes(namespace: str, key: str, payload: bytes) -> None:
    path = entry_path(namespace, key)
    if path is None:
        return
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)    # never through a link
        descriptor = os.open(tmp, flags, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(_MAGIC + _hash(payload).hexdigest().encode() + b"\n" + payload)
        os.replace(tmp, path)
    except OSError:
        try:
            tmp.unlink()
        except OSError:
            pass


def get_text(namespace: str, key: str) -> str | None:
    data = get_bytes(namespace, key)
    if data is None:
        return None
    try:
        return data.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return None


def put_text(namespace: str, key: str, text: str) -> None:
    put_bytes(namespace, key, text.encode("utf-8", "surrogatepass"))


def memo_text(namespace: str, key: str, compute) -> str:
    """`compute()`, or the text it gave last time for this key."""
    found = get_text(namespace, key)
    if found is not None:
        return found
    text = compute()
    put_text(namespace, key, text)
    return text
