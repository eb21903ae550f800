"""A shared background (see tests/test_shared_images.py) still paints every slide that uses it."""

from __future__ import annotations

from pathlib import Path

from slidekit.api import BuildOptions, build_text

DECK = "---\nmarp: true\n---\n\n" + "\n\n---\n\n".join(f"![bg](same.png)\n\n# Slide {n}" for n in range(1, 5))


def _build(folder: Path) -> str:
    from PIL import Image
    Image.effect_noise((64, 64), 50).convert("RGB").save(folder / "same.png")
    result = build_text(DECK, BuildOptions(format="html"), folder=folder)
    assert result.ok and "var(--sk-bg-1)" in result.output
    return result.output


def test_shared_backgrounds_paint_in_the_browser(browser, tmp_path):
    path = tmp_path / "deck.html"
    path.write_text(_build(tmp_path), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1000, "height": 700})
    page.goto(path.as_uri() + "#2")
    page.wait_for_selector("html.sk-viewer")
    images = page.eval_on_selector_all(
        "section figure", "fs => fs.map(f => getComputedStyle(f).backgroundImage.slice(0, 30))")
    page.close()
    assert len(images) == 4
    assert all(i.startswith('url("data:image/png;base64,') for i in images), images
