"""A PDF build does each piece of work on a slide once (issue 23): an image shown on several slides is
decoded once per layout, and a laid-out slide is measured once for the `safe` check, fitting and the
overflow warnings. Doing it once must not change a byte of the PDF."""

from __future__ import annotations

from pathlib import Path

import pytest

from slidekit.api import BuildOptions, build_file
from slidekit.export import overflow


@pytest.fixture(autouse=True)
def no_disk_cache(monkeypatch):
    monkeypatch.setenv("SLIDEKIT_CACHE", "off")


DECK = """---
marp: true
paginate: true
footer: Once
---

![bg](same.png)

# <!-- fit --> One

---

![bg left](same.png)

# Two

- a list
- of items

---

![bg](other.png)

# Three

---

![bg](same.png)
![](same.png)

# Four
"""


def _deck(tmp_path: Path, fit: bool = True) -> Path:
    """The deck; without `fit`, each slide is laid out once (a fitted heading lays its slide out again)."""
    from PIL import Image
    Image.effect_noise((64, 64), 40).convert("RGB").save(tmp_path / "same.png")
    Image.effect_noise((64, 64), 60).convert("RGB").save(tmp_path / "other.png")
    text = DECK if fit else DECK.replace("<!-- fit --> ", "")
    (tmp_path / "deck.md").write_text(text, encoding="utf-8")
    return tmp_path / "deck.md"


def _pdf(deck: Path) -> bytes:
    result = build_file(deck, BuildOptions(format="pdf", pdf_cache=False))
    assert result.ok, result.diagnostics
    return result.output


def _count(monkeypatch, owner, name: str) -> list:
    calls = []
    original = getattr(owner, name)

    def counted(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)
    monkeypatch.setattr(owner, name, counted)
    return calls


def test_an_image_on_several_slides_is_decoded_once(tmp_path, monkeypatch):
    from weasyprint import images
    deck = _deck(tmp_path, fit=False)
    decoded = _count(monkeypatch, images.RasterImage, "__init__")
    _pdf(deck)
    # same.png on three slides and other.png on one: two images, whatever the number of slides
    assert len(decoded) == 2


def test_the_image_cache_changes_no_byte(tmp_path, monkeypatch):
    from weasyprint import images
    deck = _deck(tmp_path)
    shared = _pdf(deck)
    original = images.get_image_from_uri
    monkeypatch.setattr(images, "get_image_from_uri",
                        lambda cache, *args, **kwargs: original({}, *args, **kwargs))
    assert _pdf(deck) == shared


def test_a_slide_is_measured_once(tmp_path, monkeypatch):
    deck = _deck(tmp_path, fit=False)
    measured = _count(monkeypatch, overflow, "_measure_section")
    _pdf(deck)
    assert len(measured) == 4


def test_a_fitted_slide_is_measured_once_a_layout(tmp_path, monkeypatch):
    deck = _deck(tmp_path)
    measured = _count(monkeypatch, overflow, "_measure_section")
    _pdf(deck)
    assert len(measured) == 5       # the four slides, and the fitted one laid out again at its fitted size
