"""A real `slidekit serve` (a subprocess on 127.0.0.1, a free port), probed as issue 19 and 22 describe:
the Host it answers, lock-outs by held streams and slow clients, a too-long path, the diagnostics it prints,
and, in Chromium, the page that follows the edit and shows errors. Every wait is bounded."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TIMEOUT = 20
DECK = ("---\nmarp: true\n---\n\n# One\n\n---\n\n## Two\n\n![](missing.png)\n\n---\n\n## Three\n\n---\n\n"
        "## Four\n\n---\n\n## Five\n\n---\n\n## Six\n")


class Served:
    def __init__(self, deck: Path):
        self.deck = deck
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.log = deck.parent / "serve.log"
        env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "slidekit", "serve", deck.name, "--port",
                                             str(self.port)], cwd=deck.parent, stdout=log, stderr=log, env=env)
        for _ in range(300):
            if self.process.poll() is not None:
                raise AssertionError("slidekit serve stopped:\n" + self.output())
            try:
                if self.get("/" + deck.name)[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("slidekit serve did not answer")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/{self.deck.name}"

    def host(self) -> bytes:
        return f"127.0.0.1:{self.port}".encode()

    def raw(self, request: bytes, timeout: float = TIMEOUT) -> bytes:
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as sock:
            sock.sendall(request)
            data = b""
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    return data
                data += chunk

    def get(self, path: str, host: bytes | None = None) -> tuple[int, bytes]:
        answer = self.raw(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: " + (host or self.host())
                          + b"\r\nConnection: close\r\n\r\n")
        return int(answer.split(b" ", 2)[1]), answer.partition(b"\r\n\r\n")[2]

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)


@pytest.fixture
def served(tmp_path):
    folder = tmp_path / "talk"
    folder.mkdir()
    (folder / "deck.md").write_text(DECK, encoding="utf-8")
    (folder / "notes.txt").write_text("plain file", encoding="utf-8")
    server = Served(folder / "deck.md")
    yield server
    server.stop()


def status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def edit(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def wait_for(condition, seconds: float = TIMEOUT) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


# Host (DNS rebinding) ----------------------------------------------------------------------------
@pytest.mark.parametrize("host", ["evil.example.com", "evil.example.com:{port}", "127.0.0.1.evil.example:{port}",
                                  "localhost:1", "127.0.0.1", "[::2]:{port}", "localhost.:{port}"])
def test_foreign_host_is_refused(served, host):
    host = host.format(port=served.port).encode()
    for path in ("/deck.md", "/notes.txt", "/deck.md?pdf", "/"):
        code, body = served.get(path, host)
        assert code == 421, (path, code)
        assert b"One" not in body and b"plain file" not in body


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}", "[::1]:{port}"])
def test_loopback_hosts_are_answered(served, host):
    assert served.get("/deck.md", host.format(port=served.port).encode())[0] == 200


def test_missing_host_on_http11_is_refused(served):
    assert status(served.raw(b"GET /deck.md HTTP/1.1\r\nConnection: close\r\n\r\n")) == 400
    assert status(served.raw(b"GET /notes.txt HTTP/1.0\r\n\r\n")) == 200          # HTTP/1.0 has no Host
    two = b"GET /notes.txt HTTP/1.1\r\nHost: " + served.host() + b"\r\nHost: evil.example\r\n\r\n"
    assert status(served.raw(two)) == 400


# Lock-outs ---------------------------------------------------------------------------------------
def _open_streams(served, count: int) -> list[socket.socket]:
    held = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", served.port), timeout=TIMEOUT)
        held.append(sock)
        sock.sendall(b"GET /__slidekit/events HTTP/1.1\r\nHost: " + served.host() + b"\r\n\r\n")
    for sock in held:
        data = b""
        while b"data:" not in data:
            chunk = sock.recv(4096)
            assert chunk, "a stream was refused"
            data += chunk
    return held


def test_pages_are_served_while_many_streams_are_open(served):
    held = _open_streams(served, 140)             # more than the 128 slots that used to lock pages out
    try:
        for _ in range(5):
            assert served.get("/deck.md")[0] == 200
            assert served.get("/notes.txt") == (200, b"plain file")
    finally:
        for sock in held:
            sock.close()
    started = time.monotonic()
    assert served.get("/deck.md")[0] == 200 and time.monotonic() - started < 2    # at once after they close


def test_pages_are_served_while_slow_clients_trickle(served):
    slow = []
    try:
        for _ in range(130):
            sock = socket.create_connection(("127.0.0.1", served.port), timeout=TIMEOUT)
            sock.sendall(b"G")
            slow.append(sock)
        for round_ in range(3):
            for sock in slow:
                sock.sendall(b"ET /deck.md HTTP/1.1\r\n"[round_:round_ + 1])
            started = time.monotonic()
            assert served.get("/deck.md")[0] == 200
            assert time.monotonic() - started < 2
            time.sleep(0.3)
    finally:
        for sock in slow:
            sock.close()


def test_a_request_head_has_a_total_deadline(served):
    """One byte a second keeps a per-read timeout happy for ever; the head's deadline (10 s) closes it."""
    with socket.create_connection(("127.0.0.1", served.port), timeout=TIMEOUT) as sock:
        started = time.monotonic()
        closed = False
        for byte in b"GET /deck.md HTTP/1.1\r\nX-Slow: " + b"y" * 40:
            try:
                sock.sendall(bytes([byte]))
                time.sleep(1.0)
                sock.setblocking(False)
                try:
                    if sock.recv(100) == b"":
                        closed = True
                        break
                except BlockingIOError:
                    pass
                finally:
                    sock.setblocking(True)
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
        assert closed and time.monotonic() - started < 14


