"""The methods `@dataclass` wrote in one run of the CLI are loaded compiled by the next (dataclass_cache.py):
the same functions as `exec` compiles, nothing compiled again, and a damaged store or the cache turned off
only means compiling as usual."""

from __future__ import annotations

import json
import marshal
import subprocess
import sys
from pathlib import Path

from process_helpers import cache_env

from slidekit import cache as slidekit_cache

ROOT = Path(__file__).resolve().parents[1]

# In a fresh interpreter: install (as cli.entry does), define every dataclass an HTML build defines, and
# describe the methods dataclasses wrote for them; then store what was compiled.
SCRIPT = r"""
import dataclasses, importlib, json, sys
from slidekit import dataclass_cache
installed = dataclass_cache.install()
MODULES = ["slidekit.diagnostics", "slidekit.config", "slidekit.deck.model", "slidekit.deck.directives",
           "slidekit.deck.compile", "slidekit.render.html", "slidekit.render.themes", "slidekit.api",
           "slidekit.commands.build", "slidekit.markdown.qr", "slidekit.markdown.highlight", "slidekit.source"]
METHODS = ["__init__", "__repr__", "__eq__", "__setattr__", "__delattr__", "__hash__"]
def shown(values):      # (a default that is a function: by name, its address differs from run to run)
    return repr([f"{v.__module__}.{v.__qualname__}" if callable(v) else v for v in values or ()])
described = {}
for name in MODULES:
    module = importlib.import_module(name)
    for cls in vars(module).values():
        if isinstance(cls, type) and dataclasses.is_dataclass(cls) and cls.__module__ == name:
            for method in METHODS:
                function = cls.__dict__.get(method)
                code = getattr(function, "__code__", None)
                if code is not None:
                    described[f"{cls.__qualname__}.{method}"] = [
                        code.co_code.hex(), repr(code.co_consts), code.co_names, code.co_varnames,
                        code.co_filename, code.co_flags, repr(function.__annotations__),
                        shown(function.__defaults__), shown(sorted((function.__kwdefaults__ or {}).items())),
                        function.__qualname__]
compiled = len(dataclass_cache._new or {})
dataclass_cache.store_new()
print(json.dumps({"installed": installed, "compiled": compiled, "methods": described,
                  "exec": "exec" in vars(dataclasses)}))
"""


def _run(cache: Path | None) -> dict:
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, cwd=ROOT,
                          env=cache_env(cache), check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _entries(cache: Path) -> list[Path]:
    folder = cache / "dataclass"
    return [p for p in folder.rglob("*") if p.is_file()] if folder.is_dir() else []


def test_second_run_compiles_nothing_and_gets_the_same_methods(tmp_path):
    cache = tmp_path / "cache"
    plain = _run(None)                      # the cache off: `exec` as dataclasses has it
    first = _run(cache)
    second = _run(cache)
    assert not plain["installed"] and not plain["exec"]
    assert first["installed"] and first["exec"] and second["installed"]
    assert first["compiled"] > 40           # __init__, __repr__, __eq__... of some 20 classes
    assert second["compiled"] == 0          # every one from the store
    assert len(_entries(cache)) == 1
    # the same code, flags (no `from __future__ import annotations` of the cache's module), annotations,
    # defaults and names, whether compiled by dataclasses' `exec`, by the cache, or loaded from the store
    assert len(plain["methods"]) > 60
    assert first["methods"] == plain["methods"]
    assert second["methods"] == plain["methods"]


def test_a_damaged_store_is_compiled_again_and_replaced(tmp_path):
    cache = tmp_path / "cache"
    _run(cache)
    (entry,) = _entries(cache)
    for payload in (marshal.dumps([1, 2, 3]),                        # not a dict
                    marshal.dumps({"def f(): pass": "not code", 3: compile("", "", "exec")}),
                    b"\x00garbage"):                                  # not marshal data
        entry.write_bytes(slidekit_cache._MAGIC + slidekit_cache._hash(payload).hexdigest().encode() + b"\n" + payload)
        again = _run(cache)
        assert again["compiled"] > 40, payload
        assert _run(cache)["compiled"] == 0          # the store was replaced by a good one


def test_off_when_the_cache_is_off(tmp_path, monkeypatch):
    import dataclasses

    from slidekit import dataclass_cache
    monkeypatch.setenv("SLIDEKIT_CACHE", "off")
    try:
        assert dataclass_cache.install() is False
        assert "exec" not in vars(dataclasses)
    finally:
        dataclass_cache.uninstall()


def test_the_slidekit_command_stores_them(tmp_path, monkeypatch):
    (tmp_path / "deck.md").write_text("---\nmarp: true\n---\n\n# One\n\n---\n\n# Two\n", encoding="utf-8")
    cache = tmp_path / "cache"
    subprocess.run([sys.executable, "-m", "slidekit", "build", str(tmp_path / "deck.md"), "-o",
                    str(tmp_path / "deck.html"), "-q"], cwd=ROOT, env=cache_env(cache), check=True)
    (entry,) = _entries(cache)
    monkeypatch.delenv("SLIDEKIT_CACHE", raising=False)
    monkeypatch.setenv("SLIDEKIT_CACHE_DIR", str(cache))
    stored = marshal.loads(slidekit_cache.get_bytes("dataclass", entry.parent.name + entry.name))
    assert any(source.startswith("def __create_fn__(") and "def __init__(" in source for source in stored)
