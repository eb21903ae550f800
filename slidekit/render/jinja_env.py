"""Jinja's environment for the page template (loaded only when render/page.py has no frame for a deck)."""

from __future__ import annotations

from pathlib import Path

import jinja2


class TemplateCodeCache(jinja2.BytecodeCache):
    """Compiled templates kept in slidekit's on-disk cache (slidekit/cache.py), so that a fresh process
    loads deck.html.j2's code instead of compiling it again (~5 ms). The key covers the template's name,
    Jinja's and Python's versions and this module's source (the environment's options); Jinja checks the
    template's own checksum, and a damaged entry is a miss. Off with the cache."""

    def _key(self, bucket: jinja2.bccache.Bucket) -> str:
        from .. import cache
        return cache.digest(bucket.key, jinja2.__version__, cache.code_key(__name__))

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        from .. import cache
        data = cache.get_bytes("jinja", self._key(bucket))
        if data is not None:
            try:
                bucket.bytecode_from_string(data)
            except Exception:  # noqa: BLE001 - an entry that does not load is compiled again
                bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        from .. import cache
        cache.put_bytes("jinja", self._key(bucket), bucket.bytecode_to_string())


ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),   # (PackageLoader loads importlib.resources)
    autoescape=True, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    bytecode_cache=TemplateCodeCache(),
)
