"""`dataclasses` without `inspect` (dataclass_docs.py): the docstring it writes for a class without one is
the text `inspect.signature` gives, for the classes of an HTML build and for every shape a dataclass takes;
what the fast path does not know goes to the real `inspect`."""

from __future__ import annotations

import dataclasses
import inspect
import json
import subprocess
import sys
from dataclasses import InitVar, dataclass, field
from pathlib import Path
from typing import Optional

import pytest

from slidekit.dataclass_docs import _InspectOnDemand, plain_signature_text

ROOT = Path(__file__).resolve().parents[1]


def _eager_class(body: str):
    """A dataclass of a module without `from __future__ import annotations`: its annotations are types."""
    namespace = dict(LATE, __name__=__name__)
    code = compile("@dataclass\nclass C:\n" + "".join(f"    {line}\n" for line in body.split("\n")),
                   "<test>", "exec", dont_inherit=True)
    exec(code, namespace)
    return namespace["C"]


LATE = {"dataclass": dataclass, "field": field, "InitVar": InitVar, "Optional": Optional}
# bodies of classes defined in a module with `from __future__ import annotations` (string annotations)
BODIES = [
    "pass",
    "x: int",
    "x: int\ny: str = 'a'\nz: Optional[int] = None",
    "a: bool = True\nb: float = 1.5\nc: bytes = b'x\\n'\nd: tuple = (1, 'two')",
    "items: list = field(default_factory=list)\nname: str = ''",
    "x: int\n_: dataclasses.KW_ONLY\ny: int = 2\nz: str",
    "x: int = field(default=3, kw_only=True)\ny: int = 0",
    "x: int\ny: int = field(default=5, init=False)",
    "x: int\nscale: InitVar[int] = 1",
    "x: 'Optional[C]' = None\nself_: int = 0",
    "text: str = ' -> None'",
]


def _late_module_class(body: str, decorator: str = "@dataclass"):
    namespace = dict(LATE, __name__=__name__)      # (this module: `dataclasses.KW_ONLY` is found in it)
    code = compile("from __future__ import annotations\n" + f"{decorator}\nclass C:\n"
                   + "".join(f"    {line}\n" for line in body.split("\n")), "<test>", "exec")
    exec(code, namespace)
    return namespace["C"]


@pytest.mark.parametrize("body", BODIES)
@pytest.mark.parametrize("decorator", ["@dataclass", "@dataclass(frozen=True)", "@dataclass(slots=True)",
                                       "@dataclass(eq=False, repr=False)"])
def test_the_text_is_what_inspect_gives(body, decorator):
    cls = _late_module_class(body, decorator)
    expected = str(inspect.signature(cls))
    assert plain_signature_text(cls) == expected


def test_classes_it_does_not_know_go_to_inspect():
    eager = _eager_class("x: int = 0")          # a real type as annotation
    assert plain_signature_text(eager) is None
    base = _late_module_class("x: int = 0")
    child = dataclass(type("Child", (base,), {"__annotations__": {"y": "int"}, "y": 1}))
    assert plain_signature_text(child) is None                                  # a base class of its own
    assert plain_signature_text(int) is None and plain_signature_text(len) is None
    stand_in = _InspectOnDemand("inspect")
    for cls in (eager, child):      # the stand-in then answers as inspect does
        assert str(stand_in.signature(cls)) == str(inspect.signature(cls))
    assert stand_in.Parameter is inspect.Parameter      # and everything else is the real module's


# In a fresh interpreter, as cli.entry does: install, then import what an HTML build imports.
SCRIPT = r"""
import json, sys
from slidekit import dataclass_docs
installed = dataclass_docs.install()
import dataclasses
stand_in = dataclasses.inspect
loaded_after_install = "inspect" in sys.modules
import slidekit.api, slidekit.commands.build, mistune
from mistune.list_parser import _ListItemLines
loaded = "inspect" in sys.modules
holders = sorted(name for name, module in list(sys.modules.items())
                 if module is not None and name != "__main__" and any(value is stand_in for value in vars(module).values()))
docs = {}
for module in list(sys.modules.values()):
    for cls in list(vars(module).values()):
        if isinstance(cls, type) and dataclasses.is_dataclass(cls) and cls.__module__ == module.__name__:
            docs[f"{cls.__module__}.{cls.__qualname__}"] = cls.__doc__
import inspect
expected = {}
for name in docs:
    module, qualname = name.rsplit(".", 1)
    cls = getattr(sys.modules[module], qualname)
    doc = docs[name] or ""
    if doc != qualname and not doc.startswith(qualname + "("):
        continue        # a docstring of its own
    expected[name] = qualname + str(inspect.signature(cls)).replace(" -> None", "")
print(json.dumps({"installed": installed, "loaded_after_install": loaded_after_install, "loaded": loaded,
                  "holders": holders, "docs": {k: docs[k] for k in expected}, "expected": expected}))
"""


def test_an_html_builds_dataclasses_get_inspects_docstrings_without_loading_it():
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, cwd=ROOT, check=True)
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["installed"] is True
    assert found["loaded_after_install"] is False and found["loaded"] is False
    assert found["holders"] == ["dataclasses"]          # no other module was given the stand-in
    assert len(found["expected"]) >= 4                  # mistune's four classes without a docstring
    assert found["docs"] == found["expected"]


def test_install_does_nothing_once_dataclasses_is_loaded():
    from slidekit import dataclass_docs
    assert "dataclasses" in sys.modules
    assert dataclass_docs.install() is False
    assert not isinstance(dataclasses.inspect, _InspectOnDemand)
