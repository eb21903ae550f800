"""The caches must not change a byte of the output. The PDF layout cache (laid-out pages kept in memory by a
hash of what shapes them): a warm rebuild, a rebuild after a one-slide edit and the whole-document layout all
give the same PDF. The on-disk cache (slidekit/cache.py: scoped CSS, QR drawings): off, cold, warm, damaged or
unwritable, the HTML and the PDF are the same. And the HTML path never imports WeasyPrint."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from slidekit import cache
from slidekit.api import BuildOptions, build_text
from slidekit.export import pdf as pdf_module
from slidekit.render import css as css_module

ROOT = Path(__file__).resolve().parent.parent

DECK = """---
marp: true
theme: gaia
paginate: true
footer: 'cache test'
---

# First

<!-- _class: lead -->

Some **bold** text and a [link to the third slide](#3).

---

## Second

- one
- two

> a quote

---

## Third

| a | b |
|---|---|
| 1 | 2 |

```python
print("x")
```
"""


def _pdf(text: str, folder: Path) -> bytes:
    # every build lays its slides out: these tests are about the pages kept in memory and the bytes of a
    # layout (the chunks kept on disk have their own tests, in test_pdf_cache.py)
    result = build_text(text, BuildOptions(format="pdf", offline=True, pdf_cache=False), folder=folder)
    assert result.output, [d.format() for d in result.diagnostics]
    return result.output


def _whole_layout(document_html, base_url, url_fetcher):
    # the whole document at once, each slide as the block that a slide fitting its page is laid out as
    import weasyprint
    document_html = document_html.replace(pdf_module._PAGE, pdf_module._PAGE + " data-sk-block")
    return weasyprint.HTML(string=document_html, base_url=base_url, url_fetcher=url_fetcher).render()


@pytest.fixture(autouse=True)
def _cold_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SLIDEKIT_CACHE_DIR", str(tmp_path / "disk-cache"))
    monkeypatch.delenv("SLIDEKIT_CACHE", raising=False)
    pdf_module._PAGES_KEPT.clear()
    yield
    pdf_module._PAGES_KEPT.clear()


def test_warm_rebuild_is_identical_and_reuses_pages(tmp_path):
    cold = _pdf(DECK, tmp_path)
    kept = next(iter(pdf_module._PAGES_KEPT.values()))[2]
    assert len(kept) == 3                      # one entry per slide
    pages_before = {key: [id(p) for p in pages] for key, pages in kept.items()}
    warm = _pdf(DECK, tmp_path)
    assert warm == cold
    kept = next(iter(pdf_module._PAGES_KEPT.values()))[2]
    assert {key: [id(p) for p in pages] for key, pages in kept.items()} == pages_before


def test_one_slide_edit_gives_the_same_bytes_as_a_cold_build(tmp_path):
    _pdf(DECK, tmp_path)
    edited = DECK.replace("- two", "- two and a half")
    warm = _pdf(edited, tmp_path)
    kept = next(iter(pdf_module._PAGES_KEPT.values()))[2]
    assert len(kept) == 3
    pdf_module._PAGES_KEPT.clear()
    cold = _pdf(edited, tmp_path)
    assert warm == cold
    assert warm != _pdf(DECK, tmp_path)        # the edit does reach the output


def test_a_new_stylesheet_drops_the_cached_pages(tmp_path):
    _pdf(DECK, tmp_path)
    restyled = DECK.replace("footer: 'cache test'", "footer: 'cache test'\nstyle: 'h2 { color: red; }'")
    warm = _pdf(restyled, tmp_path)
    pdf_module._PAGES_KEPT.clear()
    assert warm == _pdf(restyled, tmp_path)


def test_slide_by_slide_layout_equals_whole_document_layout(tmp_path, monkeypatch):
    by_slide = _pdf(DECK, tmp_path)
    monkeypatch.setattr(pdf_module, "_layout", _whole_layout)
    assert _pdf(DECK, tmp_path) == by_slide


def test_pdf_bytes_do_not_depend_on_the_clock(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    first = _pdf(DECK, tmp_path)
    monkeypatch.setattr("time.time", lambda: 2_000_000_000.0)
    pdf_module._PAGES_KEPT.clear()
    assert _pdf(DECK, tmp_path) == first
    assert "SOURCE_DATE_EPOCH" not in os.environ


def test_html_build_does_not_import_weasyprint(tmp_path):
    deck = tmp_path / "deck.md"
    deck.write_text(DECK, encoding="utf-8")
    code = ("import sys; from pathlib import Path; from slidekit.cli import main; "
            "main(['build', sys.argv[1], '-o', sys.argv[2], '-q']); "
            "print('weasyprint' in sys.modules)")
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-c", code, str(deck), str(tmp_path / "deck.html")],
                         capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "False"
    assert (tmp_path / "deck.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


# The on-disk cache ---------------------------------------------------------------------------------
QR_DECK = DECK + """
---

## Scan me

<style scoped>h2 { color: #123456; }</style>

![w:200](https://quickchart.io/qr?text=https://example.org/slides&size=200)
"""


def _html(text: str, folder: Path) -> str:
    result = build_text(text, BuildOptions(), folder=folder)
    assert result.output, [d.format() for d in result.diagnostics]
    return result.output


def _entries(tmp_path: Path, namespace: str) -> list[Path]:
    folder = tmp_path / "disk-cache" / namespace
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []


def test_disk_cache_off_cold_and_warm_give_the_same_html(tmp_path, monkeypatch):
    monkeypatch.setenv("SLIDEKIT_CACHE", "off")
    off = _html(QR_DECK, tmp_path)
    assert not (tmp_path / "disk-cache").exists()          # off writes nothing
    monkeypatch.delenv("SLIDEKIT_CACHE")
    cold = _html(QR_DECK, tmp_path)
    assert len(_entries(tmp_path, "scoped-css")) >= 5      # scaffold, theme, highlight, layers, scoped style
    assert len(_entries(tmp_path, "qr")) == 1
    assert "data:image/svg+xml;base64," in cold

    def no_parsing(*args):
        raise AssertionError("a warm build parsed CSS or drew a QR code again")
    monkeypatch.setattr(css_module, "_scope_css", no_parsing)
    monkeypatch.setattr("slidekit.markdown.qr.qr_data_uri", no_parsing)
    warm = _html(QR_DECK, tmp_path)
    assert off == cold == warm


def test_disk_cache_keeps_the_pdf_bytes(tmp_path, monkeypatch):
    monkeypatch.setenv("SLIDEKIT_CACHE", "0")
    off = _pdf(QR_DECK, tmp_path)
    monkeypatch.delenv("SLIDEKIT_CACHE")
    pdf_module._PAGES_KEPT.clear()
    cold = _pdf(QR_DECK, tmp_path)
    pdf_module._PAGES_KEPT.clear()
    warm = _pdf(QR_DECK, tmp_path)
    assert off == cold == warm


def test_a_damaged_entry_is_a_miss(tmp_path):
    good = _html(QR_DECK, tmp_path)
    entries = _entries(tmp_path, "scoped-css") + _entries(tmp_path, "qr")
    for i, entry in enumerate(entries):
        data = entry.read_bytes()
        # truncated, a flipped payload byte, or not an entry at all
        entry.write_bytes([data[: len(data) // 2], data[:-1] + bytes([data[-1] ^ 1]), b"junk"][i % 3])
    assert _html(QR_DECK, tmp_path) == good
    assert _html(QR_DECK, tmp_path) == good                 # the entries were written again


def test_an_unwritable_cache_folder_is_no_error(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("SLIDEKIT_CACHE_DIR", str(blocker / "cache"))
    assert _html(QR_DECK, tmp_path) == _html(QR_DECK, tmp_path)


def test_an_empty_cache_dir_setting_turns_the_cache_off(monkeypatch):
    monkeypatch.setenv("SLIDEKIT_CACHE_DIR", "")
    assert cache.cache_dir() is None
    monkeypatch.delenv("SLIDEKIT_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", "/somewhere")
    assert cache.cache_dir() == Path("/somewhere/slidekit")


def test_keys_are_unambiguous():
    assert cache.digest("ab", "c") != cache.digest("a", "bc")
    assert cache.digest("x") == cache.digest(b"x")


def test_a_changed_stylesheet_is_not_served_from_the_cache(tmp_path):
    first = _html(QR_DECK, tmp_path)
    second = _html(QR_DECK.replace("#123456", "#654321"), tmp_path)
    assert "#654321" in second and "#123456" not in second
    assert first != second


def test_a_warm_html_build_imports_neither_qrcode_nor_tinycss2(tmp_path):
    deck = tmp_path / "deck.md"
    deck.write_text(QR_DECK.split("```python")[0] + QR_DECK.split("```\n")[-1], encoding="utf-8")
    code = ("import sys; from slidekit.cli import main; "
            "main(['build', sys.argv[1], '-o', sys.argv[2], '-q']); "
            "print(sorted(m for m in ('qrcode', 'tinycss2', 'weasyprint') if m in sys.modules))")
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
               SLIDEKIT_CACHE_DIR=str(tmp_path / "disk-cache"))
    env.pop("SLIDEKIT_CACHE", None)
    runs = [subprocess.run([sys.executable, "-c", code, str(deck), str(tmp_path / f"deck{i}.html")],
                           capture_output=True, text=True, env=env, check=True) for i in range(2)]
    assert runs[0].stdout.strip() == "['qrcode', 'tinycss2']"
    assert runs[1].stdout.strip() == "[]"
    assert (tmp_path / "deck0.html").read_bytes() == (tmp_path / "deck1.html").read_bytes()


def test_entries_are_the_owners_only_and_one_anybody_else_could_write_is_a_miss(tmp_path, monkeypatch):
    """Some entries are code (dataclass methods, Jinja's template) or pickles (PDF chunks): in a shared
    SLIDEKIT_CACHE_DIR, an entry that another user wrote, or could have rewritten, is never loaded."""
    monkeypatch.setenv("SLIDEKIT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("SLIDEKIT_CACHE", raising=False)
    key = cache.digest("owner test")
    cache.put_bytes("test", key, b"payload")
    path = cache.entry_path("test", key)
    assert path.stat().st_mode & 0o777 == 0o600
    assert cache.get_bytes("test", key) == b"payload"
    for mode in (0o620, 0o602, 0o666):
        path.chmod(mode)
        assert cache.get_bytes("test", key) is None, oct(mode)
    path.chmod(0o644)
    assert cache.get_bytes("test", key) == b"payload"            # readable by others is fine
    if os.geteuid() == 0:                                         # (only root can give a file away)
        os.chown(path, 12345, -1)
        assert cache.get_bytes("test", key) is None
    cache.put_bytes("test", key, b"again")                       # and written over as ours
    assert cache.get_bytes("test", key) == b"again"


def test_an_entry_is_never_written_through_a_planted_link(tmp_path, monkeypatch):
    monkeypatch.setenv("SLIDEKIT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("SLIDEKIT_CACHE", raising=False)
    key = cache.digest("link test")
    path = cache.entry_path("test", key)
    path.parent.mkdir(parents=True)
    target = tmp_path / "elsewhere"
    (path.parent / f".{path.name}.{os.getpid()}.tmp").symlink_to(target)
    cache.put_bytes("test", key, b"payload")
    assert not target.exists()
