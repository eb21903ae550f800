"""The preview server under attack and under load (issue 5): loopback only unless asked, nothing served
from outside the deck folder whatever the request looks like, many clients at once, clients that vanish.

Raw sockets are used where an HTTP client would tidy the request up. Every read is bounded by TIMEOUT,
which a working server never comes near."""

from __future__ import annotations

import importlib.util
import socket
import sys
import threading
import time
from pathlib import Path

import pytest

import slidekit.serve as serve
import slidekit.serve_net as serve_net
from slidekit.cli import main as cli_main
from slidekit.serve import Preview, PreviewServer

REPO = Path(__file__).resolve().parents[1]
TIMEOUT = 20
DECK = "---\nmarp: true\n---\n\n# First slide\n\n---\n\n## Second slide\n"
SECRET = "TOP-SECRET-OUTSIDE"


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    """talk/ is served; everything marked SECRET lies outside it or is hidden."""
    tmp_path = tmp_path_factory.mktemp("serve")
    folder = tmp_path / "talk"
    (folder / "sub").mkdir(parents=True)
    (folder / "deck.md").write_text(DECK, encoding="utf-8")
    (folder / "notes.txt").write_text("plain file", encoding="utf-8")
    (folder / "sub" / "inner.txt").write_text("inner file", encoding="utf-8")
    (folder / ".env").write_text(SECRET, encoding="utf-8")
    (folder / ".git").mkdir()
    (folder / ".git" / "config").write_text(SECRET, encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET, encoding="utf-8")
    (outside / "other.md").write_text(f"# {SECRET}\n", encoding="utf-8")
    (tmp_path / "secret.txt").write_text(SECRET, encoding="utf-8")
    (folder / "link.txt").symlink_to(outside / "secret.txt")        # a file symlink leading out
    (folder / "linkdir").symlink_to(outside, target_is_directory=True)
    (folder / "inside-link.txt").symlink_to(folder / "notes.txt")   # a symlink that stays inside: fine
    return folder


@pytest.fixture(scope="module")
def server(tree):
    with PreviewServer(Preview(tree)) as running:
        yield running


def port_of(server) -> int:
    return server.httpd.server_address[1]


def host(server) -> bytes:
    return f"127.0.0.1:{port_of(server)}".encode()


def raw(server, request: bytes) -> bytes:
    """Send bytes as they are; read the whole answer (HTTP/1.0: the server closes)."""
    with socket.create_connection(("127.0.0.1", port_of(server)), timeout=TIMEOUT) as sock:
        sock.sendall(request)
        data = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return data
            data += chunk


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def get(server, target: str | bytes) -> tuple[int, bytes]:
    target = target.encode("latin-1") if isinstance(target, str) else target
    answer = raw(server, b"GET " + target + b" HTTP/1.0\r\nHost: " + host(server) + b"\r\n\r\n")
    return status_of(answer), answer.partition(b"\r\n\r\n")[2]


# Listening ---------------------------------------------------------------------------------------
def test_listens_on_loopback_by_default(tree):
    with PreviewServer(Preview(tree)) as running:
        assert running.httpd.server_address[0] == "127.0.0.1"
        assert running.httpd.socket.getsockname()[0] == "127.0.0.1"
        assert running.url.startswith("http://127.0.0.1:")


class _FakeServer:
    seen: dict = {}

    def __init__(self, preview, port=0, host="127.0.0.1"):
        _FakeServer.seen = {"host": host, "port": port}
        self.url = f"http://{host}:{port}/"

    def serve_until_interrupted(self):
        return None


@pytest.mark.parametrize("argv, host", [([], "127.0.0.1"), (["--host", "0.0.0.0"], "0.0.0.0")])
def test_cli_host_is_loopback_unless_asked(tree, monkeypatch, capsys, argv, host):
    monkeypatch.setattr(serve, "PreviewServer", _FakeServer)
    assert cli_main(["serve", str(tree / "deck.md"), *argv]) == 0
    assert _FakeServer.seen["host"] == host
    err = capsys.readouterr().err
    assert ("other machines can read" in err) == (host != "127.0.0.1")


