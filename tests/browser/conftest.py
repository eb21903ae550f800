"""Browser tests of the viewer (slidekit/render/assets/viewer.*) in Debian's chromium via Playwright.

Every test runs twice: on `fixtures/contract.html`, a deck written by hand to docs/html-contract.md with the
viewer files pasted in (so the viewer is tested without the compiler), and on `fixtures/deck.md` built by
`python -m slidekit build`.
"""
from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures"
ASSETS = HERE.parents[1] / "slidekit" / "render" / "assets"

pytestmark = pytest.mark.browser


def pytest_collection_modifyitems(items):
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def contract_html(out: Path) -> Path:
    html = (FIXTURES / "contract.html").read_text(encoding="utf-8")
    html = html.replace("/*SK_VIEWER_CSS*/", (ASSETS / "viewer.css").read_text(encoding="utf-8"))
    html = html.replace("/*SK_VIEWER_JS*/", (ASSETS / "viewer.js").read_text(encoding="utf-8"))
    path = out / "contract.html"
    path.write_text(html, encoding="utf-8")
    return path


def built_html(out: Path) -> Path:
    path = out / "deck.html"
    if importlib.util.find_spec("slidekit.cli") is None:
        pytest.skip("the compiler has no CLI (slidekit.cli)")
    run = subprocess.run([sys.executable, "-m", "slidekit", "build", str(FIXTURES / "deck.md"), "-o", str(path)],
                         capture_output=True, text=True, timeout=120, cwd=HERE.parents[1])
    assert run.returncode == 0, f"slidekit build failed:\n{run.stdout}\n{run.stderr}"
    html = path.read_text(encoding="utf-8")
    for name in ("viewer.css", "viewer.js"):  # the compiler inlines the viewer as it is
        assert (ASSETS / name).read_text(encoding="utf-8").strip()[:300] in html, f"{name} is not inlined"
    return path


@pytest.fixture(scope="session", params=["contract", "built"])
def deck_path(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(request.param)
    return contract_html(out) if request.param == "contract" else built_html(out)


@pytest.fixture
def deck_url(deck_path):
    return deck_path.as_uri()


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport={"width": 1000, "height": 700}, has_touch=True)
    yield ctx
    ctx.close()


@pytest.fixture
def errors():
    return []


@pytest.fixture
def open_deck(context, deck_url, errors):
    """open_deck(suffix='') -> a page showing the deck (suffix: '#3', '?view=presenter#2', ...)."""

    def _open(suffix: str = "", ctx=None):
        page = (ctx or context).new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.on("request", lambda r: r.url.startswith(("file:", "data:", "blob:", "about:"))
                or errors.append("network request: " + r.url))
        page.goto(deck_url + suffix)
        page.wait_for_selector("html.sk-viewer")
        return page

    yield _open
    assert not errors, errors
