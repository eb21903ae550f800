"""The PDF layout cache (laid-out pages kept by a hash of what shapes them) must not change a byte of the
output: a warm rebuild, a rebuild after a one-slide edit and the whole-document layout all give the same PDF.
And the HTML path never imports WeasyPrint."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from slidekit.api import BuildOptions, build_text
from slidekit.export import pdf as pdf_module

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
    result = build_text(text, BuildOptions(format="pdf", offline=True), folder=folder)
    assert result.output, [d.format() for d in result.diagnostics]
    return result.output


def _whole_layout(document_html, base_url, url_fetcher):
    import weasyprint
    return weasyprint.HTML(string=document_html, base_url=base_url, url_fetcher=url_fetcher).render()


@pytest.fixture(autouse=True)
def _cold_cache():
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
