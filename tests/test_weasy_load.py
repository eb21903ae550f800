"""slidekit/export/weasy.py: WeasyPrint imported with one `ldconfig -p` instead of a subprocess per
library name, and the usual import when that fails. Each case runs in a fresh interpreter (WeasyPrint is
already imported in the test process)."""

import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the fast path is Linux's")

COUNT_SPAWNS = """
import ctypes.util, subprocess, sys
spawned = []
original_popen = subprocess.Popen.__init__
def counting(self, args, *a, **k):
    spawned.append(args if isinstance(args, str) else " ".join(map(str, args)))
    return original_popen(self, args, *a, **k)
subprocess.Popen.__init__ = counting
original_find = ctypes.util.find_library
"""


def run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", COUNT_SPAWNS + textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_load_imports_weasyprint_with_one_subprocess_and_restores_find_library():
    out = run("""
        from slidekit.export.weasy import load
        weasyprint = load()
        assert weasyprint is sys.modules["weasyprint"]
        assert weasyprint.HTML(string="<p>x</p>").render().pages
        assert ctypes.util.find_library is original_find
        print(len(spawned), spawned)
    """)
    count = int(out.split()[0])
    assert count == 1, out          # ldconfig -p, once


def test_plain_import_spawns_many_subprocesses():
    # What load() saves: without it, cffi asks find_library (ldconfig, gcc, ld) for every name that does not
    # open directly. If a WeasyPrint release stops doing that, weasy.py can go.
    out = run("""
        import weasyprint
        print(len(spawned))
    """)
    assert int(out) > 3, out


def test_a_failing_fast_import_is_done_again_the_usual_way():
    out = run("""
        import importlib.abc
        from slidekit.export import weasy

        class FailsOnce(importlib.abc.MetaPathFinder):
            # WeasyPrint half imported, then it fails, inside the fast import (find_library replaced)
            armed = True

            def find_spec(self, name, path, target=None):
                if name == "weasyprint.text.ffi" and FailsOnce.armed:
                    FailsOnce.armed = False
                    raise OSError("cannot load library 'pango'")
                return None

        sys.meta_path.insert(0, FailsOnce())
        weasyprint = weasy.load()
        assert weasyprint.HTML(string="<p>x</p>").render().pages
        assert ctypes.util.find_library is original_find
        print("ok")
    """)
    assert out == "ok"


def test_an_empty_listing_still_opens_the_libraries_by_soname():
    out = run("""
        from slidekit.export import weasy
        weasy._ldconfig_listing = lambda: ""
        weasyprint = weasy.load()
        assert weasyprint.HTML(string="<p>x</p>").render().pages
        print(len(spawned))
    """)
    assert out == "0"