def test_cli_bad_host_is_a_usage_error(tree, capsys):
    assert cli_main(["serve", str(tree / "deck.md"), "--host", "no such host.invalid"]) == 2
    err = capsys.readouterr().err
    assert "cannot listen on no such host.invalid" in err and "Traceback" not in err


# Only the deck folder ------------------------------------------------------------------------------
ESCAPES = [
    "/../secret.txt", "/../../secret.txt", "/sub/../../secret.txt", "/./../secret.txt",
    "/%2e%2e/secret.txt", "/%2E%2E/secret.txt", "/%2e%2e%2fsecret.txt", "/sub%2f%2e%2e%2f%2e%2e%2fsecret.txt",
    "/.%2e/secret.txt", "/%252e%252e/secret.txt",
    "/..\\secret.txt", "/%5c..%5csecret.txt", "/..%5csecret.txt", "/sub\\..\\..\\secret.txt",
    "//etc/passwd", "/etc/passwd", "/%2fetc%2fpasswd", "/" + "%2e%2e/" * 12 + "etc/passwd",
    "http://127.0.0.1/../secret.txt", "http://evil.example/%2e%2e/secret.txt", "file:///etc/passwd",
    "/C:%5cWindows%5cwin.ini", "/C:/Windows/win.ini",
    "/link.txt", "/linkdir/secret.txt", "/linkdir/other.md", "/linkdir/", "/linkdir",
    "/.env", "/.git/config", "/%2eenv", "/sub/../.env",
    "/notes.txt%00.md", "/%00", "/%c0%ae%c0%ae/secret.txt", "/..%c0%afsecret.txt", "*",
]


@pytest.mark.parametrize("target", ESCAPES)
def test_nothing_outside_the_folder(server, target):
    status, body = get(server, target)
    assert status in (400, 404, 421), (target, status)        # 421: an absolute URL naming another host
    assert SECRET.encode() not in body and b"root:" not in body


def test_files_inside_are_served(server):
    assert get(server, "/notes.txt") == (200, b"plain file")
    assert get(server, "/sub/inner.txt") == (200, b"inner file")
    assert get(server, "/sub/./inner.txt")[0] == 404                # no dot segments at all
    assert get(server, "/inside-link.txt") == (200, b"plain file")  # a symlink that stays inside
    assert get(server, "/sub%2finner.txt") == (200, b"inner file")


@pytest.mark.parametrize("target", ["/sub", "/sub/", "/linkdir/", "/.git/"])
def test_no_directory_listing(server, target):
    status, body = get(server, target)
    assert status == 404 and b"inner.txt" not in body and SECRET.encode() not in body


def test_index_lists_decks_inside_only(server):
    status, body = get(server, "/")
    assert status == 200 and b'href="deck.md"' in body
    assert b"other.md" not in body and b"linkdir" not in body and SECRET.encode() not in body


def test_single_deck_server_serves_its_folder_only(tree):
    with PreviewServer(Preview(tree / "deck.md")) as running:
        assert get(running, "/deck.md")[0] == 200
        for target in ("/../secret.txt", "/%2e%2e/secret.txt", "/link.txt", "/linkdir/other.md"):
            status, body = get(running, target)
            assert status == 404 and SECRET.encode() not in body


def test_long_and_odd_requests_get_an_answer(server):
    assert status_of(raw(server, b"GET /" + b"a" * 70000 + b" HTTP/1.0\r\n\r\n")) == 414
    assert status_of(raw(server, b"GET /" + b"../" * 5000 + b"secret.txt HTTP/1.0\r\n\r\n")) in (404, 414)
    assert status_of(raw(server, b"BREW /deck.md HTTP/1.0\r\n\r\n")) == 501
    assert b"400" in raw(server, b"\x00\xff\xfe garbage\r\n\r\n")[:2000]    # no status line: HTTP/0.9 form
    assert status_of(raw(server, b"GET /notes.txt HTTP/1.0\r\n" + b"X: y\r\n" * 200 + b"\r\n")) == 431
    assert get(server, "/notes.txt")[0] == 200


