"""Regular expressions compiled by one run of the CLI are loaded compiled by the next (regex_cache.py): the
same Pattern objects as a fresh compilation, the same output, and a damaged store is only a slower start."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from process_helpers import cache_env

ROOT = Path(__file__).resolve().parents[1]
DECK = "---\nmarp: true\ntheme: gaia\n---\n\n# Hello\n\nSome *text* and `code`.\n\n---\n\n## Two\n\n- a\n- b\n"

# In a fresh interpreter: preload, build through the CLI, store; report how many patterns were made from the
# store and whether each equals a fresh compilation of it (CPython compares flags, source and compiled code).
SCRIPT = r"""
import json, re, sys
from re import _compiler
from slidekit import regex_cache
from slidekit.cli import main
before = set(re._cache)
preloaded = regex_cache.preload()
rc = main(["build", sys.argv[1], "-o", sys.argv[2], "-q"])
same = all(re._cache[key] == _compiler.compile(key[1], key[2]) and
           re._cache[key].groupindex == _compiler.compile(key[1], key[2]).groupindex
           for key in (preloaded or ()))
regex_cache.store_new(preloaded)
compiled_here = [k[1] for k in re._cache if preloaded is not None and k not in preloaded]
print(json.dumps({"rc": rc, "preloaded": None if preloaded is None else len(preloaded), "same": same,
                  "compiled_here": len(compiled_here), "patterns": [k[1] for k in re._cache if type(k[1]) is str],
                  "made": [k[1] for k in (preloaded or ()) if k not in before and type(k[1]) is str]}))
"""


def _run(tmp_path: Path, cache: Path | None, out: str, off: bool = False) -> dict:
    env = cache_env(cache)
    if off:                         # a cache folder named, and the cache turned off
        env["SLIDEKIT_CACHE"] = "off"
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "deck.md"), str(tmp_path / out)],
                          capture_output=True, text=True, cwd=ROOT, env=env, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def deck(tmp_path):
    (tmp_path / "deck.md").write_text(DECK, encoding="utf-8")
    return tmp_path


def _entries(cache: Path) -> list[Path]:
    return [p for p in (cache / "regex").rglob("*") if p.is_file()] if (cache / "regex").is_dir() else []


def test_second_run_loads_every_pattern_compiled_and_builds_the_same_bytes(deck):
    cache = deck / "cache"
    first = _run(deck, cache, "first.html")
    assert first["rc"] == 0 and first["preloaded"] == 0 and first["compiled_here"] > 50   # mistune's, ours
    (entry,) = _entries(cache)
    stored = entry.read_bytes()
    assert _stored_count(cache) >= first["compiled_here"]
    second = _run(deck, cache, "second.html")
    # the patterns it asks for are made from the store (not all: the first build also rendered the page
    # template and coloured code, which the cache spares the second), each equal to a fresh compilation
    assert second["preloaded"] > 50 and second["same"] is True
    assert second["compiled_here"] == 0            # nothing left to compile: nothing new stored
    assert entry.read_bytes() == stored
    off = _run(deck, deck / "off-cache", "off.html", off=True)
    assert off["preloaded"] is None and not _entries(deck / "off-cache")
    assert (deck / "first.html").read_bytes() == (deck / "second.html").read_bytes() == (deck / "off.html").read_bytes()


@pytest.mark.parametrize("damage", ["not marshal", "bad engine code", "wrong shape"])
def test_a_damaged_store_is_a_slower_start_not_a_failure(deck, damage, monkeypatch):
    import marshal

    from slidekit import cache, regex_cache
    store = deck / "cache"
    _run(deck, store, "first.html")
    monkeypatch.setenv("SLIDEKIT_CACHE_DIR", str(store))
    monkeypatch.delenv("SLIDEKIT_CACHE", raising=False)
    payload = {"not marshal": b"\x00garbage",
               "bad engine code": marshal.dumps([(True, "a+", 32, (32, [999, 1, 2], 0, {}, (None,)))]),
               "wrong shape": marshal.dumps({"a": 1})}[damage]
    cache.put_bytes("regex", regex_cache._key(), payload)
    again = _run(deck, store, "again.html")
    assert again["rc"] == 0 and again["preloaded"] == 0 and again["compiled_here"] > 50   # compiled as usual
    assert (deck / "again.html").read_bytes() == (deck / "first.html").read_bytes()
    repaired = _run(deck, store, "repaired.html")                 # and stored again
    assert repaired["preloaded"] > 50 and repaired["compiled_here"] == 0


def _stored_count(cache: Path) -> int:
    script = ("import marshal; from slidekit import cache, regex_cache; "
              "data = cache.get_bytes('regex', regex_cache._key()); print(len(marshal.loads(data)) if data else 0)")
    env = cache_env(cache)
    return int(subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, env=env,
                              check=True).stdout)


def test_a_pdf_build_stores_weasyprints_patterns_for_the_next_builds_layout_processes(deck):
    cache = deck / "cache"
    env = cache_env(cache)

    def build(*extra):
        subprocess.run([sys.executable, "-m", "slidekit", "build", str(deck / "deck.md"), "-q", *extra],
                       cwd=ROOT, env=env, check=True, capture_output=True)
    build("-o", str(deck / "deck.html"))
    html_only = _stored_count(cache)
    build("--pdf", "-o", str(deck / "deck.pdf"))          # the layout process (or, with one CPU, this one)
    with_pdf = _stored_count(cache)
    assert with_pdf > html_only + 100                      # WeasyPrint, tinycss2, fontTools... compile ~180
    build("--pdf", "-o", str(deck / "again.pdf"))
    assert _stored_count(cache) == with_pdf


def _store(cache: Path, monkeypatch) -> dict:
    """The store's entries by (text or not, pattern, flags), read in this process."""
    import marshal

    from slidekit import cache as slidekit_cache, regex_cache
    monkeypatch.setenv("SLIDEKIT_CACHE_DIR", str(cache))
    monkeypatch.delenv("SLIDEKIT_CACHE", raising=False)
    return {tuple(entry[:3]): entry for entry in marshal.loads(slidekit_cache.get_bytes("regex", regex_cache._key()))}


