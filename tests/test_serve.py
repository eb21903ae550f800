"""The preview server, driven with a real HTTP client against 127.0.0.1 (server in threads, stopped after)."""

from __future__ import annotations

import http.client
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from slidekit.serve import Preview, PreviewServer

DECK = "---\nmarp: true\n---\n\n# First slide\n\n---\n\n## Second slide\n"
TIMEOUT = 30           # seconds a read may block before the test fails (never reached when it works)


@pytest.fixture
def deck_dir(tmp_path):
    folder = tmp_path / "talk"
    folder.mkdir()
    (folder / "deck.md").write_text(DECK, encoding="utf-8")
    (folder / "notes.txt").write_text("plain file", encoding="utf-8")
    (folder / ".secret").write_text("hidden", encoding="utf-8")
    (tmp_path / "outside.txt").write_text("outside", encoding="utf-8")
    return folder


@pytest.fixture
def server(deck_dir):
    with PreviewServer(Preview(deck_dir / "deck.md")) as running:
        yield running


def _connect(server) -> http.client.HTTPConnection:
    parts = urlsplit(server.url)
    assert parts.hostname == "127.0.0.1"
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=TIMEOUT)


def get(server, path: str) -> tuple[int, dict, bytes]:
    conn = _connect(server)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


class Events:
    """An open Server-Sent Events stream: `next_version()` reads up to the next `data:` line."""

    def __init__(self, server):
        self.conn = _connect(server)
        self.conn.request("GET", "/__slidekit/events")
        self.response = self.conn.getresponse()
        assert self.response.status == 200
        assert self.response.getheader("Content-Type") == "text/event-stream"

    def next_version(self) -> int:
        for _ in range(1000):                       # bounded: heartbeats and blank lines in between
            line = self.response.fp.readline()
            assert line, "event stream closed"
            if line.startswith(b"data:"):
                return int(line[5:].strip())
        raise AssertionError("no event")

    def close(self):
        self.conn.close()


def page_version(body: bytes) -> int:
    return int(re.search(rb"var version = (\d+)", body).group(1))


def edit(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    stat = path.stat()                              # make sure the mtime moves even on coarse clocks
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def test_root_redirects_to_the_deck_page(server):
    status, headers, _ = get(server, "/")
    assert status == 302 and headers["Location"] == "/deck.md"
    status, headers, body = get(server, "/deck.md")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert b"First slide" in body and b"Second slide" in body
    assert b'<script id="sk-serve">' in body and b"sk-serve-error" not in body
    assert body.rstrip().endswith(b"</html>")


def test_edit_gives_a_reload_event_and_the_new_page(server, deck_dir):
    events = Events(server)
    try:
        first = events.next_version()                 # sent on connect
        assert first == page_version(get(server, "/deck.md")[2])
        edit(deck_dir / "deck.md", DECK + "\n---\n\n## Third slide added\n")
        second = events.next_version()
        assert second != first
    finally:
        events.close()
    _, _, body = get(server, "/deck.md")
    assert b"Third slide added" in body
    assert page_version(body) == second               # the reloaded page will not reload again


def errors_when_marked(monkeypatch) -> None:
    """A deck holding BROKEN builds with an error. (No deck's text causes one now: a front-matter Marp
    cannot read is ignored with a warning, as Marp ignores it.)"""
    import slidekit.serve as serve
    real = serve.build_file

    def build_file(path, *args, **kwargs):
        result = real(path, *args, **kwargs)
        if "BROKEN" in Path(path).read_text(encoding="utf-8"):
            result.diagnostics.error("test", "an error made by the test", file=str(path), line=1, slide=1)
        return result
    monkeypatch.setattr(serve, "build_file", build_file)


def test_error_keeps_last_good_slides_then_clears(server, deck_dir, monkeypatch):
    errors_when_marked(monkeypatch)
    events = Events(server)
    try:
        version = events.next_version()
        edit(deck_dir / "deck.md", "# BROKEN save\n")
        version = events.next_version()
        _, _, body = get(server, "/deck.md")
        assert b"First slide" in body and b"BROKEN save" not in body       # last good slides
        assert b'id="sk-serve-error"' in body and b"an error made by the test" in body
        edit(deck_dir / "deck.md", DECK.replace("First slide", "Fixed slide"))
        assert events.next_version() != version
    finally:
        events.close()
    _, _, body = get(server, "/deck.md")
    assert b"Fixed slide" in body and b"sk-serve-error" not in body


def test_pdf_route(server):
    status, headers, body = get(server, "/deck.md?pdf")
    assert status == 200 and headers["Content-Type"] == "application/pdf"
    assert body.startswith(b"%PDF")


@pytest.mark.parametrize("path", ["/../outside.txt", "/%2e%2e/outside.txt", "/.secret", "/link.txt",
                                  "/nothing.md", "/sub/../../outside.txt"])
def test_only_files_in_the_deck_folder(server, deck_dir, path):
    (deck_dir / "link.txt").symlink_to(deck_dir.parent / "outside.txt")
    status, _, body = get(server, path)
    assert status == 404 and b"outside" not in body and b"hidden" not in body


def test_plain_files_in_the_folder_are_served(server):
    status, headers, body = get(server, "/notes.txt")
    assert status == 200 and body == b"plain file" and headers["Content-Type"].startswith("text/plain")


def test_folder_gets_an_index(tmp_path):
    (tmp_path / "a.md").write_text("# Deck A\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b c.md").write_text("# Deck B\n", encoding="utf-8")
    with PreviewServer(Preview(tmp_path)) as running:
        status, _, body = get(running, "/")
        assert status == 200
        assert b'href="a.md"' in body and b'href="sub/b%20c.md"' in body and b'href="a.md?pdf"' in body
        status, _, body = get(running, "/sub/b%20c.md")
        assert status == 200 and b"Deck B" in body


def test_server_listens_on_loopback_only(server):
    assert server.httpd.server_address[0] == "127.0.0.1"


def test_polling_when_watchfiles_is_missing(deck_dir, monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "watchfiles", None)       # import fails: the mtime poller takes over
    with PreviewServer(Preview(deck_dir / "deck.md")) as running:
        events = Events(running)
        try:
            first = events.next_version()
            edit(deck_dir / "deck.md", DECK + "\n---\n\n## Polled slide\n")
            assert events.next_version() != first
        finally:
            events.close()
        assert b"Polled slide" in get(running, "/deck.md")[2]
