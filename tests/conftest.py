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
