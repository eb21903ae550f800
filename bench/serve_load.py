"""Bounded load test of the preview server: a real `slidekit serve` on 127.0.0.1, and nothing else.

    python bench/serve_load.py [DECK.md] [--streams 200] [--slow 130] [--clients 4] [--seconds 20]

Starts `python -m slidekit serve DECK --port 0`-like on a free loopback port (a subprocess), then at once:
STREAMS clients open the reload stream (`/__slidekit/events`) and hold it; SLOW clients each send a request
head one byte every SLOW_EVERY seconds (re-connecting when dropped); and CLIENTS page clients request the
deck page, a plain file and a path outside the folder (404) in a loop, each request on a new connection,
timing it. After SECONDS everything stops. Page requests must all be answered (200/404 as expected) while the
streams are open; the report gives p50/p95 latency of the page requests and what the streams and slow
clients held. Without a deck, a generated 20-slide one is served from a temporary folder. Exit 0 when no
page request failed.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LOOPBACK = "127.0.0.1"
MAX_SOCKETS = 2000           # streams + slow clients, at most


@dataclass
class Report:
    requests: int = 0
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    streams_open: int = 0            # streams that got their first event
    streams_refused: int = 0
    slow_dropped: int = 0            # slow clients the server closed (head deadline)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]

    def summary(self) -> str:
        return (f"page requests {self.requests}, errors {len(self.errors)}, p50 {self.percentile(50) * 1000:.1f} ms, "
                f"p95 {self.percentile(95) * 1000:.1f} ms, max {max(self.latencies or [0]) * 1000:.1f} ms; "
                f"streams open {self.streams_open} (refused {self.streams_refused}), "
                f"slow clients dropped by the server {self.slow_dropped}")


def sample_folder(root: Path) -> Path:
    folder = root / "talk"
    folder.mkdir(parents=True, exist_ok=True)
    slides = "\n\n---\n\n".join(f"## Slide {i}\n\n- point one\n- point **two**\n\n```python\nprint({i})\n```"
                                for i in range(1, 21))
    (folder / "deck.md").write_text("---\nmarp: true\npaginate: true\n---\n\n" + slides + "\n", encoding="utf-8")
    (folder / "notes.txt").write_text("plain file\n" * 100, encoding="utf-8")
    (root / "outside.txt").write_text("outside the deck folder\n", encoding="utf-8")
    return folder / "deck.md"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def start_server(deck: Path, port: int, timeout: float = 60.0) -> subprocess.Popen:
    """`slidekit serve DECK --port PORT` on 127.0.0.1, once it answers."""
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    process = subprocess.Popen([sys.executable, "-m", "slidekit", "serve", str(deck), "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=deck.parent)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("slidekit serve stopped: " + process.stderr.read().decode(errors="replace"))
        try:
            if request(port, "/" + deck.name, 5.0)[0] == 200:
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("slidekit serve did not answer in time")


def stop_server(process: subprocess.Popen) -> str:
    process.terminate()
    try:
        _, err = process.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        _, err = process.communicate()
    return err.decode(errors="replace")


def request(port: int, path: str, timeout: float) -> tuple[int, bytes]:
    """One GET on a new connection, with the Host a browser would send; (status, body)."""
    with socket.create_connection((LOOPBACK, port), timeout=timeout) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {LOOPBACK}:{port}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def _hold_stream(port: int, stop: threading.Event, report: Report, sockets: list) -> None:
    try:
        sock = socket.create_connection((LOOPBACK, port), timeout=10)
        sockets.append(sock)
        sock.sendall(f"GET /__slidekit/events HTTP/1.1\r\nHost: {LOOPBACK}:{port}\r\n\r\n".encode())
        data = b""
        while b"data:" not in data:            # a refused stream is closed after its answer
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
        with report.lock:
            if b" 200 " in data[:20]:
                report.streams_open += 1
            else:
                report.streams_refused += 1
    except OSError as exc:
        report.errors.append(f"stream: {exc.__class__.__name__}: {exc}")


def _slow_client(port: int, stop: threading.Event, every: float, report: Report) -> None:
    """Send a request head one byte every `every` seconds, for as long as the bench runs."""
    head = f"GET /deck.md HTTP/1.1\r\nHost: {LOOPBACK}:{port}\r\nX-Slow: {'y' * 200}\r\n\r\n".encode()
    while not stop.is_set():
        try:
            with socket.create_connection((LOOPBACK, port), timeout=10) as sock:
                for byte in head:
                    sock.sendall(bytes([byte]))
                    if stop.wait(every):
                        return
        except OSError:
            with report.lock:
                report.slow_dropped += 1
            stop.wait(0.2)


def _page_client(port: int, paths: list[tuple[str, int]], stop: threading.Event, report: Report,
                 timeout: float) -> None:
    n = 0
    while not stop.is_set():
        path, expected = paths[n % len(paths)]
        n += 1
        started = time.perf_counter()
        try:
            status, _ = request(port, path, timeout)
        except OSError as exc:
            with report.lock:
                report.errors.append(f"GET {path}: {exc.__class__.__name__}: {exc}")
            continue
        with report.lock:
            report.requests += 1
            report.latencies.append(time.perf_counter() - started)
            if status != expected:
                report.errors.append(f"GET {path}: status {status}")
        stop.wait(0.05)


def run_load(deck: Path, streams: int = 200, slow: int = 130, clients: int = 4, seconds: float = 20.0,
             slow_every: float = 10.0, timeout: float = 10.0) -> tuple[Report, str]:
    """Load a real `slidekit serve` of `deck`; bounded in sockets and in time. (report, the server's stderr)"""
    streams = max(0, min(streams, MAX_SOCKETS))
    slow = max(0, min(slow, MAX_SOCKETS - streams))
    seconds = max(1.0, min(seconds, 600.0))
    port = free_port()
    process = start_server(deck, port)
    report, stop, sockets = Report(), threading.Event(), []
    try:
        threads = [threading.Thread(target=_hold_stream, args=(port, stop, report, sockets), daemon=True)
                   for _ in range(streams)]
        threads += [threading.Thread(target=_slow_client, args=(port, stop, slow_every, report), daemon=True)
                    for _ in range(slow)]
        for thread in threads:
            thread.start()
        for thread in threads[:streams]:
            thread.join(timeout)                   # the streams are open before the pages are asked for
        paths = [("/" + deck.name, 200), ("/notes.txt", 200), ("/../outside.txt", 404)]
        if not (deck.parent / "notes.txt").exists():
            paths = [paths[0], paths[2]]
        pages = [threading.Thread(target=_page_client, args=(port, paths, stop, report, timeout), daemon=True)
                 for _ in range(max(1, clients))]
        for thread in pages:
            thread.start()
        stop.wait(seconds)
        stop.set()
        for thread in pages + threads[streams:]:
            thread.join(timeout)
            if thread.is_alive():
                report.errors.append("a client did not stop in time")
    finally:
        stop.set()
        for sock in sockets:
            sock.close()
        err = stop_server(process)
    return report, err


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("deck", nargs="?", help="a deck (default: a generated one)")
    parser.add_argument("--streams", type=int, default=200, help="reload streams held open")
    parser.add_argument("--slow", type=int, default=130, help="clients sending a byte every --slow-every s")
    parser.add_argument("--slow-every", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=4, help="page clients, one request at a time each")
    parser.add_argument("--seconds", type=float, default=20.0, help="how long the load lasts")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        deck = Path(args.deck).resolve() if args.deck else sample_folder(Path(tmp))
        report, err = run_load(deck, args.streams, args.slow, args.clients, args.seconds, args.slow_every)
    print(f"{args.streams} streams, {args.slow} slow clients, {args.seconds:g} s: " + report.summary())
    for message in sorted(set(report.errors))[:20]:
        print("  error:", message)
    if "Traceback" in err:
        print("  the server printed a traceback:\n" + err[-2000:])
        return 1
    return 0 if not report.errors and report.requests else 1


if __name__ == "__main__":
    sys.exit(main())
