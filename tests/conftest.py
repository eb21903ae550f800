import sys
from pathlib import Path

# tests import small helpers (deckparse) that sit beside them
sys.path.insert(0, str(Path(__file__).parent))

REPO = Path(__file__).resolve().parents[1]

import os

import pytest


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory):
    """Tests never write slidekit's cache into the home folder or the tree (some tests move HOME)."""
    if "SLIDEKIT_CACHE_DIR" not in os.environ:
        os.environ["SLIDEKIT_CACHE_DIR"] = str(tmp_path_factory.mktemp("slidekit-cache"))
    yield


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium through Playwright, one for the whole run (Playwright's sync API allows one
    instance a thread); the test is skipped where either is missing."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
