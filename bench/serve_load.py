"""Bounded load test of the preview server (`slidekit serve`), against 127.0.0.1 only.

    python bench/serve_load.py [DECK.md|FOLDER] [--clients 32] [--requests 50] [--streams 8] [--time-limit 60]

Starts a PreviewServer on 127.0.0.1 (a free port) in this process and runs CLIENTS threads at once, each
sending REQUESTS requests over a kept-alive HTTP/1.1 connection: the deck page, a plain file of the folder,
the folder index or redirect, and attempts to read outside the folder (`..`, `%2e%2e`, backslashes,
absolute paths), which must answer 404. Besides, STREAMS clients open the reload stream (Server-Sent
Events) and drop it mid-stream, and as many drop a page request before reading the answer. Then one more
request checks that the server still answers.

The run is bounded in count (clients x requests) and in time (--time-limit: clients stop sending once it
is spent; what was not sent is counted as an error). Prints clients, requests, errors, p50/p95 latency.
Without a deck, a small generated one is served from a temporary folder. Exit 0 when there was no error.
"""

from __future__ import annotations

import argparse
import http.client
import socket
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from slidekit.serve import Preview, PreviewServer  # noqa: E402

LOOPBACK = "127.0.0.1"
ESCAPES = ["/../outside.txt", "/%2e%2e/outside.txt", "/%2E%2E%2Foutside.txt", "/..%5Coutside.txt",
           "/..\\outside.txt", "//etc/passwd", "/etc/passwd", "/.hidden"]
MAX_CLIENTS = 500
MAX_REQUESTS = 100_000


@dataclass
class Report:
    clients: int = 0
    requests: int = 0                          # answered requests
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    streams_dropped: int = 0
    aborted: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float) -> None:
        with self.lock:
            self.requests += 1
            self.latencies.append(seconds)

    def error(self, message: str) -> None:
        with self.lock:
            self.errors.append(message)

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]

    def summary(self) -> str:
        return (f"clients {self.clients}, requests {self.requests}, errors {len(self.errors)}, "
                f"p50 {self.percentile(50) * 1000:.1f} ms, p95 {self.percentile(95) * 1000:.1f} ms, "
                f"streams dropped {self.streams_dropped}, requests aborted {self.aborted}")


def sample_folder(root: Path) -> Path:
    """A deck folder (with a plain file and a hidden one) beside a file that must never be served."""
    folder = root / "talk"
    folder.mkdir(parents=True, exist_ok=True)
    slides = "\n\n---\n\n".join(f"## Slide {i}\n\n- point one\n- point **two**\n\n```python\nprint({i})\n```"
                                for i in range(1, 21))
    (folder / "deck.md").write_text("---\nmarp: true\npaginate: true\n---\n\n" + slides + "\n", encoding="utf-8")
    (folder / "notes.txt").write_text("plain file\n" * 100, encoding="utf-8")
    (folder / ".hidden").write_text("hidden\n", encoding="utf-8")
    (root / "outside.txt").write_text("outside the deck folder\n", encoding="utf-8")
    return folder


def _connection(port: int, timeout: float) -> http.client.HTTPConnection:
    return http.client.HTTPConnection(LOOPBACK, port, timeout=timeout)


def _client(port: int, paths: list[tuple[str, set[int]]], count: int, deadline: float, report: Report,
            timeout: float) -> None:
    conn = _connection(port, timeout)
    try:
        for i in range(count):
            if time.monotonic() > deadline:
                report.error(f"time limit: {count - i} requests not sent")
                return
            path, expected = paths[i % len(paths)]
            started = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException) as exc:
                report.error(f"GET {path}: {exc.__class__.__name__}: {exc}")
                conn.close()
                conn = _connection(port, timeout)
                continue
            report.add(time.perf_counter() - started)
            if response.status not in expected:
                report.error(f"GET {path}: status {response.status}")
            elif response.status == 404 and (b"outside" in body or b"hidden" in body):
                report.error(f"GET {path}: leaked a file")
            if response.will_close:
                conn.close()
                conn = _connection(port, timeout)
    finally:
        conn.close()


