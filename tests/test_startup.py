"""What a fresh `slidekit build` process loads and keeps: only the modules a deck needs, and the compiled
page template from the on-disk cache (the same bytes as a compiled one; a damaged entry is compiled again)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from image_helpers import solid_png
from process_helpers import cache_env

ROOT = Path(__file__).resolve().parents[1]

PLAIN_DECK = "---\nmarp: true\ntheme: gaia\npaginate: true\n---\n\n# Hello\n\nSome *text*.\n\n---\n\n<!-- _class: lead -->\n## Two\n"
CODE_DECK = "---\nmarp: true\n---\n\n# Code\n\n```python\nprint('hi')\n```\n"


def _build(deck: Path, out: Path, cache: Path | None, no_site: bool = False,
           command: bool = False) -> tuple[int, list[str]]:
    """Build in a fresh interpreter; the exit status and the top-level modules loaded by then. With
    `no_site`, the interpreter skips `site` (and the .pth files of whatever machine runs the tests, which
    may import anything), finding packages where this one does. With `command`, through `cli.entry` (what
    the `slidekit` command runs: with its caches and stand-ins), which ends the process itself."""
    if command:
        script = ("import atexit, json, sys\nfrom slidekit.cli import entry\n"
                  # (its exit status is not known to an exit handler: `check=True` below fails on one not 0)
                  "atexit.register(lambda: print(json.dumps([0, sorted(m for m in sys.modules)])))\n"
                  f"sys.argv = ['slidekit', 'build', {str(deck)!r}, '-o', {str(out)!r}, '-q']\n"
                  "entry()\n")
    else:
        script = ("import json, sys\nfrom slidekit.cli import main\n"
                  f"rc = main(['build', {str(deck)!r}, '-o', {str(out)!r}, '-q'])\n"
                  "print(json.dumps([rc, sorted(m for m in sys.modules)]))\n")
    env = cache_env(cache)
    flags = []
    if no_site:
        flags = ["-S"]
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + [p for p in sys.path if p])
    done = subprocess.run([sys.executable, *flags, "-c", script], capture_output=True, text=True, cwd=ROOT,
                          env=env, check=True)
    rc, modules = json.loads(done.stdout.strip().splitlines()[-1])
    return rc, modules


def _top(modules: list[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


def test_html_build_of_a_plain_deck_loads_no_highlighter_imaging_yaml_or_config_parsers(tmp_path):
    deck = tmp_path / "deck.md"
    deck.write_text(PLAIN_DECK, encoding="utf-8")
    rc, modules = _build(deck, tmp_path / "deck.html", tmp_path / "cache")
    assert rc == 0 and (tmp_path / "deck.html").is_file()
    loaded = _top(modules)
    # one deck's HTML is built in the main thread: no executor (concurrent.futures loads logging)
    for name in ("pygments", "PIL", "weasyprint", "tomllib", "difflib", "pypdf", "concurrent", "yaml"):
        assert name not in loaded, name
    assert "slidekit.export.handout" not in modules


def test_html_build_loads_no_module_it_does_without(tmp_path):
    # Standard modules an HTML rebuild has no use for, each a millisecond or more of every fresh build:
    # tempfile (with random: export/files.py writes its own temporary file), mimetypes (export/assets.py
    # knows the image types).
    deck = tmp_path / "deck.md"
    deck.write_text(PLAIN_DECK + "\n![w:100](pic.png)\n", encoding="utf-8")
    (tmp_path / "pic.png").write_bytes(solid_png((200, 30, 30)))
    _build(deck, tmp_path / "deck.html", tmp_path / "cache", no_site=True, command=True)    # the cache filled
    (tmp_path / "deck.html").unlink()
    rc, modules = _build(deck, tmp_path / "deck.html", tmp_path / "cache", no_site=True, command=True)
    assert rc == 0 and (tmp_path / "deck.html").is_file()
    for name in ("tempfile", "random", "mimetypes"):
        assert name not in modules, name


def test_html_build_of_a_code_deck_colours_it_in_a_second_process_where_there_are_two_cpus(tmp_path):
    # the other side of the test above: it would pass for nothing if the code were never coloured at all
    from slidekit.pipes import usable_cpus
    deck = tmp_path / "deck.md"
    deck.write_text(CODE_DECK, encoding="utf-8")
    rc, modules = _build(deck, tmp_path / "deck.html", tmp_path / "cache")
    assert rc == 0 and '<span class="nb">print</span>' in (tmp_path / "deck.html").read_text(encoding="utf-8")
    # with two CPUs, Pygments is loaded by the forked process that colours the code (render/code_ahead.py)
    assert ("pygments" in _top(modules)) == (usable_cpus() < 2)
    assert "PIL" not in _top(modules)


def _jinja_entries(cache: Path) -> list[Path]:
    return sorted(p for p in (cache / "jinja").rglob("*") if p.is_file()) if (cache / "jinja").is_dir() else []


def test_cached_template_gives_the_same_bytes_and_a_damaged_entry_is_a_miss(tmp_path):
    import shutil
    deck = tmp_path / "deck.md"
    deck.write_text(PLAIN_DECK, encoding="utf-8")
    cache = tmp_path / "cache"
    _build(deck, tmp_path / "uncached.html", None)
    assert not _jinja_entries(cache)
    _, first = _build(deck, tmp_path / "first.html", cache)   # compiles and stores the template's code
    entries = _jinja_entries(cache)
    assert len(entries) == 1
    stored = entries[0].read_bytes()
    _, second = _build(deck, tmp_path / "second.html", cache)  # fills the page frame: Jinja is not loaded
    assert "jinja2" in _top(first) and "jinja2" not in _top(second)
    expected = (tmp_path / "uncached.html").read_bytes()
    assert (tmp_path / "first.html").read_bytes() == expected
    assert (tmp_path / "second.html").read_bytes() == expected

    shutil.rmtree(cache / "page")                         # no frame: the template is rendered again,
    _, third = _build(deck, tmp_path / "third.html", cache)   # from its stored code
    assert "jinja2" in _top(third) and entries[0].read_bytes() == stored
    assert (tmp_path / "third.html").read_bytes() == expected

    shutil.rmtree(cache / "page")
    entries[0].write_bytes(stored[:-40] + bytes(40))   # damaged: a miss, compiled and stored again
    _build(deck, tmp_path / "fourth.html", cache)
    assert (tmp_path / "fourth.html").read_bytes() == expected
    assert entries[0].read_bytes() == stored


@pytest.mark.parametrize("damage", ["truncated", "garbage-with-valid-frame"])
def test_template_code_cache_treats_unloadable_code_as_a_miss(tmp_path, monkeypatch, damage):
    import jinja2

    from slidekit import cache
    from slidekit.render import jinja_env

    monkeypatch.setenv("SLIDEKIT_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("SLIDEKIT_CACHE", raising=False)
    code_cache = jinja_env.TemplateCodeCache()
    env = jinja2.Environment(loader=jinja2.DictLoader({"t.html": "{{ x }}!"}), bytecode_cache=code_cache)
    assert env.get_template("t.html").render(x="a") == "a!"           # compiled, stored
    bucket = code_cache.get_bucket(env, "t.html", None, "{{ x }}!")
    assert bucket.code is not None                                      # found again
    key = code_cache._key(bucket)
    good = cache.get_bytes("jinja", key)
    # an entry whose frame (slidekit's checksum) is valid but whose content is not Jinja's code
    cache.put_bytes("jinja", key, good[:10] if damage == "truncated" else b"\x00garbage")
    bucket = code_cache.get_bucket(env, "t.html", None, "{{ x }}!")
    assert bucket.code is None
    fresh = jinja2.Environment(loader=jinja2.DictLoader({"t.html": "{{ x }}!"}), bytecode_cache=code_cache)
    assert fresh.get_template("t.html").render(x="b") == "b!"


# Image sizes: a PNG's header is read without Pillow; anything unusual is Pillow's to judge ---------------
def _png(width: int, height: int, ihdrs: list[tuple[int, int]] | None = None) -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    out = b"\x89PNG\r\n\x1a\n"
    for w, h in ihdrs or [(width, height)]:
        out += chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
    row = b"\x00" + b"\x10\x20\x30" * min(width, 4)
    return out + chunk(b"IDAT", zlib.compress(row * min(height, 4))) + chunk(b"IEND", b"")


def test_png_size_is_read_as_pillow_reads_it(tmp_path):
    from PIL import Image

    from slidekit.export.assets import _png_size, _too_many_pixels

    small = tmp_path / "small.png"
    Image.new("RGB", (37, 21), "red").save(small)
    assert _png_size(small) == (37, 21) == Image.open(small).size
    assert _too_many_pixels(small) is False
    huge = tmp_path / "huge.png"                    # claims 400 million pixels: Pillow is asked, and refuses
    huge.write_bytes(_png(20000, 20000))
    assert _png_size(huge) == (20000, 20000)
    assert _too_many_pixels(huge) is True
    twice = tmp_path / "twice.png"                  # Pillow keeps the last IHDR before the data
    twice.write_bytes(_png(4, 4, ihdrs=[(4, 4), (20000, 20000)]))
    assert _png_size(twice) == (20000, 20000)
    assert _too_many_pixels(twice) is True
    for name, data in (("truncated.png", _png(4, 4)[:20]), ("not-png.png", b"GIF89a" + bytes(20))):
        (tmp_path / name).write_bytes(data)
        assert _png_size(tmp_path / name) is None


def test_html_build_of_a_deck_with_a_png_does_not_load_pillow(tmp_path):
    from PIL import Image

    Image.new("RGB", (8, 6), "blue").save(tmp_path / "pic.png")
    deck = tmp_path / "deck.md"
    deck.write_text("---\nmarp: true\n---\n\n![bg](pic.png)\n\n# Picture\n", encoding="utf-8")
    rc, modules = _build(deck, tmp_path / "deck.html", tmp_path / "cache")
    assert rc == 0 and "PIL" not in _top(modules)
    assert "data:image/png;base64," in (tmp_path / "deck.html").read_text(encoding="utf-8")


# A header or footer repeated on every slide is rendered once ----------------------------------------------
def test_repeated_footer_renders_the_same_on_every_slide_and_reports_once(tmp_path):
    from slidekit.api import BuildOptions, build_text

    text = ("---\nmarp: true\nfooter: '**Team** ![](missing.png) <span>x'\nheader: 'Top'\n---\n\n"
            "# One\n\n<div>\n\nleft open\n\n---\n\n# Two\n\n---\n\n<!-- _footer: '*Other*' -->\n# Three\n\n---\n\n# Four\n")
    result = build_text(text, BuildOptions(), folder=tmp_path)
    slides = result.deck.slides
    footers = [s.footer_html for s in slides]
    assert footers[0] == footers[1] == footers[3] != footers[2]
    assert "<strong>Team</strong>" in footers[0] and "</div>" not in footers[0]
    assert footers[0].count("<span>") == footers[0].count("</span>") == 1   # its own tag closed, once
    assert footers[2] == "<em>Other</em>"
    assert [s.header_html for s in slides] == ["Top"] * 4
    missing = [d for d in result.diagnostics if "missing.png" in d.message]
    assert len(missing) == 1 and missing[0].slide == 1


def test_every_inline_rule_names_its_start_characters():
    # mistune skips plain text between those characters; one rule without them (a plugin registered
    # without `start_chars`) sends every position through the whole rule alternation, ~15 % of the parse
    from slidekit.markdown import create_markdown
    inline = create_markdown().inline
    assert inline._get_fast_trigger_chars() is not None
    assert {":", "{", "$"} <= inline._get_fast_trigger_chars()
