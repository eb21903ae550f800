"""slidekit/export/weasy.py and patches.py: WeasyPrint imported with one `ldconfig -p` instead of a
subprocess per library name, and the usual import when that fails. Each case runs in a fresh interpreter (WeasyPrint is
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
import cffi.api
original_load = cffi.api._load_backend_lib
"""


def run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", COUNT_SPAWNS + textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_load_imports_weasyprint_with_one_subprocess_and_patches_neither_ctypes_nor_cffi_after():
    out = run("""
        from slidekit.export.weasy import load
        weasyprint = load()
        assert weasyprint is sys.modules["weasyprint"]
        assert weasyprint.HTML(string="<p>x</p>").render().pages
        assert ctypes.util.find_library is original_find and cffi.api._load_backend_lib is original_load
        print(len(spawned), spawned)
    """)
    count = int(out.split()[0])
    assert count == 1, out          # ldconfig -p, once


def test_plain_import_spawns_many_subprocesses():
    # What load() saves: without it, cffi asks find_library (ldconfig, gcc, ld) for every name that does not
    # open directly. If a WeasyPrint release stops doing that, patches.import_weasyprint can go.
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
            # WeasyPrint half imported, then it fails, inside the fast import (cffi's lookup replaced)
            armed = True

            def find_spec(self, name, path, target=None):
                if name == "weasyprint.text.ffi" and FailsOnce.armed:
                    FailsOnce.armed = False
                    raise OSError("cannot load library 'pango'")
                return None

        sys.meta_path.insert(0, FailsOnce())
        weasyprint = weasy.load()
        assert weasyprint.HTML(string="<p>x</p>").render().pages
        assert cffi.api._load_backend_lib is original_load
        print("ok")
    """)
    assert out == "ok"


def test_an_empty_listing_still_opens_the_libraries_by_soname():
    out = run("""
        from slidekit.export import patches, weasy
        patches._ldconfig_listing = lambda: ""
        weasyprint = weasy.load()
        assert weasyprint.HTML(string="<p>x</p>").render().pages
        print(len(spawned))
    """)
    assert out == "0"


def test_fonttools_parts_for_some_fonts_only_load_on_first_use():
    # fontTools.subset (subsetting without HarfBuzz) and fontTools.varLib.instancer (variable fonts): ~0.1 s
    # of every PDF build's start, loaded only when WeasyPrint first uses them.
    out = run("""
        from slidekit.export.weasy import load
        weasyprint = load()
        assert weasyprint.HTML(string="<p>x</p>").write_pdf().startswith(b"%PDF")
        deferred = [m for m in ("fontTools.subset", "fontTools.varLib.instancer") if m in sys.modules]
        import weasyprint.pdf.fonts as fonts
        options = fonts.subset.Options                  # the first use loads the real module...
        from fontTools.subset import Options
        assert options is Options and sys.modules["fontTools.subset"].__class__.__name__ == "module"
        import fontTools.varLib.instancer as instancer  # ... and a later import gets it, not the stand-in
        called = []
        instancer.instantiateVariableFont = lambda *a, **k: called.append(a) or "instanced"
        assert fonts.instantiateVariableFont("font", {}) == "instanced" and called == [("font", {})]
        print(deferred)
    """)
    assert out == "[]"


def test_fixed_size_array_types_are_cffis_own_without_a_parse():
    out = run("""
        from slidekit.export.weasy import load
        load()
        import cffi.api
        from weasyprint.text.ffi import ffi
        parses = []
        parse = ffi._parser.parse_type_and_quals
        ffi._parser.parse_type_and_quals = lambda cdecl: parses.append(cdecl) or parse(cdecl)
        cdecls = ("hb_codepoint_t[42]", "char[4]", "unsigned int[7]", "PangoRectangle[2]", "FcChar8 *[3]",
                  "hb_codepoint_t[43]", "PangoLogAttr[]")
        ours = [ffi.typeof(cdecl) for cdecl in cdecls]
        parsed = sorted(set(parses))
        for cdecl, type_ in zip(cdecls, ours):
            with ffi._lock:         # what cffi itself makes of the same type, parsed
                assert type_ is cffi.api.FFI._typeof_locked(ffi, cdecl + " ")[0], cdecl
        array = ffi.new("hb_codepoint_t[3]", [7, 8, 9])
        assert list(array) == [7, 8, 9] and ffi.sizeof(array) == 12
        print(parsed)
    """)
    # the "T[N]" types came from "T *" (both lengths of hb_codepoint_t from one parse); an array of pointers
    # and an open array were parsed
    assert "hb_codepoint_t[42]" not in out and "hb_codepoint_t[43]" not in out and "char[4]" not in out
    assert "'hb_codepoint_t *'" in out and "'FcChar8 *[3]'" in out and "'PangoLogAttr[]'" in out