def _drop_stream(port: int, report: Report, timeout: float) -> None:
    """Open the reload stream, read its first event, and go away without a word."""
    try:
        with socket.create_connection((LOOPBACK, port), timeout=timeout) as sock:
            sock.sendall(b"GET /__slidekit/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            data = b""
            while b"data:" not in data and len(data) < 65536:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                data += chunk
            if b"data:" not in data:
                report.error("reload stream: no first event")
                return
        with report.lock:
            report.streams_dropped += 1
    except OSError as exc:
        report.error(f"reload stream: {exc.__class__.__name__}: {exc}")


def _abort_request(port: int, path: str, report: Report, timeout: float) -> None:
    """Ask for a page and close (with a reset) before reading the answer."""
    try:
        sock = socket.create_connection((LOOPBACK, port), timeout=timeout)
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        sock.close()
        with report.lock:
            report.aborted += 1
    except OSError as exc:
        report.error(f"abort: {exc.__class__.__name__}: {exc}")


def run_load(target: Path, clients: int = 32, requests: int = 50, streams: int = 8, time_limit: float = 60.0,
             timeout: float = 30.0) -> Report:
    """Serve `target` on 127.0.0.1 and load it; bounded in clients, requests and time."""
    clients = max(1, min(clients, MAX_CLIENTS))
    requests = max(1, min(requests, MAX_REQUESTS // clients))
    streams = max(0, min(streams, MAX_CLIENTS))
    preview = Preview(target)
    deck = preview.decks()[0].relative_to(preview.root).as_posix() if preview.decks() else None
    paths: list[tuple[str, set[int]]] = [("/", {200, 302})]
    if deck:
        paths.append(("/" + deck, {200}))
    plain = next((p for p in sorted(preview.root.iterdir()) if p.is_file() and p.suffix not in (".md",)
                  and not p.name.startswith(".")), None)
    if plain is not None:
        paths.append(("/" + plain.name, {200}))
    paths += [(path, {404}) for path in ESCAPES]
    report = Report(clients=clients)
    server = PreviewServer(preview, port=0, host=LOOPBACK, max_clients=max(128, clients + 2 * streams + 8))
    assert server.httpd.server_address[0] == LOOPBACK
    port = server.httpd.server_address[1]
    with server:
        deadline = time.monotonic() + time_limit
        workers = [threading.Thread(target=_client, args=(port, paths, requests, deadline, report, timeout),
                                    daemon=True) for _ in range(clients)]
        workers += [threading.Thread(target=_drop_stream, args=(port, report, timeout), daemon=True)
                    for _ in range(streams)]
        workers += [threading.Thread(target=_abort_request, args=(port, "/" + (deck or ""), report, timeout),
                                     daemon=True) for _ in range(streams)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(max(0.0, deadline - time.monotonic()) + timeout)
            if worker.is_alive():
                report.error("a client did not finish in time")
        conn = _connection(port, timeout)        # still answering after all that
        try:
            conn.request("GET", "/" + (deck or ""))
            if conn.getresponse().status != 200:
                report.error("the server stopped answering")
        except (OSError, http.client.HTTPException) as exc:
            report.error(f"the server stopped answering: {exc}")
        finally:
            conn.close()
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", nargs="?", help="a deck or a folder of decks (default: a generated deck)")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--requests", type=int, default=50, help="requests per client")
    parser.add_argument("--streams", type=int, default=8, help="reload streams dropped (and requests aborted)")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds, at most")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(args.target) if args.target else sample_folder(Path(tmp)) / "deck.md"
        started = time.perf_counter()
        report = run_load(target, args.clients, args.requests, args.streams, args.time_limit)
        elapsed = time.perf_counter() - started
    print(report.summary() + f", {elapsed:.1f} s")
    for message in sorted(set(report.errors))[:20]:
        print("  error:", message)
    return 0 if not report.errors else 1


if __name__ == "__main__":
    sys.exit(main())
