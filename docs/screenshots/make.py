"""Re-take the viewer screenshots of the seed deck: audience.png, overview.png, presenter.png.

    python docs/screenshots/make.py

Builds decks/mlops-guide/slides.md (or, before that exists, the seed from shared/corpus) with slidekit and
photographs it in Debian's chromium through Playwright. The seed deck has no speaker notes; when the deck
has none, a copy of it gets one note on slide 3 so that the presenter view shows how notes render.
"""
from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO))
DECKS = [REPO / "decks/mlops-guide/slides.md", REPO.parent / "shared/corpus/seeds/mlops-guide-presentation.md",
         Path("/work/shared/corpus/seeds/mlops-guide-presentation.md")]
NOTE = """
<!--
Most of the work is **not** the model. Point at the boxes around it.

- data collection and *verification*
- serving and monitoring, see [the guide](https://mlops.swiss-ai-center.ch)
-->
"""


def build(src: Path, out: Path) -> None:
    text = src.read_text(encoding="utf-8")
    if not re.search(r"<!--(?![^>]*:)", text):  # no comment that reads as notes: add one, to a copy
        text = text.replace("The required surrounding infrastructure is vast and complex.\n",
                            "The required surrounding infrastructure is vast and complex.\n" + NOTE, 1)
        src = out.with_suffix(".md")
        src.write_text(text, encoding="utf-8")
    if importlib.util.find_spec("slidekit.cli"):
        subprocess.run([sys.executable, "-m", "slidekit", "build", str(src), "-o", str(out)], check=True, cwd=REPO)
    else:  # the CLI is not there yet: its API
        from slidekit.api import build_file
        out.write_text(build_file(src).output, encoding="utf-8")


def main() -> None:
    src = next(p for p in DECKS if p.exists())
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        html = Path(tmp) / "deck.html"
        build(src, html)
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--no-first-run", "--disable-sync"])
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(html.as_uri() + "#31")
        page.mouse.move(640, 400)  # shows the control bar
        page.wait_for_timeout(300)
        page.screenshot(path=HERE / "audience.png")
        page.keyboard.press("6")
        page.keyboard.press("Enter")
        page.keyboard.press("o")
        page.wait_for_timeout(300)
        page.screenshot(path=HERE / "overview.png")
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(html.as_uri() + "?view=presenter#3")
        page.wait_for_timeout(1300)
        page.screenshot(path=HERE / "presenter.png")
        browser.close()
    for name in ("audience", "overview", "presenter"):
        print(HERE / f"{name}.png")


if __name__ == "__main__":
    main()