def _put_store(entries, monkeypatch) -> None:
    import marshal

    from slidekit import cache as slidekit_cache, regex_cache
    slidekit_cache.put_bytes("regex", regex_cache._key(), marshal.dumps(list(entries)))


def test_only_the_patterns_asked_for_are_made_and_the_others_stay_stored(deck, monkeypatch):
    from slidekit import regex_cache
    cache = deck / "cache"
    first = _run(deck, cache, "first.html")
    _run(deck, cache, "warm.html")           # (a build with the page frame cached asks for a pattern or two more)
    stored = _store(cache, monkeypatch)
    unused = "never (asked)+ for"
    _put_store([*stored.values(), (True, unused, 32, regex_cache._compile_args(unused, 32))], monkeypatch)
    second = _run(deck, cache, "second.html")
    assert second["compiled_here"] == 0 and second["same"] is True
    assert unused not in second["patterns"]                      # not made: the build never asked for it
    assert (True, unused, 32) in _store(cache, monkeypatch)      # and still stored for a build that will
    assert second["preloaded"] < len(stored) + 1                 # (the first build's template and code too)
    assert first["rc"] == second["rc"] == 0


def test_a_damaged_entry_the_build_asks_for_is_compiled_as_usual_and_replaced(deck, monkeypatch):
    cache = deck / "cache"
    _run(deck, cache, "first.html")
    second = _run(deck, cache, "second.html")
    stored = _store(cache, monkeypatch)
    used = next(key for key in stored if key[0] and key[1] in second["made"])   # made from the store
    is_text, pattern, flags, (real_flags, code, *rest) = stored[used]
    bad = (999).to_bytes(4, sys.byteorder) + code[4:]                                   # code _sre refuses
    stored[used] = (is_text, pattern, flags, (real_flags, bad, *rest))
    _put_store(stored.values(), monkeypatch)
    again = _run(deck, cache, "again.html")
    assert again["rc"] == 0 and again["compiled_here"] == 1 and again["same"] is True
    assert (deck / "again.html").read_bytes() == (deck / "first.html").read_bytes()
    assert _run(deck, cache, "repaired.html")["compiled_here"] == 0       # stored again, good this time
