"""`slidekit build --watch`: the real command in a subprocess, real files edited; every wait is bounded by a
timeout (only reached when something is broken), then the process is stopped with Ctrl+C."""

from __future__ import annotations

import base64
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

TIMEOUT = 60     # seconds any one wait may take before the test fails



def _png(colour) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), colour).save(buffer, "PNG")
    return buffer.getvalue()


PNG_RED, PNG_BLUE = _png((255, 0, 0)), _png((0, 0, 255))


class Watching:
    """`slidekit build ... --watch` running; stderr lines collected by a thread."""

    def __init__(self, *args, cwd: Path):
        env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
        self.proc = subprocess.Popen([sys.executable, "-m", "slidekit", "build", *args, "--watch"], cwd=cwd,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stderr:
            self.lines.put(line.rstrip("\n"))

    def wait_line(self, needle: str) -> str:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                assert self.proc.poll() is None, f"the watcher ended: {self.seen}"
                continue
            self.seen.append(line)
            if needle in line:
                return line
        raise AssertionError(f"no line with {needle!r} in {TIMEOUT}s: {self.seen}")

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


def wait_for(path: Path, predicate) -> str:
    deadline = time.monotonic() + TIMEOUT
    text = ""
    while time.monotonic() < deadline:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            text = ""
        if predicate(text):
            return text
        time.sleep(0.05)
    raise AssertionError(f"{path} did not change as expected within {TIMEOUT}s")


@pytest.fixture
def watching():
    running = []

    def start(*args, cwd):
        w = Watching(*args, cwd=cwd)
        running.append(w)
        return w

    yield start
    for w in running:
        w.stop()


def test_watch_rebuilds_on_deck_image_theme_and_config_changes(tmp_path, watching):
    (tmp_path / "slidekit.yaml").write_text("title: First title\n", encoding="utf-8")
    (tmp_path / "mine.css").write_text("/* @theme mine */\n@import 'default';\nh1 { color: #123456; }\n",
                                       encoding="utf-8")
    (tmp_path / "pic.png").write_bytes(PNG_RED)
    deck = tmp_path / "deck.md"
    deck.write_text("---\ntheme: mine\n---\n\n# Before\n\n![](pic.png)\n", encoding="utf-8")
    out = tmp_path / "out" / "deck.html"
    w = watching("deck.md", "-o", "out/deck.html", "--theme-set", "mine.css", cwd=tmp_path)
    w.wait_line("watching")
    html = out.read_text(encoding="utf-8")
    assert "Before" in html and "#123456" in html and "<title>First title</title>" in html
    red = base64.b64encode(PNG_RED).decode()
    assert red in html

    deck.write_text("---\ntheme: mine\n---\n\n# After\n\n![](pic.png)\n", encoding="utf-8")
    wait_for(out, lambda t: "After" in t and "Before" not in t)

    (tmp_path / "mine.css").write_text("/* @theme mine */\n@import 'default';\nh1 { color: #654321; }\n",
                                       encoding="utf-8")
    wait_for(out, lambda t: "#654321" in t and "#123456" not in t)

    (tmp_path / "pic.png").write_bytes(PNG_BLUE)
    wait_for(out, lambda t: base64.b64encode(PNG_BLUE).decode() in t and red not in t)

    (tmp_path / "slidekit.yaml").write_text("title: Second title\n", encoding="utf-8")
    wait_for(out, lambda t: "<title>Second title</title>" in t)

    deck.write_text("---\ntheme: [mine\n---\n\n# Broken\n", encoding="utf-8")
    w.wait_line("front-matter is not valid YAML")   # a bad save is reported (ignored, as Marp does), the watcher goes on
    deck.write_text("---\ntheme: mine\n---\n\n# Fixed\n", encoding="utf-8")
    wait_for(out, lambda t: "Fixed" in t)
    assert w.stop() in (0, 130)


def test_watch_a_folder_site_adds_new_decks_to_the_index(tmp_path, watching):
    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "one.md").write_text("# Deck one\n", encoding="utf-8")
    w = watching("decks", "-o", "site", "-j", "2", cwd=tmp_path)
    w.wait_line("watching")
    index = tmp_path / "site" / "index.html"
    assert "Deck one" in index.read_text(encoding="utf-8")

    (decks / "sub").mkdir()
    (decks / "sub" / "two.md").write_text("# Deck two\n", encoding="utf-8")
    wait_for(index, lambda t: "Deck two" in t and t.count('<li class="card">') == 2)
    assert "Deck two" in (tmp_path / "site" / "sub" / "two.html").read_text(encoding="utf-8")

    (decks / "one.md").write_text("# Deck one, renamed\n", encoding="utf-8")
    wait_for(index, lambda t: "Deck one, renamed" in t)
    wait_for(tmp_path / "site" / "one.html", lambda t: "Deck one, renamed" in t)

    (decks / "sub" / "two.md").unlink()
    wait_for(index, lambda t: "Deck two" not in t and t.count('<li class="card">') == 1)
    assert w.stop() in (0, 130)


def test_a_single_deck_pdf_uses_the_processes_except_under_watch():
    from slidekit.app.builder import pdf_processes
    assert pdf_processes(4, 1, watching=False) == 4
    assert pdf_processes(4, 1, watching=True) == 1      # rebuilds keep their laid-out slides in this process
    assert pdf_processes(4, 4, watching=False) == 1     # decks side by side: one process each
