"""Helpers for tests that run slidekit in a fresh interpreter (tests/test_startup.py)."""

from __future__ import annotations

import os
from pathlib import Path


def cache_env(cache: Path | None) -> dict:
    """This process's environment with slidekit's on-disk cache in `cache`, or turned off (None)."""
    env = dict(os.environ)
    env.pop("SLIDEKIT_CACHE", None)
    if cache is None:
        env["SLIDEKIT_CACHE"] = "off"
    else:
        env["SLIDEKIT_CACHE_DIR"] = str(cache)
    return env