# Many clients, clients that go away ---------------------------------------------------------------------
def _load_module():
    spec = importlib.util.spec_from_file_location("serve_load", REPO / "bench" / "serve_load.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["serve_load"] = module              # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_small_load_run_has_no_errors(tmp_path):
    """bench/serve_load.py, small: a real `slidekit serve` with streams and slow clients held open."""
    load = _load_module()
    deck = load.sample_folder(tmp_path)
    report, err = load.run_load(deck, streams=20, slow=10, clients=2, seconds=2, slow_every=0.5, timeout=TIMEOUT)
    assert report.errors == [] and report.requests > 0
    assert report.streams_open == 20
    assert 0 < report.percentile(50) <= report.percentile(95)
    assert "Traceback" not in err


def test_first_requests_at_once_build_once(tree, monkeypatch):
    calls = []
    real = serve.build_file

    def counting(path, options):
        calls.append(path)
        time.sleep(0.05)          # widen the window in which the others arrive
        return real(path, options)

    monkeypatch.setattr(serve, "build_file", counting)
    with PreviewServer(Preview(tree)) as running:
        results = []
        threads = [threading.Thread(target=lambda: results.append(get(running, "/deck.md"))) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(TIMEOUT)
    assert [status for status, _ in results] == [200] * 8
    assert all(b"First slide" in body for _, body in results)     # nobody got a half-built page
    assert len(calls) == 1


def test_client_gone_mid_response_leaves_no_traceback(tree, capfd):
    (tree / "big.bin").write_bytes(b"\0" * (8 * 1024 * 1024))
    with PreviewServer(Preview(tree)) as running:
        for target in (b"/big.bin", b"/deck.md"):
            for _ in range(3):
                sock = socket.create_connection(("127.0.0.1", port_of(running)), timeout=TIMEOUT)
                sock.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: " + host(running) + b"\r\n\r\n")
                sock.recv(10)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                sock.close()                         # reset with most of the answer unread
        assert get(running, "/notes.txt") == (200, b"plain file")
        time.sleep(0.2)                             # let the writing threads hit the closed sockets
    assert "Traceback" not in capfd.readouterr().err


def test_dropped_reload_streams_do_not_stop_the_others(tree, monkeypatch):
    monkeypatch.setattr(serve, "HEARTBEAT_SECONDS", 0.1)
    with PreviewServer(Preview(tree / "deck.md")) as running:
        for _ in range(10):                          # open and vanish
            sock = socket.create_connection(("127.0.0.1", port_of(running)), timeout=TIMEOUT)
            sock.sendall(b"GET /__slidekit/events HTTP/1.1\r\nHost: " + host(running) + b"\r\n\r\n")
            sock.recv(100)
            sock.close()
        with socket.create_connection(("127.0.0.1", port_of(running)), timeout=TIMEOUT) as sock:
            sock.sendall(b"GET /__slidekit/events HTTP/1.1\r\nHost: " + host(running) + b"\r\n\r\n")
            data = b""
            while data.count(b"data:") < 1:
                data += sock.recv(4096)
            first = int(data.split(b"data:")[1].split(b"\n")[0])
            running.preview.on_change({tree / "deck.md"})
            while data.count(b"data:") < 2:
                chunk = sock.recv(4096)
                assert chunk, "stream closed"
                data += chunk
            assert int(data.split(b"data:")[2].split(b"\n")[0]) == first + 1


def test_head_of_the_reload_stream_does_not_hang(server):
    answer = raw(server, b"HEAD /__slidekit/events HTTP/1.0\r\n\r\n")
    assert status_of(answer) == 200 and answer.endswith(b"\r\n\r\n")


def test_streams_over_their_limit_get_503_and_pages_are_still_served(tree, monkeypatch):
    monkeypatch.setattr(serve, "HEARTBEAT_SECONDS", 0.1)   # a closed stream is noticed quickly
    with PreviewServer(Preview(tree / "deck.md"), max_streams=2) as running:
        held = []
        for _ in range(2):
            sock = socket.create_connection(("127.0.0.1", port_of(running)), timeout=TIMEOUT)
            sock.sendall(b"GET /__slidekit/events HTTP/1.1\r\nHost: " + host(running) + b"\r\n\r\n")
            assert b"200 OK" in sock.recv(4096)
            held.append(sock)
        assert get(running, "/__slidekit/events")[0] == 503
        assert get(running, "/notes.txt") == (200, b"plain file")
        for sock in held:
            sock.close()
        for _ in range(200):                         # bounded: the stream slots come back within a few beats
            if running.loop.open_streams == 0:
                break
            time.sleep(0.05)
        else:
            raise AssertionError("the closed streams were not noticed")


def test_silent_client_is_dropped(tree, monkeypatch):
    monkeypatch.setattr(serve_net, "HEAD_SECONDS", 0.3)
    with PreviewServer(Preview(tree)) as running:
        with socket.create_connection(("127.0.0.1", port_of(running)), timeout=TIMEOUT) as sock:
            sock.sendall(b"GET /notes.txt HTTP/1.1\r\n")      # and nothing more
            assert sock.recv(100) == b""                     # closed by the server, not by our timeout
        assert get(running, "/notes.txt") == (200, b"plain file")


@pytest.mark.parametrize("listen, host, ok", [
    ("127.0.0.1", "127.0.0.1:8000", True), ("127.0.0.1", "localhost:8000", True), ("127.0.0.1", "[::1]:8000", True),
    ("127.0.0.1", "evil.example:8000", False), ("127.0.0.1", "127.0.0.1:8001", False),
    ("127.0.0.1", "127.0.0.1", False), ("127.0.0.1", "127.0.0.1:8000x", False), ("127.0.0.1", "", False),
    ("::1", "[::1]:8000", True), ("192.168.1.5", "192.168.1.5:8000", True), ("192.168.1.5", "10.0.0.1:8000", False),
    ("my-box.local", "my-box.local:8000", True),
    ("0.0.0.0", "192.168.1.5:8000", True), ("0.0.0.0", "[fe80::1]:8000", True), ("0.0.0.0", "evil.example:8000", False),
])
def test_host_check(listen, host, ok):
    assert serve.HostCheck(listen, 8000)(host) is ok


def test_host_without_port_is_taken_on_port_80():
    assert serve.HostCheck("127.0.0.1", 80)("localhost") and not serve.HostCheck("127.0.0.1", 80)("evil.example")


def test_ipv6_loopback_server(tree):
    with PreviewServer(Preview(tree / "deck.md"), host="::1") as running:
        with socket.create_connection(("::1", port_of(running)), timeout=TIMEOUT) as sock:
            sock.sendall(f"GET /notes.txt HTTP/1.0\r\nHost: [::1]:{port_of(running)}\r\n\r\n".encode())
            assert sock.recv(100).startswith(b"HTTP/1.1 200")


def _closed(sock) -> bool:
    """Whether the server closed the connection: an end of file, or a reset when the server closed it with
    the request's first bytes still unread (which of the two depends on timing)."""
    try:
        return sock.recv(100) == b""
    except ConnectionResetError:
        return True


def test_at_the_connection_cap_the_oldest_unfinished_request_makes_room(tree):
    with PreviewServer(Preview(tree / "deck.md"), max_connections=10) as running:
        silent = [socket.create_connection(("127.0.0.1", port_of(running)), timeout=TIMEOUT) for _ in range(10)]
        try:
            for sock in silent:
                sock.sendall(b"GET /no")                  # never finished
            for _ in range(3):
                assert get(running, "/notes.txt") == (200, b"plain file")
            assert _closed(silent[0])                     # the oldest was dropped
        finally:
            for sock in silent:
                sock.close()


def test_kept_alive_and_pipelined_requests(tree):
    with PreviewServer(Preview(tree / "deck.md")) as running:
        with socket.create_connection(("127.0.0.1", port_of(running)), timeout=TIMEOUT) as sock:
            one = b"GET /notes.txt HTTP/1.1\r\nHost: " + host(running) + b"\r\n\r\n"
            sock.sendall(one + one)                        # two at once
            sock.sendall(one[:10])
            time.sleep(0.1)
            sock.sendall(one[10:] + b"GET /notes.txt HTTP/1.1\r\nHost: " + host(running)
                         + b"\r\nConnection: close\r\n\r\n")
            data = b""
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
        assert data.count(b"HTTP/1.1 200 OK") == 4 and data.count(b"plain file") == 4