# Odd requests ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("length", [300, 8000, 20000])
def test_long_path_gets_an_answer_not_a_traceback(served, length):
    code, _ = served.get("/" + "a" * length)
    assert code in (404, 414)
    code, _ = served.get("/sub/" + "b" * length + ".png")
    assert code in (404, 414)
    assert served.get("/notes.txt") == (200, b"plain file")
    time.sleep(0.2)
    assert "Traceback" not in served.output() and "Errno" not in served.output()


# What the terminal shows ------------------------------------------------------------------------------
def test_diagnostics_printed_at_start_and_new_ones_after_a_save(served):
    assert wait_for(lambda: "missing.png" in served.output())
    first = served.output()
    assert "deck.md:11: slide 2: warning: image not found: missing.png" in first
    edit(served.deck, DECK.replace("## Three", "<!-- colr: red -->\n\n## Three"))
    assert wait_for(lambda: "colr" in served.output())
    time.sleep(0.5)
    output = served.output()
    assert "deck.md:15: slide 3: warning: unknown directive 'colr'" in output
    assert output.count("missing.png") == 1                  # printed once, not again at each rebuild
    edit(served.deck, "---\ntitle: [broken\n---\n\n# Broken\n")       # ignored, as Marp does: a warning
    assert wait_for(lambda: "not valid YAML" in served.output())
    assert "deck.md:2: slide 1: warning: front-matter is not valid YAML" in served.output()


# In Chromium: follow the edit, errors in the page ----------------------------------------------------
def _shown_slide(page) -> str:
    return page.evaluate("document.querySelector('.sk-deck > section.sk-on').textContent.trim()")


def _open(browser, url: str):
    page = browser.new_page()
    page.goto(url)
    page.wait_for_function("document.querySelector('.sk-deck > section.sk-on')", timeout=TIMEOUT * 1000)
    return page


def _reloaded(page, action) -> None:
    with page.expect_event("load", timeout=TIMEOUT * 1000):
        action()
    page.wait_for_function("document.querySelector('.sk-deck > section.sk-on')", timeout=TIMEOUT * 1000)


@pytest.mark.browser
def test_page_moves_to_the_first_slide_that_changed(served, browser):
    page = _open(browser, served.url + "#5")
    try:
        assert _shown_slide(page) == "Five"
        _reloaded(page, lambda: edit(served.deck, DECK.replace("## Three", "## Three, edited")))
        assert _shown_slide(page) == "Three, edited"
        assert page.evaluate("location.hash") == "#3"
        # a save that changes no slide (a comment outside the slides' text... here: the same text) stays put
        page.evaluate("location.hash = '#6'")
        page.wait_for_function("document.querySelector('.sk-deck > section.sk-on').textContent.trim() === 'Six'")
        _reloaded(page, lambda: edit(served.deck, DECK.replace("## Three", "## Three, edited") + "\n\n"))
        assert _shown_slide(page) == "Six"
    finally:
        page.close()


@pytest.mark.browser
def test_follow_0_keeps_the_slide(served, browser):
    page = _open(browser, served.url + "?follow=0#5")
    try:
        _reloaded(page, lambda: edit(served.deck, DECK.replace("## Two", "## Two, edited")))
        assert _shown_slide(page) == "Five"
    finally:
        page.close()


@pytest.mark.browser
def test_errors_show_in_the_page_and_go_away(tmp_path, browser, monkeypatch):
    from test_serve import errors_when_marked

    from slidekit.serve import Preview, PreviewServer
    errors_when_marked(monkeypatch)         # (so in this process: no deck's text makes an error)
    deck = tmp_path / "deck.md"
    deck.write_text(DECK, encoding="utf-8")
    with PreviewServer(Preview(deck)) as running:
        page = _open(browser, running.url.rstrip("/") + "/deck.md#2")
        try:
            _reloaded(page, lambda: edit(deck, DECK.replace("# One", "# BROKEN")))
            banner = page.locator("#sk-serve-error")
            assert banner.is_visible() and "an error made by the test" in banner.inner_text()
            assert "deck.md" in banner.inner_text()
            box = banner.bounding_box()
            assert box and box["height"] > 20 and box["y"] < page.viewport_size["height"]
            bar = page.locator(".sk-bar").bounding_box()                # the toolbar stays usable
            assert bar and (bar["y"] >= box["y"] + box["height"] or bar["y"] + bar["height"] <= box["y"])
            assert _shown_slide(page).startswith("Two")             # the last good slides, on the same slide
            _reloaded(page, lambda: edit(deck, DECK))
            assert page.locator("#sk-serve-error").count() == 0
        finally:
            page.close()


def test_built_file_has_no_live_reload_code(tmp_path):
    (tmp_path / "deck.md").write_text(DECK, encoding="utf-8")
    subprocess.run([sys.executable, "-m", "slidekit", "build", "deck.md", "-o", "deck.html"], cwd=tmp_path,
                   timeout=120, check=True, capture_output=True,
                   env=dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")))
    built = (tmp_path / "deck.html").read_text(encoding="utf-8")
    assert "EventSource" not in built and "sk-serve" not in built and "__slidekit" not in built
